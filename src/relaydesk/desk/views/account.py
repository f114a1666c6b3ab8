"""Signing in and out, and choosing the desk's language."""

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods
from django.views.i18n import set_language

from relaydesk.desk.access import language_code_for
from relaydesk.desk.html import page_policy


class LoginView(auth_views.LoginView):
    template_name = "desk/login.html"
    redirect_authenticated_user = True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().dispatch(request, *args, **kwargs)
        response["Content-Security-Policy"] = page_policy(allow_remote=False)
        return response


class LogoutView(auth_views.LogoutView):
    """Sign out on POST only, so a link cannot sign an agent out.

    A GET, from an address typed in or bookmarked, goes to the inbox instead
    of an empty 405 page. The inbox sends a signed-out visitor to the login.
    """

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return redirect("desk:inbox")


@require_http_methods(["GET", "POST"])
def switch_language(request: HttpRequest) -> HttpResponse:
    """Set the language cookie and, for a signed-in agent, their saved locale too.

    The header's language form posts here; a GET goes to the inbox.
    """
    if request.method == "GET":
        return redirect("desk:inbox")
    language = language_code_for(request.POST.get("language", ""))
    if language is not None and request.user.is_authenticated:
        request.user.locale = language
        request.user.save(update_fields=["locale"])
    return set_language(request)
