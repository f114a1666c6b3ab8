import html as html_module
import re

import pytest
from django.test import Client

from relaydesk.channels.email.sanitize import sanitize_html
from relaydesk.desk.html import frame_policy, page_policy, sanitize
from relaydesk.tickets import actions
from relaydesk.tickets.drafts import AttachmentDraft
from tests.desk.conftest import inbound_draft

pytestmark = pytest.mark.django_db

HOSTILE = (
    '<p onclick="steal()">Hello <b>there</b></p>'
    "<script>document.cookie</script>"
    '<img src="x" onerror="alert(1)">'
    '<a href="javascript:alert(2)">click</a>'
    '<a href="https://help.example/faq">faq</a>'
    '<img src="https://tracker.example/pixel.gif" alt="pixel">'
    '<img src="cid:logo@client.example" alt="logo">'
    '<iframe src="https://evil.example/"></iframe>'
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_sanitize_removes_scripts_and_handlers():
    safe = sanitize(HOSTILE, cid_urls={}, allow_remote=False).html
    assert "<script" not in safe
    assert "document.cookie" not in safe
    assert "onerror" not in safe
    assert "onclick" not in safe
    assert "javascript:" not in safe
    assert "<iframe" not in safe
    assert "<b>there</b>" in safe


def test_sanitize_keeps_web_links_with_noopener():
    safe = sanitize(HOSTILE, cid_urls={}, allow_remote=False).html
    assert '<a href="https://help.example/faq" rel="noopener noreferrer nofollow">faq</a>' in safe


def test_sanitize_blocks_remote_images_by_default():
    safe = sanitize(HOSTILE, cid_urls={}, allow_remote=False)
    assert "tracker.example" not in safe.html
    assert safe.has_remote_images


def test_sanitize_keeps_remote_images_when_allowed():
    safe = sanitize(HOSTILE, cid_urls={}, allow_remote=True)
    assert 'src="https://tracker.example/pixel.gif"' in safe.html


def test_sanitize_offers_stored_remote_images():
    stored = sanitize_html(HOSTILE)
    assert 'data-remote-src="https://tracker.example/pixel.gif"' in stored
    blocked = sanitize(stored, cid_urls={}, allow_remote=False)
    assert "tracker.example" not in blocked.html
    assert blocked.has_remote_images
    loaded = sanitize(stored, cid_urls={}, allow_remote=True).html
    assert '<img src="https://tracker.example/pixel.gif" alt="pixel">' in loaded


def test_sanitize_blocks_protocol_relative_images():
    safe = sanitize('<img src="//tracker.example/p.gif">', cid_urls={}, allow_remote=False)
    assert "tracker.example" not in safe.html
    assert safe.has_remote_images


def test_sanitize_rewrites_cid_images():
    safe = sanitize(HOSTILE, cid_urls={"logo@client.example": "/inline/7/"}, allow_remote=False)
    assert '<img src="/inline/7/" alt="logo">' in safe.html


def test_sanitize_drops_unknown_cid_and_relative_sources():
    safe = sanitize(
        '<img src="cid:missing"><img src="/logout/">', cid_urls={}, allow_remote=False
    ).html
    assert "missing" not in safe
    assert "/logout/" not in safe


def test_sanitize_keeps_data_images_only():
    safe = sanitize(
        '<img src="data:image/png;base64,iVBORw0KGgo=">'
        '<img src="data:text/html;base64,PHNjcmlwdD4=">'
        '<a href="data:text/html,hi">x</a>',
        cid_urls={},
        allow_remote=False,
    ).html
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in safe
    assert "data:text/html" not in safe


def test_frame_policy_blocks_remote_images_by_default():
    assert "img-src 'self' data:;" in frame_policy(allow_remote=False)
    assert "https:" in frame_policy(allow_remote=True)


def test_page_policy_blocks_remote_images_by_default():
    policy = page_policy(allow_remote=False)
    assert "img-src 'self' data:;" in policy
    assert "http" not in policy


def frame_documents(content: str) -> list[str]:
    """Return the unescaped srcdoc documents of the page's message frames."""
    return [html_module.unescape(doc) for doc in re.findall(r'srcdoc="([^"]*)"', content)]


def test_ticket_page_renders_hostile_html_inert(agent_client: Client, make_ticket):
    ticket = make_ticket(
        draft={
            "html": HOSTILE,
            "attachments": (
                AttachmentDraft("logo.png", PNG, "image/png", content_id="<logo@client.example>"),
            ),
        }
    )
    response = agent_client.get(f"/tickets/{ticket.number}/")
    content = response.content.decode()
    [document] = frame_documents(content)
    attachment = ticket.messages.get().attachments.get()
    assert "<script" not in document
    assert "onerror" not in document
    assert "javascript:" not in document
    assert "tracker.example" not in document
    assert f'src="/tickets/{ticket.number}/attachments/{attachment.pk}/inline/"' in document
    assert 'sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"' in content
    assert "allow-scripts" not in content
    assert "http" not in response["Content-Security-Policy"]
    assert "Load remote content" in content


def test_ticket_page_loads_remote_images_for_one_message(agent_client: Client, agent, make_ticket):
    # Stored as intake stores it, the remote URL set aside in data-remote-src.
    stored = sanitize_html(HOSTILE)
    ticket = make_ticket(draft={"html": stored})
    first = ticket.messages.get()
    actions.add_client_message(ticket, inbound_draft("again", html=stored))
    response = agent_client.get(f"/tickets/{ticket.number}/?remote={first.pk}")
    content = response.content.decode()
    assert content.count("Load remote content") == 1
    loaded, blocked = frame_documents(content)
    assert "https://tracker.example/pixel.gif" in loaded
    assert "https://tracker.example/pixel.gif" not in blocked
    assert "img-src 'self' data: https: http:" in response["Content-Security-Policy"]
