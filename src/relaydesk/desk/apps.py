from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "relaydesk.desk"
    label = "desk"
