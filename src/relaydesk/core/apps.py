from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "relaydesk.core"
    label = "core"

    def ready(self) -> None:
        from relaydesk.core.folding import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="relaydesk_fold")
