"""Reject query parameters that an endpoint does not accept.

ninja reads the query parameters an endpoint declares and silently ignores
the rest. A client that misspells a filter (``?stauts=open``) would get the
unfiltered list and take it for the filtered one. relaydesk returns 400
``unknown_query_parameter`` instead, naming the parameter and the ones the
endpoint accepts.

Two decorators do this because ninja applies them at different moments. The
view decorator receives the operation, and so the names it declares. The
operation decorator runs after authentication, so a client without a token
still gets 401 first.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from relaydesk.api.errors import UnknownQueryParameter
from relaydesk.api.problems import MAX_ECHOED_VALUE

_UNKNOWN_NAMES_ATTRIBUTE = "relaydesk_unknown_query_names"
_ALLOWED_NAMES_ATTRIBUTE = "relaydesk_allowed_query_names"


def declared_query_names(models: list[Any]) -> frozenset[str]:
    """Return the query parameter names that an operation's parameter models read."""
    names: set[str] = set()
    for model in models:
        if getattr(model, "__ninja_param_source__", None) != "query":
            continue
        flatten_map = getattr(model, "__ninja_flatten_map__", None)
        if flatten_map:
            names.update(flatten_map)
        else:
            names.update(field.alias or name for name, field in model.model_fields.items())
    return frozenset(names)


def _note_unknown_names(run: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an operation's ``run`` to note, on the request, the query names it does not accept."""
    operation = getattr(run, "__self__", None)
    if operation is None:
        return run
    allowed = declared_query_names(operation.models)

    @wraps(run)
    def noted(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        unknown = sorted(set(request.GET) - allowed)
        if unknown:
            setattr(request, _UNKNOWN_NAMES_ATTRIBUTE, unknown)
            setattr(request, _ALLOWED_NAMES_ATTRIBUTE, sorted(allowed))
        return run(request, *args, **kwargs)

    return noted


def _reject_unknown_names(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an endpoint to reject the request if ``_note_unknown_names`` found names."""

    @wraps(view)
    def rejecting(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        unknown = getattr(request, _UNKNOWN_NAMES_ATTRIBUTE, None)
        if unknown:
            raise UnknownQueryParameter(
                _unknown_detail(unknown, getattr(request, _ALLOWED_NAMES_ATTRIBUTE, [])),
                errors=[_field_error(request, name) for name in unknown],
            )
        return view(request, *args, **kwargs)

    return rejecting


def _field_error(request: HttpRequest, name: str) -> dict[str, str]:
    return {
        "field": name,
        "location": "query",
        "message": _("This endpoint accepts no query parameter of this name."),
        "type": "unknown_parameter",
        "value": request.GET.get(name, "")[:MAX_ECHOED_VALUE],
    }


def _unknown_detail(unknown: list[str], allowed: list[str]) -> str:
    names = ", ".join(unknown)
    if not allowed:
        return _("This endpoint accepts no query parameters: remove %(names)s from the URL.") % {
            "names": names
        }
    return _(
        "Unknown query parameter %(names)s: this endpoint accepts %(allowed)s. "
        "Check the spelling against /api/docs."
    ) % {"names": names, "allowed": ", ".join(allowed)}


def reject_unknown_query_parameters(api: NinjaAPI) -> None:
    """Make every operation of ``api`` reject query parameters it does not declare."""
    api.add_decorator(_note_unknown_names, mode="view")
    api.add_decorator(_reject_unknown_names, mode="operation")
