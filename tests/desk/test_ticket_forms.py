import pytest
from django.test import Client

from relaydesk.accounts.models import Role, User
from relaydesk.core.models import TimelineEvent
from relaydesk.tickets import actions
from relaydesk.tickets.models import DeliveryStatus, MessageKind, Status, Visibility
from tests.desk.conftest import inbound_draft
from tests.factories import AgentFactory, ContactFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_reply_adds_public_message_and_redirects(agent_client: Client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(
        f"/tickets/{ticket.number}/reply/", {"text": "Please try again now.", "status": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.number}/"
    reply = ticket.messages.get(kind=MessageKind.REPLY)
    assert reply.text == "Please try again now."
    assert reply.visibility == Visibility.PUBLIC


def test_reply_normalises_line_endings(agent_client: Client, make_ticket):
    ticket = make_ticket()
    agent_client.post(f"/tickets/{ticket.number}/reply/", {"text": "Hello Dan,\r\n\r\nFixed."})
    reply = ticket.messages.get(kind=MessageKind.REPLY)
    assert reply.text == "Hello Dan,\n\nFixed."
    assert reply.display_text == "Hello Dan,\n\nFixed."


def test_note_normalises_line_endings(agent_client: Client, make_ticket):
    ticket = make_ticket()
    agent_client.post(f"/tickets/{ticket.number}/note/", {"text": "Logs:\r\nnothing\rodd"})
    assert ticket.messages.get(kind=MessageKind.NOTE).text == "Logs:\nnothing\nodd"


def test_reply_shows_success_message_after_redirect(agent_client: Client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(f"/tickets/{ticket.number}/reply/", {"text": "Done."}, follow=True)
    assert "Reply queued for sending to the client." in response.content.decode()


def test_reply_recipients_shown(
    agent_client: Client, make_ticket, django_capture_on_commit_callbacks
):
    joana = ContactFactory(name="Joana Ferreira", email="joana@client.example")
    ticket = make_ticket(contact=joana, draft={"from_address": "joana@client.example"})
    tiago = ContactFactory(
        name="Tiago Lopes", organization=joana.organization, email="tiago@client.example"
    )
    actions.add_client_message(
        ticket, inbound_draft("Following up.", from_address="tiago@client.example"), contact=tiago
    )
    recipients = (
        "To: Tiago Lopes &lt;tiago@client.example&gt;; "
        "Cc: Joana Ferreira &lt;joana@client.example&gt;"
    )
    page = f"/tickets/{ticket.number}/"
    assert agent_client.get(page).content.decode().count(recipients) == 1
    # Queued: the reply shows where delivery will send it.
    agent_client.post(f"{page}reply/", {"text": "It is on its way."})
    assert agent_client.get(page).content.decode().count(recipients) == 2
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(f"{page}reply/", {"text": "It is fixed."})
    sent = ticket.messages.filter(kind=MessageKind.REPLY).order_by("id").last()
    assert sent.delivery_status == DeliveryStatus.SENT
    # In the reply form, on the queued reply and on the sent one.
    assert agent_client.get(page).content.decode().count(recipients) == 3


def test_reply_form_warns_without_address(agent_client: Client, make_ticket):
    ticket = make_ticket(draft={"from_address": ""})
    ticket.contact.emails.all().delete()
    content = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "has no e-mail address, so a reply cannot be sent" in content


def test_reply_can_set_pending_client(agent_client: Client, make_ticket):
    ticket = make_ticket()
    agent_client.post(
        f"/tickets/{ticket.number}/reply/",
        {"text": "Which browser do you use?", "status": Status.PENDING_CLIENT},
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_CLIENT


def test_empty_reply_is_rejected_and_adds_nothing(agent_client: Client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(f"/tickets/{ticket.number}/reply/", {"text": "   "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert ticket.messages.count() == 1


@pytest.mark.parametrize("action", ["reply", "note"])
def test_text_over_limit_is_rejected(agent_client: Client, make_ticket, action):
    ticket = make_ticket()
    response = agent_client.post(f"/tickets/{ticket.number}/{action}/", {"text": "x" * 100_001})
    assert response.status_code == 400
    assert (
        "The message text is 100001 characters long: shorten it to 100000."
        in response.content.decode()
    )
    assert ticket.messages.count() == 1


def test_text_at_the_limit_is_taken(agent_client: Client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(f"/tickets/{ticket.number}/note/", {"text": "x" * 100_000})
    assert response.status_code == 302
    assert len(ticket.messages.get(kind=MessageKind.NOTE).text) == 100_000


def test_reply_with_forbidden_status_is_conflict(agent_client: Client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(
        f"/tickets/{ticket.number}/reply/", {"text": "Escalating.", "status": Status.ESCALATED}
    )
    assert response.status_code == 409
    assert "cannot be moved to “Escalated”" in response.content.decode()
    assert ticket.messages.count() == 1


def test_reply_form_keeps_text_after_error(agent_client: Client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(
        f"/tickets/{ticket.number}/reply/", {"text": "Draft kept", "status": Status.ESCALATED}
    )
    assert ">\nDraft kept</textarea>" in response.content.decode()


def test_note_is_internal(agent_client: Client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(f"/tickets/{ticket.number}/note/", {"text": "Check the logs."})
    assert response.status_code == 302
    note = ticket.messages.get(kind=MessageKind.NOTE)
    assert note.visibility == Visibility.INTERNAL
    assert note.delivery_status == ""


def test_empty_note_is_rejected(agent_client: Client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(f"/tickets/{ticket.number}/note/", {"text": ""})
    assert response.status_code == 400
    assert ticket.messages.count() == 1


def test_assign_sets_agent_and_team(agent_client: Client, agent: User, make_ticket):
    ticket = make_ticket()
    team = TeamFactory(slug="front")
    team.members.add(agent)
    response = agent_client.post(
        f"/tickets/{ticket.number}/assign/", {"assignee": agent.pk, "team": team.pk}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    assert ticket.team == team


def test_assign_shows_names_on_the_timeline(agent_client: Client, agent: User, make_ticket):
    ticket = make_ticket()
    team = TeamFactory(slug="front", name="Front Desk")
    team.members.add(agent)
    agent_client.post(f"/tickets/{ticket.number}/assign/", {"assignee": agent.pk, "team": team.pk})
    page = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert f"Assigned to {agent.get_full_name()}, team Front Desk" in page


def test_assign_to_non_member_is_rejected(agent_client: Client, make_ticket):
    ticket = make_ticket()
    outsider = AgentFactory(first_name="Rui", last_name="Costa")
    team = TeamFactory(slug="front")
    response = agent_client.post(
        f"/tickets/{ticket.number}/assign/", {"assignee": outsider.pk, "team": team.pk}
    )
    assert response.status_code == 400
    assert "Agent Rui Costa is not a member of team Front." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert ticket.team is None


def test_assign_to_back_office_agent_is_rejected(agent_client: Client, make_ticket):
    ticket = make_ticket()
    pedro = AgentFactory(first_name="Pedro", last_name="Alves", role=Role.PRODUCTION_OPERATIONS)

    page = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    response = agent_client.post(f"/tickets/{ticket.number}/assign/", {"assignee": pedro.pk})

    assert "Pedro Alves" not in page
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_assign_unknown_agent_is_rejected(agent_client: Client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(f"/tickets/{ticket.number}/assign/", {"assignee": 999999})
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_status_change_is_saved(agent_client: Client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(f"/tickets/{ticket.number}/status/", {"status": Status.SOLVED})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED


@pytest.mark.parametrize("status", [Status.NEW, Status.OPEN])
def test_status_change_to_current_status_changes_nothing(
    agent_client: Client, agent: User, make_ticket, status
):
    ticket = make_ticket()
    actions.change_status(ticket, actor=agent, status=status)
    events_before = TimelineEvent.objects.count()

    response = agent_client.post(
        f"/tickets/{ticket.number}/status/", {"status": status}, follow=True
    )

    assert response.status_code == 200
    label = Status(status).label
    assert f"The ticket is already “{label}”: nothing changed." in response.content.decode()
    assert TimelineEvent.objects.count() == events_before


def test_priority_change_to_current_priority_changes_nothing(agent_client: Client, make_ticket):
    ticket = make_ticket()
    events_before = TimelineEvent.objects.count()

    response = agent_client.post(
        f"/tickets/{ticket.number}/priority/", {"priority": ticket.priority}, follow=True
    )

    assert "already has priority “Normal”: nothing changed." in response.content.decode()
    assert TimelineEvent.objects.count() == events_before


def test_invalid_status_transition_is_conflict(agent_client: Client, agent: User, make_ticket):
    ticket = make_ticket()
    actions.change_status(ticket, actor=agent, status=Status.CLOSED)
    events_before = TimelineEvent.objects.count()
    response = agent_client.post(f"/tickets/{ticket.number}/status/", {"status": Status.OPEN})
    assert response.status_code == 409
    assert "A closed ticket cannot be moved to “Open”" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert TimelineEvent.objects.count() == events_before


def test_unknown_status_is_bad_request(agent_client: Client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(f"/tickets/{ticket.number}/status/", {"status": "done"})
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_status_change_without_choice_names_the_field(agent_client: Client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(f"/tickets/{ticket.number}/status/", {"status": ""})
    assert response.status_code == 400
    assert "Choose the status to move the ticket to." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_priority_change_is_saved(agent_client: Client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(f"/tickets/{ticket.number}/priority/", {"priority": "urgent"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.priority == "urgent"


def test_unknown_priority_is_bad_request(agent_client: Client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(f"/tickets/{ticket.number}/priority/", {"priority": "asap"})
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.priority == "normal"


def test_action_endpoints_reject_get(agent_client: Client, make_ticket):
    ticket = make_ticket()
    assert agent_client.get(f"/tickets/{ticket.number}/reply/").status_code == 405


def test_reply_without_csrf_token_is_forbidden(agent: User, make_ticket):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    ticket = make_ticket()
    response = client.post(f"/tickets/{ticket.number}/reply/", {"text": "Hello"})
    assert response.status_code == 403
    assert ticket.messages.count() == 1
