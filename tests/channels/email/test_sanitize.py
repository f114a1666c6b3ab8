"""Plain text derived from HTML-only mail."""

from relaydesk.channels.email.sanitize import html_to_text


def test_html_to_text_numbers_ordered_list():
    markup = '<ol><li>Log in</li><li>Open "Reports"</li></ol><p>Thanks</p>'
    assert html_to_text(markup) == '1. Log in\n2. Open "Reports"\n\nThanks'


def test_html_to_text_marks_unordered_list():
    markup = "<p>Affected:</p><ul><li>Lisbon</li><li>Porto</li></ul>Since Monday."
    assert html_to_text(markup) == "Affected:\n\n- Lisbon\n- Porto\n\nSince Monday."


def test_html_to_text_ordered_list_start():
    assert html_to_text('<ol start="4"><li>four</li><li>five</li></ol>') == "4. four\n5. five"


def test_html_to_text_invalid_start_counts_from_one():
    assert html_to_text('<ol start="x"><li>one</li></ol>') == "1. one"


def test_html_to_text_indents_nested_list():
    markup = "<ol><li>Export<ul><li>CSV</li><li>PDF</li></ul></li><li>Send</li></ol>"
    assert html_to_text(markup) == "1. Export\n   - CSV\n   - PDF\n2. Send"


def test_html_to_text_aligns_item_continuation():
    markup = "<ol><li>First line<br>second line</li></ol>"
    assert html_to_text(markup) == "1. First line\n   second line"


def test_html_to_text_list_inside_quote():
    markup = "<blockquote><ol><li>Restart</li><li>Retry</li></ol></blockquote><p>Done</p>"
    assert html_to_text(markup) == "> 1. Restart\n> 2. Retry\n>\nDone"


def test_html_to_text_unclosed_items():
    assert html_to_text("<ul><li>one<li>two</ul>after") == "- one\n- two\n\nafter"


def test_html_to_text_item_outside_list():
    assert html_to_text("<li>stray</li>text") == "- stray\ntext"


def test_html_to_text_empty_item_marker_dropped():
    assert html_to_text("<ul><li></li></ul><p>Hello</p>") == "Hello"
