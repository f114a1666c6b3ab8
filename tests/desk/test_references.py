"""Desk URLs written with a record's reference (CS-6, PO-3, KE-2, CHG-9)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "page"),
    [
        ("/tickets/CS-6/", "/tickets/6/"),
        ("/tickets/cs-6/", "/tickets/6/"),
        ("/tickets/CS-007/", "/tickets/7/"),
        ("/operations/incidents/PO-3/", "/operations/incidents/3/"),
        ("/operations/known-errors/KE-2/", "/operations/known-errors/2/"),
        ("/operations/changes/CHG-9/", "/operations/changes/9/"),
        ("/operations/changes/Chg-9/", "/operations/changes/9/"),
    ],
)
def test_reference_redirects_to_page(agent_client: Client, path, page):
    response = agent_client.get(path)
    assert response.status_code == 301
    assert response["Location"] == page


def test_reference_without_slash_reaches_redirect(agent_client: Client):
    response = agent_client.get("/tickets/CS-6", follow=True)
    assert response.redirect_chain == [("/tickets/CS-6/", 301), ("/tickets/6/", 301)]


def test_ticket_reference_opens_ticket_page(agent_client: Client, make_ticket):
    ticket = make_ticket()
    response = agent_client.get(f"/tickets/CS-{ticket.number}/", follow=True)
    assert response.status_code == 200
    assert f"CS-{ticket.number}" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/tickets/PO-6/",
        "/tickets/CS-/",
        "/tickets/CS6/",
        "/operations/incidents/CS-3/",
        "/tickets/CS-1234567890123456789/",
    ],
)
def test_wrong_reference_is_404(agent_client: Client, path):
    assert agent_client.get(path).status_code == 404
