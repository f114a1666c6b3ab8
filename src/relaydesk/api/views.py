"""Plain Django views of the API package and a wrapper for ninja's views."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from relaydesk.api.api import api
from relaydesk.api.problems import problem_response

View = Callable[..., Any]


# An unknown path changes nothing, so CSRF protection has nothing to guard.
# Without the exemption, a POST to one got Django's HTML 403 page.
@csrf_exempt
def unknown_endpoint(request: HttpRequest) -> HttpResponse:
    return problem_response(
        request,
        status=404,
        code="not_found",
        detail=_("No API endpoint at %(path)s: see /api/docs.") % {"path": request.path},
    )


def problem_for_not_allowed(view: View) -> View:
    """Wrap a ninja path view so a 405 is a problem response too.

    ninja returns a plain-text 405 for a method that a path does not serve,
    before any exception handler runs, so the handlers cannot shape it.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        allowed = response["Allow"]
        problem = problem_response(
            request,
            status=405,
            code="method_not_allowed",
            detail=_("Method %(method)s is not allowed here: use %(allowed)s.")
            % {"method": request.method, "allowed": allowed},
        )
        problem["Allow"] = allowed
        return problem

    return wrapper


# Exempt from CSRF like unknown_endpoint, so that a POST gets a problem 405.
@csrf_exempt
@problem_for_not_allowed
@require_safe
def api_root(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """Return the API's name, its version and the addresses of its documentation."""
    return JsonResponse(
        {
            "title": api.title,
            "version": api.version,
            "docs": reverse("api:openapi-view"),
            "openapi": reverse("api:openapi-json"),
        }
    )
