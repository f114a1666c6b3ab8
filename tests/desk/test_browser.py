"""The desk in a real Chromium, driven by Playwright against pytest-django's live server."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

from relaydesk.accounts.models import User
from relaydesk.tickets.drafts import AttachmentDraft
from tests.desk.test_html import HOSTILE

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4b00000000049454e44ae426082"
)

pytestmark = [
    pytest.mark.browser,
    # The live server reads from another thread, so the data must be committed;
    # serialized_rollback restores the plans that a data migration created.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin"),
]

# Playwright's sync API runs an event loop in this thread, so Django's guard
# against synchronous database access from async code must be lifted here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture
def browser() -> Iterator[object]:
    """A Chromium for one test.

    Playwright keeps an asyncio loop registered on this thread while it runs,
    and Django then gives ORM calls a different connection object, one that
    lacks the serialized data for ``serialized_rollback``. Stopping Playwright
    after each test lets the next test's database setup see the right one.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
        # Close that other connection too while it is still the one in use;
        # left open, it keeps the test database busy when pytest drops it.
        connections.close_all()


@pytest.fixture
def page(browser, live_server):
    """A page whose requests may reach only the live server; other hosts are recorded."""
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(5000)
    page.outside_requests = []

    def route(request_route, request) -> None:
        if request.url.startswith(live_server.url):
            request_route.continue_()
            return
        page.outside_requests.append(request.url)
        # Answer remote images locally so nothing leaves the machine.
        request_route.fulfill(status=200, content_type="image/png", body=PIXEL)

    page.route("**/*", route)
    yield page
    context.close()


def sign_in(page, live_server, agent: User) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(agent.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_browser_reply_and_switch_to_portuguese(page, live_server, agent: User, make_ticket):
    ticket = make_ticket(draft={"subject": "Invoice export fails"})
    sign_in(page, live_server, agent)

    page.get_by_role("link", name="Invoice export fails").click()
    page.wait_for_url(f"{live_server.url}/tickets/{ticket.number}/")
    page.get_by_label("Reply to the client").fill("Please try the export again now.")
    page.get_by_role("button", name="Send reply").click()

    page.wait_for_url(f"{live_server.url}/tickets/{ticket.number}/")
    conversation = page.locator("section.conversation article")
    assert conversation.count() == 2
    assert "Please try the export again now." in conversation.nth(1).inner_text()
    assert "Reply queued for sending to the client." in page.locator(".messages").inner_text()

    page.get_by_label("Language").select_option("pt-pt")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_url(f"{live_server.url}/tickets/{ticket.number}/")
    assert page.get_by_role("heading", name="Responder").is_visible()
    assert page.get_by_role("button", name="Guardar").is_visible()
    assert page.locator("html").get_attribute("lang") == "pt-pt"
    page.screenshot(path="/tmp/relaydesk-desk-ticket.png", full_page=True)


def test_browser_blocks_remote_images_until_asked(page, live_server, agent: User, make_ticket):
    logo = AttachmentDraft("logo.png", PIXEL, "image/png", content_id="<logo@client.example>")
    ticket = make_ticket(draft={"html": HOSTILE, "attachments": (logo,)})
    sign_in(page, live_server, agent)
    page.goto(f"{live_server.url}/tickets/{ticket.number}/")
    page.get_by_text("Show formatted version").click()
    frame = page.frame_locator("iframe.message-frame")
    frame.get_by_text("there").wait_for()
    inline_logo = frame.locator("img[alt=logo]")
    inline_logo.wait_for()
    page.wait_for_load_state("networkidle")
    assert inline_logo.evaluate("image => image.complete && image.naturalWidth") == 1
    assert page.outside_requests == []

    page.get_by_role("link", name="Load remote content").click()
    frame.locator("img[alt=pixel]").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.outside_requests == ["https://tracker.example/pixel.gif"]
