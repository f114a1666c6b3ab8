"""The relaydesk REST API: one NinjaAPI with its routers, auth and error handlers."""

from ninja import NinjaAPI

from relaydesk.api import customers, operations, tickets
from relaydesk.api.auth import AUTH
from relaydesk.api.problems import install_handlers

DESCRIPTION = """\
The REST API of relaydesk's front office: tickets, their messages, organizations
and contacts.

Authenticate with `Authorization: Bearer <token>` (create a token with
`relaydesk create-token --user NAME`) or, from the web UI, with the session
cookie and a CSRF token on unsafe methods.

Errors are RFC 9457 problem details (`application/problem+json`); branch on the
stable `code` field, because `detail` is translated.
"""


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="relaydesk",
        version="1",
        description=DESCRIPTION,
        auth=AUTH,
        urls_namespace="api",
    )
    install_handlers(api)
    api.add_router("", tickets.router)
    api.add_router("", customers.router)
    api.add_router("", operations.router)
    return api


api = build_api()
