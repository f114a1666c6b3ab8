from django.apps import AppConfig


class RunnerConfig(AppConfig):
    """Process supervision for the embedded mode (``relaydesk run-all``)."""

    name = "relaydesk.runner"
    label = "runner"
