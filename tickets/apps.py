from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Atendimentos"

    def ready(self) -> None:
        # Sockets close when a session, a user, a person or an entity changes (tickets/receivers.py).
        from . import receivers  # noqa: F401
