"""Plain Django views of the API package."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from relaydesk.api.problems import problem_response


def unknown_endpoint(request: HttpRequest) -> HttpResponse:
    return problem_response(
        request,
        status=404,
        code="not_found",
        detail=_("No API endpoint at %(path)s: see /api/docs.") % {"path": request.path},
    )
