from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "relaydesk.sla"
    label = "sla"
