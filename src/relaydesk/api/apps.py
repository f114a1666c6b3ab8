from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "relaydesk.api"
    label = "api"
