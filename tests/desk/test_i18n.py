"""The desk in European Portuguese. Needs the compiled catalogue (``make messages``)."""

from pathlib import Path

import pytest
from django.test import Client

import relaydesk
from relaydesk.accounts.models import User
from relaydesk.tickets import actions

pytestmark = pytest.mark.django_db

CATALOGUE = Path(relaydesk.__file__).parent / "locale" / "pt_PT" / "LC_MESSAGES" / "django.mo"


@pytest.fixture(autouse=True)
def _compiled_catalogue() -> None:
    if not CATALOGUE.exists():
        pytest.fail(f"{CATALOGUE} is missing: run `make messages` to compile the translations")


def test_login_page_follows_accept_language(client: Client):
    content = client.get("/login/", headers={"accept-language": "pt-PT"}).content.decode()
    assert '<html lang="pt-pt">' in content
    assert "Iniciar sessão no relaydesk" in content


def test_login_page_defaults_to_english(client: Client):
    content = client.get("/login/").content.decode()
    assert "Sign in to relaydesk" in content


def test_agent_locale_selects_portuguese(agent_client: Client, agent: User, make_ticket):
    agent.locale = "pt-pt"
    agent.save()
    make_ticket()
    content = agent_client.get("/").content.decode()
    assert "Caixa de entrada" in content
    assert "Por atribuir" in content
    assert '<span class="status status-new">Novo</span>' in content


def test_agent_locale_overrides_accept_language(agent_client: Client, agent: User):
    agent.locale = "pt_PT"
    agent.save()
    content = agent_client.get("/", headers={"accept-language": "en"}).content.decode()
    assert "Caixa de entrada" in content


def test_ticket_page_in_portuguese(agent_client: Client, agent: User, make_ticket):
    agent.locale = "pt-pt"
    agent.save()
    ticket = make_ticket()
    actions.add_note(ticket, author=agent, text="Ver os registos.")
    content = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    for label in ("Responder", "Nota interna", "Atribuir", "Estado", "Prioridade", "Guardar"):
        assert label in content, label
    assert "Nota interna – não visível para o cliente" in content
    assert "Sair" in content


def test_action_error_is_translated(agent_client: Client, agent: User, make_ticket):
    agent.locale = "pt-pt"
    agent.save()
    ticket = make_ticket()
    response = agent_client.post(f"/tickets/{ticket.number}/reply/", {"text": ""})
    assert response.status_code == 400
    assert "Este campo é obrigatório." in response.content.decode()


def test_inbox_filter_error_in_portuguese(agent_client: Client, agent: User):
    agent.locale = "pt-pt"
    agent.save()
    response = agent_client.get("/?view=all&priority=normal&page=2")
    content = response.content.decode()
    assert response.status_code == 400
    assert "Nenhum pedido é apresentado, porque estes filtros são inválidos" in content
    assert "Vista: “all” não é um valor válido." in content
    assert (
        "Valores válidos: unassigned (Por atribuir), mine (Os meus), "
        "team (As minhas equipas), clients (Os meus clientes), open (Todos os abertos)." in content
    )
    assert '<a href="?view=open">limpe todos os filtros</a>' in content


def test_language_switch_saves_agent_locale(agent_client: Client, agent: User):
    response = agent_client.post("/language/", {"language": "pt-pt", "next": "/contacts/"})
    assert response.status_code == 302
    assert response["Location"] == "/contacts/"
    agent.refresh_from_db()
    assert agent.locale == "pt-pt"
    assert "Contactos" in agent_client.get("/contacts/").content.decode()


def test_language_switch_rejects_unknown_language(agent_client: Client, agent: User):
    agent_client.post("/language/", {"language": "xx", "next": "/"})
    agent.refresh_from_db()
    assert agent.locale == "en"


def test_language_switch_for_anonymous_sets_cookie(client: Client):
    client.post("/language/", {"language": "pt-pt", "next": "/login/"})
    assert "Iniciar sessão no relaydesk" in client.get("/login/").content.decode()


def test_language_switcher_offers_configured_codes(client: Client):
    content = client.get("/login/").content.decode()
    assert '<option value="pt-pt" lang="pt-pt">Português</option>' in content


def test_agent_locale_sets_content_language(agent_client: Client, agent: User):
    agent.locale = "pt-pt"
    agent.save()
    assert agent_client.get("/")["Content-Language"] == "pt-pt"


def test_language_address_opened_directly_goes_to_inbox(agent_client: Client, agent: User):
    response = agent_client.get("/language/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    agent.refresh_from_db()
    assert agent.locale == "en"
