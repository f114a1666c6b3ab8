"""The API's body parser: JSON bodies, sent with a JSON Content-Type."""

import json
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.parser import Parser

from relaydesk.api.errors import UnsupportedMediaType


def is_json_media_type(content_type: str) -> bool:
    """Tell whether ``content_type`` (without parameters) is application/json or ``+json``."""
    kind, _slash, subtype = content_type.strip().lower().partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


class JsonParser(Parser):
    """Read bodies as JSON, refusing those sent with another media type.

    A body sent as text/plain or as a form would otherwise be read as JSON
    all the same, which hides a client's mistake until the day it sends
    something that is not.
    """

    def parse_body(self, request: HttpRequest) -> Any:
        content_type = request.content_type or ""
        if not content_type:
            raise UnsupportedMediaType(
                _(
                    "The request has a body but no Content-Type: send it with "
                    "Content-Type: application/json."
                )
            )
        if not is_json_media_type(content_type):
            raise UnsupportedMediaType(
                _(
                    "Content type %(value)r is not JSON: send the body with "
                    "Content-Type: application/json."
                )
                % {"value": content_type}
            )
        return json.loads(request.body)
