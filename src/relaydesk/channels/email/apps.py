from django.apps import AppConfig


class EmailChannelConfig(AppConfig):
    name = "relaydesk.channels.email"
    label = "email"
    verbose_name = "E-mail channel"
