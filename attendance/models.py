"""The attendance calendar beyond the weekly periods: optional holidays and IPM's own closed days and special hours.

National holidays and those of Santa Catarina come from the `holidays` package (attendance/calendar.py);
only what IPM decides is stored here.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class OptionalHoliday(models.Model):
    """A "ponto facultativo" of the `holidays` package (Carnaval, Corpus Christi, ...), closed or not, every year."""

    name = models.CharField(_("nome"), max_length=120, unique=True)
    closed = models.BooleanField(
        _("sem atendimento"), default=False, help_text=_("Marque para não atender neste ponto facultativo.")
    )

    class Meta:
        verbose_name = _("ponto facultativo")
        verbose_name_plural = _("pontos facultativos")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SpecialDay(models.Model):
    """IPM's own closed days or special hours (e.g. 24/12 from 8:00 to 12:00), over one or more days.

    Without hours the days are closed; with them, those hours replace the weekly periods and any holiday.
    """

    description = models.CharField(_("descrição"), max_length=120)
    starts_on = models.DateField(_("de"))
    ends_on = models.DateField(_("até"))
    opens_at = models.TimeField(_("abre às"), null=True, blank=True)
    closes_at = models.TimeField(_("fecha às"), null=True, blank=True)

    class Meta:
        verbose_name = _("dia especial")
        verbose_name_plural = _("dias especiais (fechado ou horário especial)")
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["ends_on"], name="specialday_ends_on")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="specialday_ends_after_start"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True, closes_at__isnull=True)
                | Q(opens_at__isnull=False, closes_at__isnull=False, closes_at__gt=F("opens_at")),
                name="specialday_hours_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def closed(self) -> bool:
        return self.opens_at is None
