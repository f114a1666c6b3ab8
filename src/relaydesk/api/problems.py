"""Error responses as RFC 9457 problem details (``application/problem+json``).

Every error the API returns has the same shape: ``type``, ``title``,
``status``, ``detail``, ``instance`` and relaydesk's stable ``code``, plus
``errors`` (one entry per invalid field) for validation errors. Clients should
branch on ``code``; ``detail`` is translated and may change wording.
"""

import json
import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from relaydesk.api.errors import MalformedJson, RequestTooLarge, Unauthenticated
from relaydesk.core.errors import DomainError

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"

# Set on the request by the token authenticator when a token was sent but
# rejected, so the 401 response adds error="invalid_token" (RFC 6750).
TOKEN_REJECTED_ATTRIBUTE = "relaydesk_token_rejected"

_GENERIC_CODES = {
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "throttled",
}


class FieldError(Schema):
    """One invalid field of a request."""

    field: str
    location: str
    message: str
    type: str
    value: str | None = Field(None, description="The rejected value of a query parameter, as sent.")


class Problem(Schema):
    """An RFC 9457 problem details object with relaydesk's stable ``code``."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str
    errors: list[FieldError] | None = None
    opens_at: str | None = Field(
        None, description="For support_line_closed: when the line opens, ISO 8601 in UTC."
    )
    notice: str | None = Field(
        None,
        description=(
            "For support_line_closed: a sentence for the client, in the contact's language, "
            "saying when the line opens."
        ),
    )
    channel: str | None = Field(None, description="For channel_not_in_plan: the channel used.")
    allowed_channels: list[str] | None = Field(
        None, description="For channel_not_in_plan: the channels the plan includes."
    )
    ticket_status: str | None = Field(
        None, description="For invalid_status_transition: the ticket's current status."
    )
    allowed_statuses: list[str] | None = Field(
        None,
        description=(
            "For invalid_status_transition: the statuses the ticket may be moved to by hand "
            "from its current one (empty while it is escalated)."
        ),
    )


def problem_response(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    members: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        # A URN names the problem type without promising a page to fetch.
        "type": f"urn:relaydesk:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": str(detail),
        "code": code,
        "instance": request.get_full_path(),
    }
    if errors is not None:
        body["errors"] = errors
    body.update(members or {})
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_CONTENT_TYPE
    )
    if status == 401:
        response["WWW-Authenticate"] = _www_authenticate(request)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def install_handlers(api: NinjaAPI) -> None:
    """Register handlers that turn every error of ``api`` into a problem response."""
    api.add_exception_handler(DomainError, _domain_error)
    api.add_exception_handler(ValidationError, _validation_error)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(RequestDataTooBig, _too_large)
    api.add_exception_handler(Exception, _unexpected_error)


def field_errors(errors: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """Turn ninja's pydantic error entries into ``FieldError`` dicts."""
    result = []
    for error in errors:
        location, *path = (str(part) for part in error.get("loc", ("body",)))
        if _starts_with_parameter_name(location, path):
            path = path[1:]
        result.append(
            {
                "field": ".".join(path) or location,
                "location": location,
                "message": str(error.get("msg", "")).removeprefix("Value error, "),
                "type": str(error.get("type", "")),
            }
        )
    return result


# Longer rejected values are cut, so a problem never echoes a long parameter.
MAX_ECHOED_VALUE = 200


def _add_query_values(request: HttpRequest, errors: list[dict[str, str]]) -> None:
    """Add the rejected ``value`` to each query parameter error, read from the URL.

    ninja drops pydantic's input from its errors, so the value comes from the
    query string: ``status.1`` is the second ``status`` parameter. Body
    errors get none, because a body value may be large or nested.
    """
    for error in errors:
        if error["location"] != "query":
            continue
        name, _dot, index = error["field"].partition(".")
        values = request.GET.getlist(name)
        position = int(index) if index.isdigit() else 0
        if position < len(values):
            error["value"] = values[position][:MAX_ECHOED_VALUE]


def _starts_with_parameter_name(location: str, path: list[str]) -> bool:
    """Tell whether ninja put the view's parameter name (``payload``) before the field.

    ninja does so for every body error, and for query errors it cannot map
    back to a flat query parameter, such as one item of a repeated parameter:
    ``("query", "filters", "status", 0)``. Clients never see those names.
    """
    if location == "body":
        return bool(path)
    return len(path) >= 2 and not path[1].isdigit()


def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    logger.info("api request rejected", extra={"code": exc.code, "path": request.path})
    return problem_response(
        request,
        status=exc.status,
        code=exc.code,
        detail=exc.message,
        members=exc.problem_members(),
        headers=exc.problem_headers(),
    )


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = field_errors(exc.errors)
    _add_query_values(request, errors)
    names = ", ".join(error["field"] for error in errors)
    return problem_response(
        request,
        status=422,
        code="invalid_request",
        detail=_("The request has invalid fields: %(fields)s.") % {"fields": names},
        errors=errors,
    )


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        return _domain_error(request, Unauthenticated(_authentication_detail(request)))
    if isinstance(exc.__cause__, DomainError):
        # Raised by the body parser, which ninja wraps in a plain 400 HttpError.
        return _domain_error(request, exc.__cause__)
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        # ninja wraps the JSON parser's error in a plain 400 HttpError.
        return _domain_error(request, MalformedJson(_malformed_json_detail(exc.__cause__)))
    code = _GENERIC_CODES.get(exc.status_code, "http_error")
    return problem_response(request, status=exc.status_code, code=code, detail=exc.message)


def _malformed_json_detail(error: ValueError) -> str:
    """Return the detail for a body that is not JSON, with the position if the parser gives one."""
    if isinstance(error, json.JSONDecodeError):
        return _(
            "The request body is not valid JSON: %(problem)s at line %(line)d, column "
            "%(column)d. Send a UTF-8 JSON object."
        ) % {"problem": error.msg, "line": error.lineno, "column": error.colno}
    if isinstance(error, UnicodeDecodeError):
        return _(
            "The request body is not UTF-8: byte %(byte)s at position %(position)d. "
            "Send a UTF-8 JSON object."
        ) % {"byte": f"0x{error.object[error.start]:02x}", "position": error.start}
    return _("The request body is not valid JSON: send a UTF-8 JSON object.")


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(
        request, status=404, code="not_found", detail=_("No such resource: check the URL.")
    )


def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _domain_error(
        request,
        RequestTooLarge(
            _("The request body is larger than %(limit)s bytes: send less data.")
            % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        ),
    )


def _unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("api request failed", exc_info=exc, extra={"path": request.path})
    return problem_response(
        request,
        status=500,
        code="internal_error",
        detail=_("relaydesk failed to handle the request; the error is logged."),
    )


def _authentication_detail(request: HttpRequest) -> str:
    if getattr(request, TOKEN_REJECTED_ATTRIBUTE, False):
        return _(
            "The bearer token is unknown or revoked, or its user is inactive: "
            "create a new token with 'relaydesk create-token'."
        )
    return _("Authentication is required: send 'Authorization: Bearer <token>' or sign in.")


def _www_authenticate(request: HttpRequest) -> str:
    if getattr(request, TOKEN_REJECTED_ATTRIBUTE, False):
        return 'Bearer realm="relaydesk", error="invalid_token"'
    return 'Bearer realm="relaydesk"'
