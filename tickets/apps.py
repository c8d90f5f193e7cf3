from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Atendimentos")

    def ready(self) -> None:
        # Sockets close when a session, a user, a person or an entity changes (tickets/receivers.py).
        from . import receivers  # noqa: F401
