from django.test import Client

from relaydesk.accounts.models import User
from relaydesk.core import clock
from relaydesk.sla.models import Notification, NotificationKind
from tests.factories import AgentFactory


def notify(user: User, ticket, kind: str = NotificationKind.SLA_WARNING) -> Notification:
    return Notification.objects.create(
        recipient=user, kind=kind, ticket=ticket, created_at=clock.now()
    )


def test_notifications_page_lists_own_only(agent_client: Client, agent: User, make_ticket):
    ticket = make_ticket()
    notify(agent, ticket)
    notify(AgentFactory(username="other"), ticket, NotificationKind.SLA_BREACH)
    response = agent_client.get("/notifications/")
    assert response.status_code == 200
    assert b"SLA target at risk" in response.content
    assert b"SLA target breached" not in response.content


def test_header_shows_unread_count(agent_client: Client, agent: User, make_ticket):
    notify(agent, make_ticket())
    response = agent_client.get("/")
    assert b"Notifications (1 unread)" in response.content


def test_mark_all_read_clears_count(agent_client: Client, agent: User, make_ticket):
    notify(agent, make_ticket())
    response = agent_client.post("/notifications/read/", follow=True)
    assert b"1 notification marked as read." in response.content
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_opening_the_ticket_reads_its_notifications(agent_client: Client, agent: User, make_ticket):
    ticket, other = make_ticket(), make_ticket()
    notify(agent, ticket)
    notify(agent, other)
    colleague = notify(AgentFactory(username="other"), ticket)

    response = agent_client.get(f"/tickets/{ticket.number}/")

    assert b"Notifications (1 unread)" in response.content
    unread = Notification.objects.filter(read_at__isnull=True)
    assert {(n.recipient_id, n.ticket_id) for n in unread} == {
        (agent.pk, other.pk),
        (colleague.recipient_id, ticket.pk),
    }


def test_mark_all_read_leaves_others_unread(agent_client: Client, make_ticket):
    notify(AgentFactory(username="other"), make_ticket())
    agent_client.post("/notifications/read/")
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_mark_all_read_rejects_get(agent_client: Client):
    assert agent_client.get("/notifications/read/").status_code == 405


def test_notifications_page_requires_login(client: Client, db):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_solution_received_in_agent_language(agent_client: Client, agent: User, make_ticket):
    agent.locale = "pt-pt"
    agent.save(update_fields=["locale"])
    notify(agent, make_ticket(), NotificationKind.SOLUTION_RECEIVED)

    content = agent_client.get("/notifications/").content.decode()

    assert "Solução recebida das Operações de Produção" in content
