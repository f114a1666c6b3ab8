from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmailChannelConfig(AppConfig):
    name = "relaydesk.channels.email"
    label = "email"
    verbose_name = _("E-mail channel")

    def ready(self) -> None:
        from relaydesk.channels.email.tasks import enqueue_delivery
        from relaydesk.tickets import delivery

        delivery.register_sender("email", enqueue_delivery)
