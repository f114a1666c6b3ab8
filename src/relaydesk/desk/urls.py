from django.urls import URLPattern, path, re_path

from relaydesk.desk.views import (
    account,
    changes,
    customers,
    escalation,
    files,
    inbox,
    incidents,
    known_errors,
    notifications,
    references,
    ticket,
    ticket_actions,
)


def reference(path_prefix: str, reference_prefix: str, url_name: str) -> URLPattern:
    """Route ``PATH_PREFIX/<reference>-<n>/`` (any case, up to 18 digits) to page ``url_name``.

    Django rejects the ``(?i)`` flag in URL patterns, so each letter becomes a
    class of its two cases.
    """
    letters = "".join(f"[{letter.upper()}{letter.lower()}]" for letter in reference_prefix)
    return re_path(
        rf"^{path_prefix}/{letters}-(?P<number>[0-9]{{1,18}})/\Z",
        references.reference_redirect,
        {"url_name": url_name},
    )


app_name = "desk"
urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("login/", account.LoginView.as_view(), name="login"),
    path("logout/", account.LogoutView.as_view(), name="logout"),
    path("language/", account.switch_language, name="language"),
    path("tickets/<int:number>/", ticket.ticket_detail, name="ticket"),
    reference("tickets", "CS", "desk:ticket"),
    reference("operations/incidents", "PO", "desk:incident"),
    reference("operations/known-errors", "KE", "desk:known_error"),
    reference("operations/changes", "CHG", "desk:change"),
    path("tickets/<int:number>/reply/", ticket_actions.reply, name="reply"),
    path("tickets/<int:number>/note/", ticket_actions.note, name="note"),
    path("tickets/<int:number>/assign/", ticket_actions.assign, name="assign"),
    path("tickets/<int:number>/status/", ticket_actions.change_status, name="status"),
    path("tickets/<int:number>/priority/", ticket_actions.change_priority, name="priority"),
    path(
        "tickets/<int:number>/attachments/<int:attachment_id>/",
        files.attachment_download,
        name="attachment",
    ),
    path(
        "tickets/<int:number>/attachments/<int:attachment_id>/inline/",
        files.attachment_inline,
        name="attachment_inline",
    ),
    path(
        "tickets/<int:number>/messages/<int:message_id>/source/",
        files.message_source,
        name="message_source",
    ),
    path("organizations/", customers.organization_list, name="organizations"),
    path(
        "organizations/<int:organization_id>/",
        customers.organization_detail,
        name="organization",
    ),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.mark_all_read, name="notifications_read"),
    path("contacts/", customers.contact_list, name="contacts"),
    path("contacts/<int:contact_id>/", customers.contact_detail, name="contact"),
    # The escalation path: the ticket page's case block, then the back office.
    path("tickets/<int:number>/escalate/", escalation.escalate, name="escalate"),
    path("tickets/<int:number>/link-incident/", escalation.link_incident, name="link_incident"),
    path("tickets/<int:number>/inform-client/", escalation.inform_client, name="inform_client"),
    path("operations/triage/", incidents.triage_queue, name="triage"),
    path("operations/incidents/", incidents.incident_list, name="incidents"),
    path("operations/incidents/<int:number>/", incidents.incident_detail, name="incident"),
    path(
        "operations/incidents/<int:number>/triage/",
        incidents.start_triage,
        name="incident_triage",
    ),
    path(
        "operations/incidents/<int:number>/apply-known-error/",
        incidents.apply_known_error,
        name="incident_apply_known_error",
    ),
    path(
        "operations/incidents/<int:number>/assign/",
        incidents.assign,
        name="incident_assign",
    ),
    path(
        "operations/incidents/<int:number>/transfer/",
        incidents.transfer,
        name="incident_transfer",
    ),
    path(
        "operations/incidents/<int:number>/request-change/",
        incidents.request_change,
        name="incident_request_change",
    ),
    path("operations/incidents/<int:number>/close/", incidents.close, name="incident_close"),
    path("operations/known-errors/", known_errors.known_error_list, name="known_errors"),
    path("operations/known-errors/new/", known_errors.known_error_create, name="known_error_new"),
    path(
        "operations/known-errors/<int:number>/",
        known_errors.known_error_detail,
        name="known_error",
    ),
    path("operations/changes/", changes.change_list, name="changes"),
    path("operations/changes/new/", changes.change_create, name="change_new"),
    path("operations/changes/<int:number>/", changes.change_detail, name="change"),
    path("operations/changes/<int:number>/deployments/", changes.deploy, name="change_deploy"),
    path(
        "operations/changes/<int:number>/test-results/",
        changes.record_test_result,
        name="change_test_result",
    ),
    path("operations/environments/", changes.environment_list, name="environments"),
]
