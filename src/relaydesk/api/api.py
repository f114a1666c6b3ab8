"""The relaydesk REST API: one NinjaAPI with its routers, auth and error handlers."""

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from relaydesk.api import customers, operations, tickets
from relaydesk.api.auth import AUTH
from relaydesk.api.parser import JsonParser
from relaydesk.api.problems import install_handlers
from relaydesk.api.query_names import reject_unknown_query_parameters

DESCRIPTION = """\
The REST API of relaydesk's front office: tickets, their messages, organizations
and contacts.

Authenticate with `Authorization: Bearer <token>` (create a token with
`relaydesk create-token --user NAME`) or, from the web UI, with the session
cookie and a CSRF token on unsafe methods.

Errors are RFC 9457 problem details (`application/problem+json`); branch on the
stable `code` field, because `detail` is translated.

A query parameter that an endpoint does not take is refused with 400
`unknown_query_parameter`, so a misspelt filter never returns the unfiltered
list.
"""


PROBLEM_MEDIA_TYPE = "application/problem+json"


class RelaydeskAPI(NinjaAPI):
    """The API, whose OpenAPI document gives errors the media type they are sent with."""

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(**kwargs)
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        response["content"] = {PROBLEM_MEDIA_TYPE: content["application/json"]}
        return schema


def build_api() -> NinjaAPI:
    api = RelaydeskAPI(
        title="relaydesk",
        version="1",
        description=DESCRIPTION,
        auth=AUTH,
        parser=JsonParser(),
        urls_namespace="api",
    )
    install_handlers(api)
    reject_unknown_query_parameters(api)
    api.add_router("", tickets.router)
    api.add_router("", customers.router)
    api.add_router("", operations.router)
    return api


api = build_api()
