from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = _("Distribuição de atendimentos")

    def ready(self) -> None:
        # Reacts to tickets.signals.ticket_changed and to logouts (routing/receivers.py).
        from . import receivers  # noqa: F401
