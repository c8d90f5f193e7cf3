from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("Pessoas")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the login receiver)
