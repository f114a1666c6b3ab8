import re

import pytest
from django.test import Client

from relaydesk.accounts.models import User
from relaydesk.tickets import actions
from relaydesk.tickets.models import Priority, Status
from tests.factories import (
    AgentFactory,
    ContactFactory,
    OrganizationFactory,
    PremiumOrganizationFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


def listed_numbers(response) -> list[int]:
    """Return the CS numbers in the inbox table, in page order."""
    return [
        int(n) for n in re.findall(rb'<th scope="row"><a href="/tickets/(\d+)/">', response.content)
    ]


def test_inbox_open_view_lists_open_tickets_only(agent_client: Client, agent: User, make_ticket):
    open_ticket = make_ticket()
    closed = make_ticket()
    actions.change_status(closed, actor=agent, status=Status.CLOSED)
    numbers = listed_numbers(agent_client.get("/?view=open"))
    assert open_ticket.number in numbers
    assert closed.number not in numbers


def test_inbox_unassigned_view(agent_client: Client, agent: User, make_ticket):
    unassigned = make_ticket()
    assigned = make_ticket()
    actions.assign(assigned, actor=agent, assignee=agent)
    numbers = listed_numbers(agent_client.get("/?view=unassigned"))
    assert numbers == [unassigned.number]


def test_inbox_mine_view(agent_client: Client, agent: User, make_ticket):
    mine = make_ticket()
    actions.assign(mine, actor=agent, assignee=agent)
    theirs = make_ticket()
    actions.assign(theirs, actor=agent, assignee=AgentFactory())
    make_ticket()
    assert listed_numbers(agent_client.get("/?view=mine")) == [mine.number]


def test_inbox_team_view(agent_client: Client, agent: User, make_ticket):
    team = TeamFactory(slug="cs-lisbon")
    team.members.add(agent)
    other_team = TeamFactory(slug="cs-porto")
    ours = make_ticket()
    actions.assign(ours, actor=agent, assignee=None, team=team)
    theirs = make_ticket()
    actions.assign(theirs, actor=agent, assignee=None, team=other_team)
    assert listed_numbers(agent_client.get("/?view=team")) == [ours.number]


def test_inbox_clients_view_lists_csm_premium_tickets(make_ticket):
    ours = PremiumOrganizationFactory(name="Câmara de Évora")
    theirs = PremiumOrganizationFactory(name="Bakery Bros")
    mine = make_ticket(contact=ContactFactory(organization=ours))
    make_ticket(contact=ContactFactory(organization=theirs))
    make_ticket()
    client = Client()
    client.force_login(ours.csm)

    response = client.get("/", {"view": "clients"})

    assert listed_numbers(response) == [mine.number]
    assert 'href="?view=clients" aria-current="page"' in response.content.decode()


def test_inbox_clients_tab_only_for_csms(agent_client: Client):
    assert "view=clients" not in agent_client.get("/").content.decode()


def test_inbox_status_filter_includes_closed(agent_client: Client, agent: User, make_ticket):
    make_ticket()
    closed = make_ticket()
    actions.change_status(closed, actor=agent, status=Status.CLOSED)
    assert listed_numbers(agent_client.get("/?view=open&status=closed")) == [closed.number]


def test_inbox_priority_filter(agent_client: Client, make_ticket):
    make_ticket()
    urgent = make_ticket(priority=Priority.URGENT)
    assert listed_numbers(agent_client.get("/?priority=urgent")) == [urgent.number]


def test_inbox_plan_filter(agent_client: Client, make_ticket):
    make_ticket(contact=ContactFactory(organization=OrganizationFactory()))
    premium = make_ticket(contact=ContactFactory(organization=PremiumOrganizationFactory()))
    assert listed_numbers(agent_client.get("/?plan=premium")) == [premium.number]


def test_inbox_channel_filter(agent_client: Client, make_ticket):
    make_ticket()
    phone = make_ticket(channel="phone")
    assert listed_numbers(agent_client.get("/?channel=phone")) == [phone.number]


def test_inbox_organization_filter(agent_client: Client, make_ticket):
    ticket = make_ticket()
    make_ticket()
    response = agent_client.get(f"/?organization={ticket.organization_id}")
    assert listed_numbers(response) == [ticket.number]


def error_summary(response) -> str:
    """Return the text of the page-level error summary, or "" when the page has none."""
    found = re.search(r'<div class="error-summary".*?</div>', response.content.decode(), re.S)
    return found.group(0) if found else ""


def test_inbox_unknown_filter_value_is_bad_request(agent_client: Client, make_ticket):
    make_ticket()
    response = agent_client.get("/?status=whenever")
    assert response.status_code == 400
    assert "“whenever” is not a valid value." in error_summary(response)


def test_inbox_unknown_filter_value_lists_valid_values(agent_client: Client):
    response = agent_client.get("/?priority=someday")
    assert (
        "Valid values: low (Low), normal (Normal), high (High), urgent (Urgent)."
        in error_summary(response)
    )


def test_inbox_unknown_view_is_bad_request(agent_client: Client, make_ticket):
    make_ticket()
    response = agent_client.get("/?view=all&priority=normal&page=2")
    assert response.status_code == 400


def test_inbox_unknown_view_is_reported_on_the_page(agent_client: Client):
    summary = error_summary(agent_client.get("/?view=all&priority=normal&page=2"))
    assert "View: “all” is not a valid value." in summary
    assert (
        "Valid values: unassigned (Unassigned), mine (Mine), team (My teams), "
        "clients (My clients), open (All open)." in summary
    )


def test_inbox_invalid_filters_list_no_tickets(agent_client: Client, make_ticket):
    make_ticket(priority=Priority.NORMAL)
    make_ticket(priority=Priority.HIGH)
    response = agent_client.get("/?view=all&priority=normal")
    assert listed_numbers(response) == []
    assert "No tickets are listed, because these filters are invalid" in error_summary(response)


def test_inbox_invalid_filters_keep_valid_view(agent_client: Client):
    content = agent_client.get("/?view=mine&status=whenever").content.decode()
    assert '<input type="hidden" name="view" value="mine">' in content
    assert 'href="?view=mine" aria-current="page"' in content


def test_inbox_invalid_filters_tabs_drop_them(agent_client: Client):
    content = agent_client.get("/?view=mine&status=whenever").content.decode()
    assert 'href="?view=team"' in content
    assert "status=whenever" not in content.split("</nav>")[0]


def test_inbox_unknown_view_falls_back_to_open(agent_client: Client):
    content = agent_client.get("/?view=all").content.decode()
    assert '<input type="hidden" name="view" value="open">' in content
    assert '<a href="?view=open">clear all filters</a>' in content


def test_inbox_unknown_organization_is_reported(agent_client: Client):
    response = agent_client.get("/?organization=999999")
    assert response.status_code == 400
    assert "No organization has the ID “999999”." in error_summary(response)


def test_inbox_non_numeric_organization_is_reported(agent_client: Client):
    response = agent_client.get("/?organization=acme")
    assert response.status_code == 400
    assert "No organization has the ID “acme”." in error_summary(response)


def test_inbox_filters_matching_nothing_say_so(agent_client: Client, make_ticket):
    make_ticket(priority=Priority.NORMAL)
    content = agent_client.get("/?priority=urgent").content.decode()
    assert "<caption>0 tickets</caption>" in content
    assert "No tickets match." in content


def test_inbox_valid_filters_show_no_error_summary(agent_client: Client, make_ticket):
    make_ticket()
    response = agent_client.get("/?view=open&priority=normal")
    assert response.status_code == 200
    assert error_summary(response) == ""


def test_inbox_search_matches_subject(agent_client: Client, make_ticket):
    wanted = make_ticket(draft={"subject": "Payroll report is empty"})
    make_ticket()
    assert listed_numbers(agent_client.get("/?q=payroll")) == [wanted.number]


def test_inbox_search_matches_message_text(agent_client: Client, make_ticket):
    wanted = make_ticket("Since Monday the SAF-T file has no lines.")
    make_ticket()
    assert listed_numbers(agent_client.get("/?q=saf-t")) == [wanted.number]


@pytest.mark.parametrize("query", ["manha", "MANHÃ", "tentamos"])
def test_inbox_search_text_ignores_accents(agent_client: Client, make_ticket, query):
    expected = make_ticket("Desde esta manhã a exportação falha. Já tentámos reiniciar.")
    make_ticket()
    assert listed_numbers(agent_client.get("/", {"q": query})) == [expected.number]


def test_inbox_search_matches_later_message_once(agent_client: Client, agent: User, make_ticket):
    ticket = make_ticket()
    actions.add_note(ticket, author=agent, text="Customer uses the legacy connector.")
    actions.add_note(ticket, author=agent, text="Legacy connector again.")
    make_ticket()
    assert listed_numbers(agent_client.get("/?q=legacy+connector")) == [ticket.number]


@pytest.mark.parametrize(
    "query", ["bakery", "Bakery+Brothers", "dan@bakerybros", "Daniel", "daniel+pao", "PÃO"]
)
def test_inbox_search_matches_client(agent_client: Client, make_ticket, query):
    bakery = OrganizationFactory(name="Bakery Brothers")
    daniel = ContactFactory(name="Daniel Pão", organization=bakery, email="dan@bakerybros.example")
    expected = [make_ticket(contact=daniel).number, make_ticket(contact=daniel).number]
    make_ticket()
    assert sorted(listed_numbers(agent_client.get(f"/?q={query}"))) == expected


@pytest.mark.parametrize("query", ["wrong totals", "totals wrong", "totais errados"])
def test_inbox_search_finds_subject_words_in_any_order(agent_client: Client, make_ticket, query):
    # The message text contains none of the words, so only the subject can match.
    english = make_ticket(
        "See the attached screenshot.", draft={"subject": "Dashboard shows wrong totals"}
    )
    portuguese = make_ticket("Ver captura.", draft={"subject": "Painel mostra totais errados"})
    make_ticket()
    expected = english if query.startswith(("wrong", "totals")) else portuguese
    assert listed_numbers(agent_client.get("/", {"q": query})) == [expected.number]


def test_inbox_search_words_may_match_different_places(agent_client: Client, make_ticket):
    bakery = ContactFactory(name="Daniel Pão")
    wanted = make_ticket("The ovens stopped reporting.", contact=bakery)
    make_ticket("The ovens stopped reporting.")
    make_ticket(contact=bakery)
    assert listed_numbers(agent_client.get("/", {"q": "ovens daniel"})) == [wanted.number]


def test_inbox_search_matches_ticket_number(agent_client: Client, make_ticket):
    make_ticket()
    wanted = make_ticket()
    assert listed_numbers(agent_client.get(f"/?q=CS-{wanted.number}")) == [wanted.number]


def test_inbox_search_reference_ignores_text_quoting_it(agent_client: Client, make_ticket):
    named = make_ticket()
    make_ticket(text=f"About CS-{named.number}: still broken on the {named.number}th.")
    response = agent_client.get("/", {"q": f"cs-{named.number}"})
    assert listed_numbers(response) == [named.number]


def test_inbox_search_bare_number_also_matches_text(agent_client: Client, make_ticket):
    named = make_ticket()
    quoting = make_ticket(text=f"Invoice {named.number} is wrong.")
    response = agent_client.get("/", {"q": str(named.number)})
    assert sorted(listed_numbers(response)) == sorted([named.number, quoting.number])


def test_inbox_paginates_by_25(agent_client: Client, make_ticket):
    contact = ContactFactory()
    for _ in range(27):
        make_ticket(contact=contact)
    first = agent_client.get("/?view=open")
    second = agent_client.get("/?view=open&page=2")
    assert len(listed_numbers(first)) == 25
    assert len(listed_numbers(second)) == 2
    assert not set(listed_numbers(first)) & set(listed_numbers(second))


def test_inbox_page_links_keep_filters(agent_client: Client, make_ticket):
    contact = ContactFactory()
    for _ in range(26):
        make_ticket(contact=contact, priority=Priority.HIGH)
    response = agent_client.get("/?view=unassigned&priority=high")
    assert b'href="?view=unassigned&amp;priority=high&amp;page=2"' in response.content


def test_inbox_query_count_does_not_grow_with_rows(
    agent_client: Client, make_ticket, django_assert_max_num_queries
):
    for _ in range(25):
        make_ticket(contact=ContactFactory(organization=PremiumOrganizationFactory()))
    # Session, user, count, page, contact e-mails, organizations for the filter.
    with django_assert_max_num_queries(8):
        response = agent_client.get("/?view=open")
    assert len(listed_numbers(response)) == 25


def test_inbox_shows_plan_badge_and_assignee(agent_client: Client, agent: User, make_ticket):
    ticket = make_ticket(contact=ContactFactory(organization=PremiumOrganizationFactory()))
    actions.assign(ticket, actor=agent, assignee=agent)
    content = agent_client.get("/?view=mine").content.decode()
    assert '<span class="badge plan-premium">Premium</span>' in content
    assert "Ana Silva" in content


@pytest.mark.parametrize(("asked", "shown"), [("0", 1), ("-3", 1), ("abc", 1), ("99", 2)])
def test_inbox_page_number_out_of_range_gives_nearest(
    agent_client: Client, make_ticket, asked, shown
):
    contact = ContactFactory()
    for _ in range(27):
        make_ticket(contact=contact)
    response = agent_client.get("/", {"view": "open", "page": asked})
    assert response.context["page"].number == shown
