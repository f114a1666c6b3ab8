"""The desk's own pages for a missing address and a server error, and the error's log line."""

import io
import logging

import pytest
from django.http import HttpRequest
from django.test import Client, override_settings
from django.urls import path

pytestmark = pytest.mark.django_db


def failing_view(request: HttpRequest):
    raise RuntimeError("the export job lost its database connection")


urlpatterns = [path("fails/", failing_view)]


def test_missing_page_is_the_desks_own(agent_client):
    response = agent_client.get("/tickets/CS-999999/nothing-here/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert "Go to the inbox" in page
    assert "Traceback" not in page
    assert "URLconf" not in page


def test_missing_page_speaks_the_agents_language(agent, agent_client):
    # The agent's saved language wins over the browser's, as on every page.
    agent.locale = "pt-pt"
    agent.save(update_fields=["locale"])

    for address in ("/nothing-here/", "/tickets/999999/", "/organizations/999999/"):
        response = agent_client.get(address, headers={"Accept-Language": "en"})

        assert response.status_code == 404
        assert '<html lang="pt-pt">' in response.content.decode()
        assert "Página não encontrada" in response.content.decode()


def test_missing_page_follows_the_browser_when_signed_out():
    response = Client().get("/nothing-here/", headers={"Accept-Language": "pt-PT"})

    assert "Página não encontrada" in response.content.decode()


def test_missing_page_for_anonymous_visitor():
    response = Client().get("/nothing-here/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_server_error_page_hides_the_error():
    response = Client(raise_request_exception=False).get("/fails/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Server error" in page
    assert "lost its database connection" not in page


@override_settings(ROOT_URLCONF=__name__)
def test_server_error_is_logged_with_debug_off():
    console = next(
        handler
        for handler in logging.getLogger("django.request").handlers
        if isinstance(handler, logging.StreamHandler)
    )
    stream = io.StringIO()
    before = console.setStream(stream)
    try:
        Client(raise_request_exception=False).get("/fails/")
    finally:
        console.setStream(before)

    assert "lost its database connection" in stream.getvalue()


@override_settings(ROOT_URLCONF=__name__)
def test_server_error_page_speaks_the_agents_language(agent):
    agent.locale = "pt-pt"
    agent.save(update_fields=["locale"])
    client = Client(raise_request_exception=False)
    client.force_login(agent)

    response = client.get("/fails/")

    assert "Erro no servidor" in response.content.decode()


def test_favicon_request_is_answered_without_a_404():
    response = Client().get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("desk/favicon.svg")
    assert Client().get(response["Location"]).status_code == 200


def post_note_with_old_token(agent, ticket, **headers) -> object:
    """Send the note form as a page opened before the agent signed in again would."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    return client.post(
        f"/tickets/{ticket.number}/note/", {"text": "Checked the logs."}, headers=headers
    )


def test_expired_form_gets_the_desks_own_page(agent, make_ticket):
    ticket = make_ticket()

    response = post_note_with_old_token(
        agent, ticket, Referer=f"http://testserver/tickets/{ticket.number}/"
    )

    assert response.status_code == 403
    page = response.content.decode()
    assert "The form has expired" in page
    assert f'href="http://testserver/tickets/{ticket.number}/"' in page
    assert "DEBUG" not in page
    assert ticket.messages.count() == 1


def test_expired_form_page_speaks_the_agents_language(agent, make_ticket):
    agent.locale = "pt-pt"
    agent.save(update_fields=["locale"])
    ticket = make_ticket()

    response = post_note_with_old_token(agent, ticket)

    assert response.status_code == 403
    assert "O formulário expirou" in response.content.decode()


def test_expired_form_never_links_to_another_site(agent, make_ticket):
    response = post_note_with_old_token(
        agent, make_ticket(), Referer="https://elsewhere.example/form"
    )
    assert 'href="/"' in response.content.decode()
