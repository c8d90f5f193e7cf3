"""No table of its own: the reports read tickets. The model only carries the permission the "Gestores" group gets."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("relatório")
        verbose_name_plural = _("relatórios")
        permissions = [("view_reports", _("Pode ver os relatórios de todos os atendimentos"))]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
