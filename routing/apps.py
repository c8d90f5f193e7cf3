from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = _("Distribuição de atendimentos")

    def ready(self) -> None:
        # Reacts to tickets.signals.ticket_changed and to logouts (routing/receivers.py).
        from tickets.presence import presence_register

        from . import receivers  # noqa: F401
        from .selectors import attendants_available_ids

        # Transfers and the queue ask tickets.presence; the answer is this app's AttendantState.
        presence_register(attendants_available_ids)
