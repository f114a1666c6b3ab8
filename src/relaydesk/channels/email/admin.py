"""The e-mail quarantine in the administration pages: the reasons, with retry and discard.

Administrators see here what ``relaydesk reprocess-quarantine --list``
prints, open one message with its headers and reason, download its raw
source, and retry or discard messages, without a shell on the server. Both
go through ``channels.email.quarantine``, as the command does.
"""

import logging
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from relaydesk.accounts.admin_site import AdminRoleModelAdmin, site
from relaydesk.channels.email import quarantine
from relaydesk.channels.email.models import QuarantinedMessage, RawMessage, RawState, Source
from relaydesk.channels.email.parse import decode_header_text

logger = logging.getLogger(__name__)

# A retry from the pages runs inside the request, so it takes at most this
# many messages. reprocess-quarantine retries any number.
MAX_RETRIED_PER_REQUEST = 200

# Headers shown on a quarantined message's page, so that an administrator can
# tell whose message it is without downloading it.
SHOWN_HEADERS = ("From", "To", "Cc", "Subject", "Date", "Message-ID")


class ReasonFilter(admin.SimpleListFilter):
    title = _("reason")
    parameter_name = "error_code"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        codes = quarantine.quarantined().order_by().values_list("error_code", flat=True)
        return [(code, quarantine.describe(code)) for code in sorted(set(codes))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(error_code=self.value()) if self.value() else queryset


class SourceFilter(admin.SimpleListFilter):
    title = _("source")
    parameter_name = "source"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in Source.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(source=self.value()) if self.value() else queryset


@admin.register(QuarantinedMessage, site=site)
class QuarantinedMessageAdmin(AdminRoleModelAdmin):
    list_display = ["id", "received", "origin", "reason_code", "why"]
    list_display_links = ["id", "received"]
    list_filter = [ReasonFilter, SourceFilter]
    search_fields = ["source_ref", "envelope_from", "message_id", "error_code"]
    ordering = ["-received_at", "-id"]
    actions = ["retry_selected", "discard_selected"]
    fields = [
        "received",
        "source_label",
        "origin",
        "envelope_sender",
        "envelope_recipients",
        "headers",
        "size_in_bytes",
        "reason_code",
        "why",
        "full_reason",
        "tries",
        "raw_source",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[RawMessage]:
        # The list never needs the raw bytes, which may be megabytes per row.
        return super().get_queryset(request).filter(state=RawState.QUARANTINED).defer("content")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A quarantined message is discarded, never deleted: nothing received is lost.
        return False

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # The buttons above a message run the list's actions on that message alone.
        buttons = [
            ("retry_selected", _("Retry this message")),
            ("discard_selected", _("Discard this message")),
        ]
        extra_context = {**(extra_context or {}), "message_actions": buttons}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self) -> list[Any]:
        raw_view = self.admin_site.admin_view(self.raw_view)
        return [
            path("<int:object_id>/raw/", raw_view, name="email_quarantinedmessage_raw"),
            *super().get_urls(),
        ]

    def raw_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Send the message's raw source as an .eml download."""
        raw = get_object_or_404(quarantine.quarantined(), pk=object_id)
        response = HttpResponse(bytes(raw.content), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="quarantined-{raw.pk}.eml"'
        return response

    @admin.display(description=_("Received"), ordering="received_at")
    def received(self, raw: RawMessage) -> str:
        return date_format(localtime(raw.received_at), "DATETIME_FORMAT")

    @admin.display(description=_("Reason code"), ordering="error_code")
    def reason_code(self, raw: RawMessage) -> str:
        return raw.error_code

    @admin.display(description=_("Attempts"))
    def tries(self, raw: RawMessage) -> int:
        return raw.attempts

    @admin.display(description=_("Source"), ordering="source")
    def source_label(self, raw: RawMessage) -> str:
        return raw.get_source_display()

    @admin.display(description=_("Origin"))
    def origin(self, raw: RawMessage) -> str:
        return raw.source_ref or raw.envelope_from or ""

    @admin.display(description=_("Envelope sender"))
    def envelope_sender(self, raw: RawMessage) -> str:
        return raw.envelope_from

    @admin.display(description=_("Envelope recipients"))
    def envelope_recipients(self, raw: RawMessage) -> str:
        return ", ".join(raw.envelope_to or [])

    @admin.display(description=_("Reason"))
    def why(self, raw: RawMessage) -> str:
        return quarantine.describe(raw.error_code)

    @admin.display(description=_("Details"))
    def full_reason(self, raw: RawMessage) -> str:
        return format_html("<pre>{}</pre>", raw.error_detail)

    @admin.display(description=_("Size in bytes"))
    def size_in_bytes(self, raw: RawMessage) -> int:
        return raw.size

    @admin.display(description=_("Headers"))
    def headers(self, raw: RawMessage) -> str:
        parsed = BytesHeaderParser(policy=compat32).parsebytes(bytes(raw.content))
        lines = [
            f"{name}: {decode_header_text(str(value))}"
            for name in SHOWN_HEADERS
            for value in parsed.get_all(name) or []
        ]
        return format_html("<pre>{}</pre>", "\n".join(lines))

    @admin.display(description=_("Raw source"))
    def raw_source(self, raw: RawMessage) -> str:
        url = reverse("admin:email_quarantinedmessage_raw", args=[raw.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download the message as received"))

    @admin.action(description=_("Retry the selected messages"))
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[RawMessage]) -> None:
        selected = queryset.count()
        if selected > MAX_RETRIED_PER_REQUEST:
            logger.info(
                "quarantine retry rejected: too many messages selected",
                extra={"selected": selected, "limit": MAX_RETRIED_PER_REQUEST},
            )
            self.message_user(
                request,
                _(
                    "%(count)d messages are selected, and the pages retry at most %(limit)d at "
                    "a time: select fewer, or run 'relaydesk reprocess-quarantine' on the server."
                )
                % {"count": selected, "limit": MAX_RETRIED_PER_REQUEST},
                messages.ERROR,
            )
            return
        report = quarantine.retry(queryset.values_list("pk", flat=True))
        retried = report.counts["retried"]
        still_quarantined = report.counts["still_quarantined"]
        for raw in QuarantinedMessage.objects.filter(pk__in=report.retried_ids):
            # The admin's history shows each retry, and a processed message leaves the list.
            stays = raw.pk in report.still_quarantined_ids
            outcome = _("Retried: still quarantined") if stays else _("Retried: processed")
            self.log_change(request, raw, str(outcome))
        self.message_user(
            request,
            ngettext(
                "%(retried)d message retried: %(done)d processed, %(held)d still quarantined.",
                "%(retried)d messages retried: %(done)d processed, %(held)d still quarantined.",
                retried,
            )
            % {
                "retried": retried,
                "done": retried - still_quarantined,
                "held": still_quarantined,
            },
            messages.SUCCESS if still_quarantined == 0 else messages.WARNING,
        )

    @admin.action(description=_("Discard the selected messages"))
    def discard_selected(
        self, request: HttpRequest, queryset: QuerySet[RawMessage]
    ) -> TemplateResponse | None:
        if request.POST.get("confirmed") != "yes":
            selected = list(queryset.order_by("pk"))
            for raw in selected:
                raw.reason = quarantine.describe(raw.error_code)
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Discard quarantined messages"),
                "messages_to_discard": selected,
            }
            return TemplateResponse(
                request, "admin/email/quarantinedmessage/discard_confirmation.html", context
            )
        discarded = quarantine.discard(queryset.values_list("pk", flat=True), actor=request.user)
        for raw in QuarantinedMessage.objects.filter(pk__in=discarded):
            self.log_change(request, raw, str(_("Discarded")))
        self.message_user(
            request,
            ngettext(
                "%(count)d message discarded. Its raw source is kept.",
                "%(count)d messages discarded. Their raw sources are kept.",
                len(discarded),
            )
            % {"count": len(discarded)},
            messages.SUCCESS,
        )
        return None
