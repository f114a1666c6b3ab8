from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "relaydesk.customers"
    label = "customers"
