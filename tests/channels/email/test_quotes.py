from relaydesk.channels.email.quotes import display_text, strip_signature, visible_reply


def test_display_text_cuts_english_attribution():
    text = "Thanks, that works.\n\nOn Tue, 1 Dec 2026 at 10:00, Support wrote:\n> Try again."
    assert display_text(text) == "Thanks, that works."


def test_display_text_cuts_portuguese_attribution():
    text = (
        "Obrigado.\n\nEm ter., 1 de dez. de 2026 às 10:00, Suporte\n"
        "<support@desk.example> escreveu:\n> Tente de novo."
    )
    assert display_text(text) == "Obrigado."


def test_display_text_cuts_outlook_original_message():
    text = "Done.\n\n-----Original Message-----\nFrom: Support\nSent: Monday\n\nOld text"
    assert display_text(text) == "Done."


def test_display_text_cuts_outlook_header_block():
    text = (
        "Done.\n\nFrom: Support <support@desk.example>\n"
        "Sent: Monday, 1 December 2026\nTo: Ana\n\nOld"
    )
    assert display_text(text) == "Done."


def test_display_text_cuts_portuguese_outlook_block():
    text = (
        "Feito.\n\nDe: Suporte <support@desk.example>\nEnviado: segunda-feira\nPara: Ana\n\nAntigo"
    )
    assert display_text(text) == "Feito."


def test_display_text_drops_trailing_quotes():
    assert display_text("Yes.\n\n> Is it fixed?\n> Please check.") == "Yes."


def test_display_text_keeps_bottom_posted_answer():
    text = "Hi,\nOn Mon, 30 Nov 2026, Support wrote:\n> Which browser?\n\nFirefox 120."
    assert display_text(text) == "Hi,\n\nFirefox 120."


def test_display_text_strips_dash_signature():
    assert display_text("It works now.\n\n-- \nAna Silva\nClient Ltd") == "It works now."


def test_display_text_drops_quote_above_signature():
    text = "Yes, fixed.\n\n> Is the export working again?\n\n-- \nAna Silva\nClient Ltd"
    assert display_text(text) == "Yes, fixed."


def test_display_text_strips_mobile_footer():
    assert display_text("Ok.\n\nSent from my iPhone") == "Ok."
    assert display_text("Ok.\n\nEnviado do meu iPhone") == "Ok."


def test_display_text_keeps_sentence_starting_with_on():
    text = "On your server run:\n\n  restart-sync\n\nThen write back."
    assert display_text(text) == text


def test_display_text_of_quote_only_is_full_text():
    text = "> only a quote"
    assert display_text(text) == text


def test_visible_reply_keeps_signature():
    text = "Hello\n\n-- \nAna\n\nOn Mon, 30 Nov 2026, Support wrote:\n> Hi"
    assert visible_reply(text) == "Hello\n\n-- \nAna"


def test_strip_signature_ignores_dashes_mid_line():
    assert strip_signature("A fix -- not a signature.") == "A fix -- not a signature."
