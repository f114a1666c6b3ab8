"""Sample client e-mail for the demo, written for relaydesk."""

from collections.abc import Iterator
from email.message import EmailMessage

from relaydesk.demo.data import build_message

_TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e221bc330000000049454e44ae426082"
)


def sample_messages(support: str) -> Iterator[EmailMessage]:
    """Yield the demo mail in delivery order; a reply follows its original."""
    first = build_message(
        sender="Joana Ferreira <joana.ferreira@atlantico-seguros.example>",
        to=support,
        subject="Exportação de apólices falha com erro 500",
        text=(
            "Bom dia,\n\nDesde esta manhã a exportação de apólices para Excel devolve "
            '"Erro 500". Já tentámos em dois navegadores.\n\nObrigada,\nJoana Ferreira\n'
            "Atlântico Seguros"
        ),
    )
    yield first

    yield build_message(
        sender="Tiago Lopes <tiago.lopes@atlantico-seguros.example>",
        to=support,
        subject="Re: Exportação de apólices falha com erro 500",
        reply_to_id=first["Message-ID"],
        text=(
            "Acrescento que o problema acontece apenas com mais de 1000 apólices.\n\n"
            "Em 4 de dez., Joana Ferreira escreveu:\n> Bom dia,\n> Desde esta manhã a exportação"
        ),
    )

    yield build_message(
        sender="Olivia Grant <olivia.grant@northwind.example>",
        to=support,
        subject="Shipment labels print blank",
        text="Hi,\n\nSince the update yesterday every shipment label prints blank.\n\nOlivia",
        html=(
            "<p>Hi,</p><p>Since the update yesterday every shipment label prints "
            "<strong>blank</strong>.</p><p>Olivia</p>"
        ),
    )

    screenshot = build_message(
        sender="Rita Sousa <rita.sousa@cm-vilanova.example>",
        to=support,
        subject="Não consigo anexar documentos ao processo",
        text="Olá,\n\nAo anexar um PDF ao processo aparece a mensagem em anexo.\n\nRita Sousa",
    )
    screenshot.add_attachment(
        _TINY_PNG, maintype="image", subtype="png", filename="captura-de-ecrã.png"
    )
    yield screenshot

    yield build_message(
        sender="Dan Miller <dan@bakerybros.example>",
        to=support,
        subject="How do I add a second shop location?",
        text="Hello,\n\nWe opened a second shop. How do I add it to our account?\n\nThanks,\nDan",
    )

    yield build_message(
        sender="Priya Nair <priya.nair@lumen-analytics.example>",
        to=support,
        subject="Dashboard timezone looks wrong",
        text=(
            "Hi team,\n\nOur dashboards show times one hour off since the clocks changed.\n\n"
            "--\nPriya Nair\nLumen Analytics"
        ),
    )

    yield _out_of_office(support)


def _out_of_office(support: str) -> EmailMessage:
    message = build_message(
        sender="Sam Okafor <sam.okafor@northwind.example>",
        to=support,
        subject="Automatic reply: Shipment labels print blank",
        text="I am out of the office until Monday and will reply when I return.",
    )
    message["Auto-Submitted"] = "auto-replied"
    return message
