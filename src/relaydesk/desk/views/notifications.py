"""The signed-in agent's notifications, such as SLA targets at risk."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from relaydesk.core import clock
from relaydesk.desk.access import agent_required
from relaydesk.desk.views.inbox import paginate
from relaydesk.sla import notifications


@agent_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, notifications.notifications_for(request.user))
    return render(request, "desk/notifications.html", {"page": page})


@agent_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    changed = notifications.mark_all_read(request.user, now=clock.now())
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked as read.",
            "%(count)d notifications marked as read.",
            changed,
        )
        % {"count": changed},
    )
    return redirect("desk:notifications")
