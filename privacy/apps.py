from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacidade (LGPD)")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (row history of people, and its access-log entries)
