"""The escalation path in a real Chromium: Customer Service and Production Operations.

Reuses the Chromium fixtures of tests/desk/test_browser.py.
"""

import re

import pytest

from relaydesk.accounts.models import User
from relaydesk.operations import actions
from tests.desk.test_browser import CHROMIUM, browser, page, sign_in  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    # The live server reads from another thread, so the data must be committed;
    # serialized_rollback restores the plans that a data migration created.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin"),
]


@pytest.fixture
def po_page(browser):  # noqa: F811
    """A second browser context, so two agents are signed in at once."""
    context = browser.new_context(locale="en-GB")
    second = context.new_page()
    second.set_default_timeout(5000)
    yield second
    context.close()


def test_browser_escalate_then_apply_known_error(
    page,  # noqa: F811
    po_page,
    live_server,
    make_ticket,
    cs_agent: User,
    po_agent: User,
):
    ticket = make_ticket(draft={"subject": "Invoice export fails"})
    actions.create_known_error(
        actor=po_agent,
        title="Invoice export times out for large months",
        symptoms="The invoice export never finishes",
        workaround_clients="Export one week at a time until the fix ships.",
    )
    ticket_url = f"{live_server.url}/tickets/{ticket.number}/"

    sign_in(page, live_server, cs_agent)
    page.goto(ticket_url)
    page.get_by_label("Summary").fill("Invoice export times out")
    page.get_by_label("Impact").select_option("high")
    page.get_by_role("checkbox", name=re.compile("invoice export fails")).check()
    page.get_by_role("button", name="Escalate").click()
    page.wait_for_url(f"{ticket_url}#case-heading")
    assert "Ticket escalated to incident PO-1." in page.locator(".messages").inner_text()

    sign_in(po_page, live_server, po_agent)
    po_page.get_by_role("link", name="Triage", exact=True).click()
    po_page.get_by_role("link", name="PO-1").click()
    po_page.get_by_role("button", name="Start triage").click()
    po_page.wait_for_load_state()
    assert "Triage started." in po_page.locator(".messages").inner_text()
    po_page.get_by_role("button", name="Apply KE-1").click()
    po_page.wait_for_load_state()
    assert "Known error KE-1 applied" in po_page.locator(".messages").inner_text()
    po_page.screenshot(path="/tmp/relaydesk-desk-incident.png", full_page=True)

    page.goto(ticket_url)
    panel = page.locator(".case-panel")
    assert "Export one week at a time until the fix ships." in panel.inner_text()
    current = panel.locator('[aria-current="step"]')
    # The workaround starts no stage: the incident is still in triage.
    assert current.locator(".stage-name").inner_text() == "Triage"
    assert panel.locator(".stage-done").count() == 1
    assert page.get_by_role("button", name="Send to the client").is_visible()
    page.screenshot(path="/tmp/relaydesk-desk-case.png", full_page=True)
