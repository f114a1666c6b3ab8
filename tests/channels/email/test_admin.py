"""The quarantine in the administration pages."""

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client

from relaydesk.accounts.models import Role
from relaydesk.channels.email import intake
from relaydesk.channels.email.intake import ingest
from relaydesk.channels.email.models import RawMessage, RawState, Source
from relaydesk.core.timeline import events_for
from relaydesk.tickets.models import Ticket
from tests.channels.email.conftest import load
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/email/quarantinedmessage/"


def receive(name: str) -> RawMessage:
    result = ingest(load(name), source=Source.IMPORT, source_ref=name)
    return RawMessage.objects.get(pk=result.raw_id)


def page_url(raw: RawMessage, suffix: str = "change/") -> str:
    return f"{LIST_URL}{raw.pk}/{suffix}"


def test_list_shows_only_quarantined(admin_client):
    quarantined = receive("space_in_from.eml")
    receive("wrong_charset.eml")

    response = admin_client.get(LIST_URL)

    assert response.status_code == 200
    assert [row.pk for row in response.context["cl"].result_list] == [quarantined.pk]
    content = response.content.decode()
    assert "sender_unusable" in content
    assert "The From header has no address a reply could go to." in content
    assert "space_in_from.eml" in content


def test_message_page_shows_headers_and_reason(admin_client):
    quarantined = receive("space_in_from.eml")

    content = admin_client.get(page_url(quarantined)).content.decode()

    assert f"Message {quarantined.pk} from space_in_from.eml" in content
    assert "Retry this message" in content
    assert "Discard this message" in content
    assert str(quarantined.received_at.year) in content
    assert "+00:00" not in content

    assert "From: Rui Costa &lt;rui costa@client.example&gt;" in content
    assert "Subject: Invoice total looks wrong" in content
    assert "the From header has no usable address" in content
    assert f'href="{page_url(quarantined, "raw/")}"' in content
    assert 'name="_save"' not in content


def test_raw_download_is_message_as_received(admin_client):
    quarantined = receive("space_in_from.eml")

    response = admin_client.get(page_url(quarantined, "raw/"))

    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert f'filename="quarantined-{quarantined.pk}.eml"' in response["Content-Disposition"]
    assert response.content == load("space_in_from.eml")


def test_raw_download_of_processed_message_is_not_found(admin_client):
    processed = receive("wrong_charset.eml")
    assert admin_client.get(page_url(processed, "raw/")).status_code == 404


def test_retry_action_processes_fixed_message(admin_client, monkeypatch):
    def crash(content: bytes, **kwargs):
        raise RuntimeError("parser bug")

    with monkeypatch.context() as patch:
        patch.setattr(intake, "parse_message", crash)
        quarantined = receive("wrong_charset.eml")
    assert quarantined.state == RawState.QUARANTINED

    response = admin_client.post(
        LIST_URL, {"action": "retry_selected", "_selected_action": [quarantined.pk]}, follow=True
    )

    quarantined.refresh_from_db()
    assert quarantined.state == RawState.PROCESSED
    assert Ticket.objects.count() == 1
    assert "1 message retried: 1 processed, 0 still quarantined." in response.content.decode()


def test_retry_action_reports_still_quarantined(admin_client):
    quarantined = receive("space_in_from.eml")

    response = admin_client.post(
        LIST_URL, {"action": "retry_selected", "_selected_action": [quarantined.pk]}, follow=True
    )

    quarantined.refresh_from_db()
    assert quarantined.state == RawState.QUARANTINED
    assert "1 message retried: 0 processed, 1 still quarantined." in response.content.decode()


def test_retry_action_rejects_too_many(admin_client, monkeypatch):
    from relaydesk.channels.email import admin as quarantine_admin

    monkeypatch.setattr(quarantine_admin, "MAX_RETRIED_PER_REQUEST", 1)
    first = receive("space_in_from.eml")
    second = ingest(load("unusable_from.eml"), source=Source.IMPORT, source_ref="second.eml")

    response = admin_client.post(
        LIST_URL,
        {"action": "retry_selected", "_selected_action": [first.pk, second.raw_id]},
        follow=True,
    )

    content = response.content.decode()
    assert "2 messages are selected, and the pages retry at most 1 at a time" in content
    assert "relaydesk reprocess-quarantine" in content
    first.refresh_from_db()
    assert first.attempts == 1


def test_discard_action_asks_first(admin_client):
    quarantined = receive("space_in_from.eml")

    response = admin_client.post(
        LIST_URL, {"action": "discard_selected", "_selected_action": [quarantined.pk]}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Discard this quarantined message?" in content
    assert "The From header has no address a reply could go to." in content
    assert 'name="confirmed" value="yes"' in content
    quarantined.refresh_from_db()
    assert quarantined.state == RawState.QUARANTINED


def test_discard_action_keeps_bytes_and_records_admin(admin_client, admin_user):
    quarantined = receive("space_in_from.eml")

    response = admin_client.post(
        LIST_URL,
        {
            "action": "discard_selected",
            "_selected_action": [quarantined.pk],
            "confirmed": "yes",
        },
        follow=True,
    )

    quarantined.refresh_from_db()
    assert quarantined.state == RawState.DISCARDED
    assert bytes(quarantined.content) == load("space_in_from.eml")
    event = events_for(quarantined).get()
    assert event.kind == "quarantine_discarded"
    assert event.actor == admin_user
    assert "1 message discarded. Its raw source is kept." in response.content.decode()
    assert admin_client.get(LIST_URL).context["cl"].result_count == 0
    assert LogEntry.objects.get(object_id=str(quarantined.pk)).change_message == "Discarded"


def test_retry_is_in_message_history(admin_client):
    quarantined = receive("space_in_from.eml")
    admin_client.post(LIST_URL, {"action": "retry_selected", "_selected_action": [quarantined.pk]})

    history = admin_client.get(page_url(quarantined, "history/")).content.decode()

    assert "Retried: still quarantined" in history


def test_quarantine_cannot_be_deleted_or_added(admin_client):
    quarantined = receive("space_in_from.eml")
    assert admin_client.get(page_url(quarantined, "delete/")).status_code == 403
    assert admin_client.get(f"{LIST_URL}add/").status_code == 403
    assert RawMessage.objects.filter(pk=quarantined.pk).exists()


@pytest.mark.parametrize("role", [Role.CUSTOMER_SERVICE, Role.PRODUCTION_OPERATIONS])
def test_quarantine_is_for_administrators_only(role):
    quarantined = receive("space_in_from.eml")
    client = Client()
    client.force_login(AgentFactory(role=role))

    assert client.get(LIST_URL).status_code == 302
    assert client.get(page_url(quarantined, "raw/")).status_code == 302
    client.post(LIST_URL, {"action": "discard_selected", "_selected_action": [quarantined.pk]})
    quarantined.refresh_from_db()
    assert quarantined.state == RawState.QUARANTINED


def test_quarantine_page_in_portuguese():
    receive("space_in_from.eml")
    client = Client()
    client.force_login(AgentFactory(username="rosa", role=Role.ADMIN, locale="pt-pt"))

    content = client.get(LIST_URL).content.decode()

    assert "Mensagens em quarentena" in content
    assert "Voltar a tentar as mensagens selecionadas" in content
    assert "Motivo" in content
    assert "Código do motivo" in content
    assert "Error code" not in content
    assert "O cabeçalho From não tem nenhum endereço" in content
    quarantined = RawMessage.objects.get(state=RawState.QUARANTINED)
    page = client.get(page_url(quarantined)).content.decode()
    assert "Voltar a tentar esta mensagem" in page
    assert "Descartar esta mensagem" in page
