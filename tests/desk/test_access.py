import pytest
from django.test import Client

from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

PAGES = ["/", "/organizations/", "/contacts/"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_page_redirects_to_login(client: Client, url: str):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_anonymous_ticket_page_redirects_to_login(client: Client, make_ticket):
    ticket = make_ticket()
    response = client.get(f"/tickets/{ticket.number}/")
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/tickets/{ticket.number}/"


def test_anonymous_reply_redirects_and_adds_nothing(client: Client, make_ticket):
    ticket = make_ticket()
    response = client.post(f"/tickets/{ticket.number}/reply/", {"text": "Hello"})
    assert response.status_code == 302
    assert ticket.messages.count() == 1


@pytest.mark.parametrize("url", PAGES)
def test_non_agent_role_is_forbidden(client: Client, url: str):
    # A signed-in account without an agent role, such as a future portal user.
    client.force_login(AgentFactory(role="portal_client"))
    response = client.get(url)
    assert response.status_code == 403


def test_non_agent_cannot_open_ticket(client: Client, make_ticket):
    ticket = make_ticket()
    client.force_login(AgentFactory(role="portal_client"))
    assert client.get(f"/tickets/{ticket.number}/").status_code == 403


def test_agent_opens_inbox(agent_client: Client):
    response = agent_client.get("/")
    assert response.status_code == 200
    assert b'<main id="main"' in response.content
    assert b'href="#main"' in response.content


def test_login_with_password_reaches_inbox(client: Client, agent):
    response = client.post(
        "/login/", {"username": "ana", "password": "correct-horse-battery"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert response.wsgi_request.user == agent


def test_login_with_wrong_password_shows_error(client: Client, agent):
    response = client.post("/login/", {"username": "ana", "password": "wrong"})
    assert response.status_code == 200
    assert b'role="alert"' in response.content
    assert not response.wsgi_request.user.is_authenticated


def test_failed_sign_in_is_logged_without_the_password(client: Client, agent, caplog):
    with caplog.at_level("INFO", logger="relaydesk.accounts"):
        client.post("/login/", {"username": "ana", "password": "wrong-guess-123"})
    (record,) = [r for r in caplog.records if r.getMessage() == "sign-in failed"]
    assert record.levelname == "WARNING"
    assert record.username == "ana"
    assert "wrong-guess-123" not in caplog.text


def test_logout_needs_post(agent_client: Client):
    # A GET leaves the agent signed in and goes to the inbox, not to an empty 405.
    response = agent_client.get("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert agent_client.get("/").status_code == 200
    assert agent_client.put("/logout/").status_code == 405
    response = agent_client.post("/logout/")
    assert response.status_code == 302
    assert agent_client.get("/").status_code == 302


def test_pages_send_content_security_policy(agent_client: Client):
    policy = agent_client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
