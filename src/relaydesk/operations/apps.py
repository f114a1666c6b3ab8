from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "relaydesk.operations"
    label = "operations"
    verbose_name = "Production Operations"
