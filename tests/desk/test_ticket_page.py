import pytest
from django.test import Client

from relaydesk.accounts.models import User
from relaydesk.channels.email.models import Source
from relaydesk.channels.email.store import store_raw
from relaydesk.tickets import actions
from tests.factories import ContactFactory, PremiumOrganizationFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_ticket_page_header_shows_ticket_facts(agent_client: Client, agent: User, make_ticket):
    ticket = make_ticket(priority="high")
    team = TeamFactory(slug="front", name="Front desk")
    team.members.add(agent)
    actions.assign(ticket, actor=agent, assignee=agent, team=team)
    content = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert f"CS-{ticket.number}" in content
    assert "Invoice export fails" in content
    assert '<span class="status status-new">New</span>' in content
    assert '<span class="priority priority-high">High</span>' in content
    assert "<dd>E-mail</dd>" in content
    assert ticket.organization.name in content
    assert "Ana Silva" in content
    assert "Front desk" in content


def test_ticket_page_unknown_number_is_404(agent_client: Client):
    assert agent_client.get("/tickets/999999/").status_code == 404


def test_premium_ticket_shows_csm(agent_client: Client, make_ticket):
    organization = PremiumOrganizationFactory(csm__first_name="Carla", csm__last_name="Mendes")
    ticket = make_ticket(contact=ContactFactory(organization=organization))
    content = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "Customer Success Manager" in content
    assert "Carla Mendes" in content


def test_universal_ticket_hides_csm(agent_client: Client, make_ticket):
    ticket = make_ticket()
    content = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "Customer Success Manager" not in content


def test_internal_note_is_labelled_apart_from_replies(
    agent_client: Client, agent: User, make_ticket
):
    ticket = make_ticket()
    actions.reply(ticket, author=agent, text="We are looking into it.")
    note = actions.add_note(ticket, author=agent, text="Probably the nightly batch.")
    content = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert f'id="message-{note.pk}" class="message message-note"' in content
    assert "Internal note – not visible to the client" in content
    assert content.count('class="visibility visibility-public"') == 2


def test_message_shows_display_text_and_full_text_toggle(agent_client: Client, make_ticket):
    ticket = make_ticket(
        "Export fails.\n\n> On Monday you wrote:\n> old quoted text",
        draft={"display_text": "Export fails."},
    )
    content = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert '<div class="message-text">Export fails.</div>' in content
    assert "<summary>Show full message</summary>" in content
    assert "&gt; old quoted text" in content


def test_message_without_quotes_has_no_toggle(agent_client: Client, make_ticket):
    ticket = make_ticket("Just one line.")
    content = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "Show full message" not in content


def test_email_message_links_raw_source(agent_client: Client, make_ticket):
    stored = store_raw(
        b"Subject: Export\r\nMessage-ID: <a1@client.example>\r\n\r\nBody\r\n", source=Source.SMTP
    )
    ticket = make_ticket(draft={"raw_id": stored.raw.pk})
    message = ticket.messages.get()
    content = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert f'href="/tickets/{ticket.number}/messages/{message.pk}/source/"' in content


def test_ticket_page_shows_timeline_with_actor(agent_client: Client, agent: User, make_ticket):
    ticket = make_ticket()
    actions.change_priority(ticket, actor=agent, priority="urgent")
    content = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "Priority changed from Normal to Urgent" in content
    assert '<span class="timeline-actor">Ana Silva</span>' in content
    assert "Ticket created" in content


def test_ticket_page_offers_only_allowed_statuses(agent_client: Client, make_ticket):
    ticket = make_ticket()
    content = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    status_form = content.split(f'action="/tickets/{ticket.number}/status/"')[1].split("</form>")[0]
    assert 'value="pending_client"' in status_form
    assert 'value="escalated"' not in status_form


def test_ticket_page_preselects_no_new_status(agent_client: Client, make_ticket):
    # A new ticket cannot move to "new", so a preselected first move would
    # read as the ticket's current status.
    ticket = make_ticket()
    content = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    status_form = content.split(f'action="/tickets/{ticket.number}/status/"')[1].split("</form>")[0]
    assert '<option value="" selected>Choose a status</option>' in status_form


def test_ticket_page_query_count_is_bounded(
    agent_client: Client, agent: User, make_ticket, django_assert_max_num_queries
):
    ticket = make_ticket()
    for number in range(10):
        actions.add_note(ticket, author=agent, text=f"note {number}")
    # The SLA panel adds four (the clocks, and the policy with its calendar
    # rows), the escalation panel one (the ticket's incident link) and the
    # header one (the unread notification count), the reply form three (where
    # the reply goes, and the names of those addresses), and opening the
    # ticket marks its notifications read (one UPDATE).
    with django_assert_max_num_queries(21):
        agent_client.get(f"/tickets/{ticket.number}/")


def test_ticket_page_marks_back_office_answer(agent_client: Client, agent: User, make_ticket):
    ticket = make_ticket()
    actions.add_back_office_answer(ticket, text="Fixed in 4.2.1.", actor=agent)
    page = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "Answer from Production Operations – not e-mailed to the client" in page
    assert page.count('class="visibility visibility-public"') == 1


def test_ticket_page_marks_back_office_answer_passed_on(
    agent_client: Client, agent: User, make_ticket
):
    # relaydesk informs a Universal client itself, so the label must not ask for a reply.
    ticket = make_ticket()
    actions.add_back_office_answer(ticket, text="Fixed in 4.2.1.", actor=agent)
    actions.reply(ticket, author=None, text="Fixed in 4.2.1.", automatic=True)
    page = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "passed on to the client in a later reply" in page
    assert "pass it on with a reply" not in page


def test_failed_delivery_shows_its_reason(agent_client: Client, agent: User, make_ticket):
    ticket = make_ticket()
    reply = actions.reply(ticket, author=agent, text="Try again now.")
    actions.record_delivery(reply, status="failed", error="relay said 554 5.7.1 rejected")
    content = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "Last delivery attempt failed: relay said 554 5.7.1 rejected" in content


def test_recorded_client_message_names_client_and_agent(
    agent_client: Client, agent: User, make_ticket
):
    contact = ContactFactory(name="Joana Ferreira")
    ticket = make_ticket(
        contact=contact,
        actor=agent,
        channel="phone",
        draft={"from_name": "Joana Ferreira"},
    )

    page = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    author = page.split('class="message-author">')[1].split("</span>\n")[0]

    assert "Joana Ferreira" in author
    assert f"recorded by {agent}" in author
