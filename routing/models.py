"""Routing: who may get tickets and how many at once, the offers made to them, and the notices sent.

``routing`` uses ``tickets`` and ``people``; neither knows of it (it listens to
``tickets.signals.ticket_changed`` and to logouts).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CAPACITY_INVALID = _("A capacidade deve ser um número inteiro entre 1 e 50.")
CAPACITY_MAX = 50


class AttendantState(models.Model):
    """An attendant's capacity (set by administrators) and availability ("Disponível" or away)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("atendente"), on_delete=models.CASCADE, related_name="routing_state"
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacidade"),
        default=3,
        help_text=_("Atendimentos simultâneos que o atendente pode receber."),
        validators=[
            MinValueValidator(1, message=CAPACITY_INVALID),
            MaxValueValidator(CAPACITY_MAX, message=CAPACITY_INVALID),
        ],
    )
    available = models.BooleanField(_("disponível"), default=False)
    # Since when the attendant has had no new ticket: ties of free capacity go to who waited longest.
    idle_since = models.DateTimeField(_("ocioso desde"), default=timezone.now)

    class Meta:
        verbose_name = _("capacidade do atendente")
        verbose_name_plural = _("capacidades dos atendentes")
        ordering = ["user__username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=CAPACITY_MAX), name="routing_capacity_range"
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


class Offer(models.Model):
    """A waiting ticket offered to one attendant, to be accepted before ``expires_at``."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pendente")
        ACCEPTED = "accepted", _("Aceita")
        EXPIRED = "expired", _("Expirada")
        WITHDRAWN = "withdrawn", _("Retirada")

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("atendimento"), on_delete=models.CASCADE, related_name="routing_offers"
    )
    attendant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("atendente"), on_delete=models.CASCADE, related_name="routing_offers"
    )
    state = models.CharField(_("situação"), max_length=9, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(_("oferecida em"))
    expires_at = models.DateTimeField(_("expira em"))
    answered_at = models.DateTimeField(_("encerrada em"), null=True, blank=True)

    class Meta:
        verbose_name = _("oferta de atendimento")
        verbose_name_plural = _("ofertas de atendimento")
        ordering = ["-created_at"]
        constraints = [
            # Never two attendants holding an offer of the same ticket.
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(state="pending"), name="routing_one_pending_offer_per_ticket"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "expires_at"], name="routing_offer_state_expiry"),
            models.Index(fields=["attendant", "state"], name="routing_offer_attendant"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.attendant}"


class OverdueAlert(models.Model):
    """A waiting ticket nobody took in time: the attendants were alerted once."""

    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("atendimento"), on_delete=models.CASCADE, related_name="overdue_alert"
    )
    created_at = models.DateTimeField(_("alertado em"), auto_now_add=True)

    class Meta:
        verbose_name = _("alerta de espera")
        verbose_name_plural = _("alertas de espera")

    def __str__(self) -> str:
        return str(self.ticket_id)


class ReplyNotice(models.Model):
    """The e-mail "there is a reply" of one ticket in one period: the unique key makes it once-only."""

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("atendimento"), on_delete=models.CASCADE, related_name="reply_notices"
    )
    # int(time / REPLY_NOTICE_PERIOD): at most one row, and so one e-mail, per ticket per period.
    window = models.BigIntegerField(_("período"))
    reply_id = models.BigIntegerField(_("resposta"))
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("criado em"), auto_now_add=True)
    sent_at = models.DateTimeField(_("enviado em"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("tentativas"), default=0)
    last_error = models.TextField(_("último erro"), blank=True)

    class Meta:
        verbose_name = _("aviso de resposta por e-mail")
        verbose_name_plural = _("avisos de resposta por e-mail")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["ticket", "window"], name="routing_one_notice_per_period")]

    def __str__(self) -> str:
        return f"{self.ticket_id} ({self.window})"


class NoticePreference(models.Model):
    """A user's choice, in "Meus Dados", about the e-mail notice of unread replies (on unless switched off)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("usuário"), on_delete=models.CASCADE, related_name="notice_preference"
    )
    reply_email = models.BooleanField(_("avisar por e-mail sobre respostas não lidas"), default=True)

    class Meta:
        verbose_name = _("preferência de aviso")
        verbose_name_plural = _("preferências de aviso")

    def __str__(self) -> str:
        return str(self.user)
