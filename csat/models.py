"""The staff member's satisfaction with a concluded ticket (CSAT): one answer per ticket, 1 to 5."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SCORE_MIN = 1
SCORE_MAX = 5
COMMENT_MAX_LENGTH = 1000


class SatisfactionAnswer(models.Model):
    class Via(models.TextChoices):
        CHAT = "chat", _("Janela do chat")
        EMAIL = "email", _("Link do e-mail")

    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("atendimento"), on_delete=models.CASCADE, related_name="satisfaction"
    )
    score = models.PositiveSmallIntegerField(
        _("nota"), validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )
    comment = models.TextField(_("comentário"), blank=True, max_length=COMMENT_MAX_LENGTH)
    via = models.CharField(_("respondida por"), max_length=5, choices=Via.choices)
    answered_at = models.DateTimeField(_("respondida em"))
    changed_at = models.DateTimeField(_("alterada em"))

    class Meta:
        verbose_name = _("avaliação do atendimento")
        verbose_name_plural = _("avaliações dos atendimentos")
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX), name="csat_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}"
