from django.urls import path

from relaydesk.desk.views import account, customers, files, inbox, ticket, ticket_actions

app_name = "desk"
urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("login/", account.LoginView.as_view(), name="login"),
    path("logout/", account.LogoutView.as_view(), name="logout"),
    path("language/", account.switch_language, name="language"),
    path("tickets/<int:number>/", ticket.ticket_detail, name="ticket"),
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
    path("contacts/", customers.contact_list, name="contacts"),
    path("contacts/<int:contact_id>/", customers.contact_detail, name="contact"),
]
