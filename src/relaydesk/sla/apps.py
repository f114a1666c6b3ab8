from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "relaydesk.sla"
    label = "sla"
    verbose_name = _("SLA")

    def ready(self) -> None:
        from relaydesk.channels.email import outbound
        from relaydesk.core import timeline
        from relaydesk.sla.notifications import on_handoff_event
        from relaydesk.sla.out_of_hours import out_of_hours_acknowledgement
        from relaydesk.sla.tracking import on_timeline_event

        timeline.add_listener(on_timeline_event)
        timeline.add_listener(on_handoff_event)
        outbound.register_acknowledgement_template(out_of_hours_acknowledgement)
