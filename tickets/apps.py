from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Atendimentos")

    def ready(self) -> None:
        # Sockets close when a session, a user, a person or an entity changes (tickets/receivers.py).
        # The "Atendentes" group's permissions follow the code after every migrate (not a data migration).
        from django.db.models.signals import post_migrate

        from . import receivers  # noqa: F401
        from .permissions import attendants_group_sync

        post_migrate.connect(attendants_group_sync, dispatch_uid="tickets.attendants_group_sync")
