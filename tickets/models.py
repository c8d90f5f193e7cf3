"""Tickets ("atendimentos"): ERP modules, tickets, their messages, read state and the transcript outbox."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Module(models.Model):
    """An ERP module a ticket is about ("Nota Fiscal Eletrônica Web", ...)."""

    name = models.CharField(_("nome"), max_length=120, unique=True)
    active = models.BooleanField(_("ativo"), default=True)

    class Meta:
        verbose_name = _("módulo")
        verbose_name_plural = _("módulos")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    """The ten statuses of S19, spelled exactly as users see them."""

    AGENDADO = "agendado", _("Agendado")
    AGUARDANDO_RETORNO = "aguardando_retorno", _("Aguardando Retorno Cliente")
    NAO_INICIADO = "nao_iniciado", _("Atendimento Não Iniciado")
    CANCELADO = "cancelado", _("Cancelado")
    CONCLUIDO_USUARIO = "concluido_usuario", _("Chat Concluído pelo Usuário")
    OFFLINE = "offline", _("Chat Off-Line")
    CONCLUIDO = "concluido", _("Concluído")
    EM_ATENDIMENTO = "em_atendimento", _("Em Atendimento")
    EM_DESENVOLVIMENTO = "em_desenvolvimento", _("Em desenvolvimento – Fábrica")
    FINALIZADO_FABRICA = "finalizado_fabrica", _("Finalizado Fábrica")


#: Waiting in the queue for an attendant to take them.
WAITING_STATUSES = frozenset({Status.NAO_INICIADO, Status.OFFLINE})
#: Over: no more messages; shown under "Finalizados".
CLOSED_STATUSES = frozenset({Status.CANCELADO, Status.CONCLUIDO_USUARIO, Status.CONCLUIDO})
#: A conclusion sends the transcript e-mail (S17).
CONCLUDED_STATUSES = frozenset({Status.CONCLUIDO_USUARIO, Status.CONCLUIDO})


class Channel(models.TextChoices):
    ONLINE = "online", _("On-line")
    PHONE = "phone", _("Telefone")


#: Queue priority of each channel: lower goes first (S8: on-line before phone).
CHANNEL_PRIORITY = {Channel.ONLINE: 0, Channel.PHONE: 1}


class Ticket(models.Model):
    """A support ticket. Its number is its primary key, shown to users as "Número do Atendimento"."""

    requester = models.ForeignKey(
        "people.Person", verbose_name=_("solicitante"), on_delete=models.PROTECT, related_name="tickets"
    )
    entity = models.ForeignKey(
        "people.Entity", verbose_name=_("entidade"), on_delete=models.PROTECT, related_name="tickets"
    )
    module = models.ForeignKey(Module, verbose_name=_("módulo"), on_delete=models.PROTECT, related_name="tickets")
    channel = models.CharField(_("canal"), max_length=6, choices=Channel.choices, default=Channel.ONLINE)
    priority = models.PositiveSmallIntegerField(_("prioridade"), default=0)
    status = models.CharField(_("situação"), max_length=20, choices=Status.choices, default=Status.NAO_INICIADO)
    attendant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("atendente"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attended_tickets",
    )
    opened_at = models.DateTimeField(_("data abertura"), db_index=True)
    taken_at = models.DateTimeField(_("assumido em"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("primeira resposta em"), null=True, blank=True)
    closed_at = models.DateTimeField(_("encerrado em"), null=True, blank=True)
    scheduled_for = models.DateTimeField(_("agendado para"), null=True, blank=True)
    transcript_sent_at = models.DateTimeField(_("transcrição enviada em"), null=True, blank=True)
    # Opened outside attendance hours ("Chat Off-Line" at the opening), kept for the reports once it is taken.
    opened_offline = models.BooleanField(_("aberto fora do horário"), default=False)
    # Read state: the newest message id of each side, and the newest id each side has read.
    # The red rows, the badge and the attendants' unread marker are comparisons of these columns.
    last_attendant_message_id = models.BigIntegerField(default=0)
    last_requester_message_id = models.BigIntegerField(default=0)
    requester_read_id = models.BigIntegerField(default=0)
    attendant_read_id = models.BigIntegerField(default=0)
    # When each side's read mark last passed the other side's newest message: "Visto às 14:32".
    requester_read_at = models.DateTimeField(_("lido pelo solicitante em"), null=True, blank=True)
    attendant_read_at = models.DateTimeField(_("lido pelo atendente em"), null=True, blank=True)

    class Meta:
        verbose_name = _("atendimento")
        verbose_name_plural = _("atendimentos")
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["requester", "-opened_at"], name="ticket_requester_recent"),
            models.Index(fields=["priority", "opened_at"], name="ticket_queue_order"),
            models.Index(fields=["status"], name="ticket_status"),
            # The reports (reports/selectors.py): backlog by closing day, an attendant's own figures.
            models.Index(fields=["closed_at"], name="ticket_closed_at"),
            models.Index(fields=["attendant", "opened_at"], name="ticket_attendant_opened"),
        ]
        permissions = [
            ("attend_ticket", _("Pode atender chamados (fila de atendimento)")),
            ("take_over_ticket", _("Pode assumir atendimentos de outros atendentes")),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.module})"

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        ticket = super().from_db(db, field_names, values, **kwargs)
        ticket._queue_state_loaded = ticket._queue_state()
        return ticket

    def _queue_state(self) -> tuple:
        fields = self.__dict__  # never a query for a deferred field
        return (fields.get("status"), fields.get("attendant_id"), fields.get("priority"))

    @property
    def queue_state_changed(self) -> bool:
        """Status, attendant or priority differ from the row as it was read (always true for a new ticket).

        What reacts to the queue (places, offers, dispatch) reacts to these; a message or a read mark
        changes none of them, and at hundreds of messages a second must not wake every waiting page.
        """
        loaded = self.__dict__.get("_queue_state_loaded")
        return loaded is None or loaded != self._queue_state()

    @property
    def number(self) -> int:
        return self.pk

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def is_waiting(self) -> bool:
        return self.status in WAITING_STATUSES

    @property
    def awaits_first_reply(self) -> bool:
        """Nobody has answered yet: the requester's page still reads as "Novo Atendimento" (S9)."""
        return self.is_waiting and not self.last_attendant_message_id

    @property
    def unread_for_requester(self) -> bool:
        return self.last_attendant_message_id > self.requester_read_id

    @property
    def unread_for_attendant(self) -> bool:
        return self.last_requester_message_id > self.attendant_read_id


UNREAD_FOR_REQUESTER = Q(last_attendant_message_id__gt=F("requester_read_id"))
UNREAD_FOR_ATTENDANT = Q(last_requester_message_id__gt=F("attendant_read_id"))


class Message(models.Model):
    """One line of the dialog. Its id orders the dialog and drives catch-up after a reconnect."""

    class Author(models.TextChoices):
        REQUESTER = "requester", _("Usuário")
        ATTENDANT = "attendant", _("Atendente")
        SYSTEM = "system", _("Sistema")

    class Kind(models.TextChoices):
        TEXT = "text", _("Texto")
        FILES = "files", _("Arquivos")
        OPENING = "opening", _("Abertura")
        EVENT = "event", _("Evento")
        # Written by an attendant for attendants only (issue 14): never shown, sent or exported to the requester.
        NOTE = "note", _("Nota interna")

    ticket = models.ForeignKey(Ticket, verbose_name=_("atendimento"), on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(_("autor"), max_length=9, choices=Author.choices)
    kind = models.CharField(_("tipo"), max_length=7, choices=Kind.choices, default=Kind.TEXT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("usuário"), on_delete=models.SET_NULL, null=True, blank=True
    )
    # The name shown in the dialog, kept as it was when written.
    author_name = models.CharField(_("nome do autor"), max_length=200, blank=True)
    body = models.TextField(_("mensagem"))
    # A system line's source text and values ({"text": ..., "args": {...}}), so that it is shown in each
    # reader's language; the body keeps the same line written out in Portuguese. {"phone": true} marks
    # the reason of a ticket an attendant registered by phone.
    params = models.JSONField(_("dados"), default=dict, blank=True)
    created_at = models.DateTimeField(_("enviado em"))
    # Made by the browser for each send: a retry with the same key returns this message instead of a second one.
    client_key = models.UUIDField(_("chave do envio"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("mensagem")
        verbose_name_plural = _("mensagens")
        ordering = ["id"]
        indexes = [models.Index(fields=["ticket", "id"], name="message_ticket_id")]
        constraints = [
            # client_key first: the same index answers "whose key is this?" across tickets.
            models.UniqueConstraint(fields=["client_key", "ticket"], name="message_client_key_per_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"

    @property
    def is_note(self) -> bool:
        return self.kind == self.Kind.NOTE

    @property
    def system_text(self) -> str:
        """A system line in the active language: a status by its label, a moment as date and time."""
        text = (self.params or {}).get("text")
        if not text:
            return gettext(self.body)
        args = dict(self.params.get("args") or {})
        if "status" in args:
            args["status"] = Status(args["status"]).label
        if "at" in args:
            moment = timezone.localtime(parse_datetime(args.pop("at")))
            args["date"] = formats.date_format(moment, "SHORT_DATE_FORMAT")
            args["time"] = formats.time_format(moment, "TIME_FORMAT")
        return gettext(text).format(**args)


#: The lines the requester may read: everything but internal notes. Every requester-facing read
#: (pages, sockets, transcript, exports, previews) filters with it.
VISIBLE_TO_REQUESTER = ~Q(kind=Message.Kind.NOTE)


class AttendancePeriod(models.Model):
    """When attendants answer; a ticket opened outside every period gets "Chat Off-Line"."""

    class Weekday(models.IntegerChoices):
        SEGUNDA = 0, _("Segunda-feira")
        TERCA = 1, _("Terça-feira")
        QUARTA = 2, _("Quarta-feira")
        QUINTA = 3, _("Quinta-feira")
        SEXTA = 4, _("Sexta-feira")
        SABADO = 5, _("Sábado")
        DOMINGO = 6, _("Domingo")

    weekday = models.PositiveSmallIntegerField(_("dia da semana"), choices=Weekday.choices)
    starts_at = models.TimeField(_("início"))
    ends_at = models.TimeField(_("fim"))

    class Meta:
        verbose_name = _("horário de atendimento")
        verbose_name_plural = _("horários de atendimento")
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="period_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class TranscriptOutbox(models.Model):
    """One row per concluded ticket, written in the concluding transaction: the e-mail is sent once (B3)."""

    ticket = models.OneToOneField(
        Ticket, verbose_name=_("atendimento"), on_delete=models.CASCADE, related_name="outbox"
    )
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("criado em"), auto_now_add=True)
    sent_at = models.DateTimeField(_("enviado em"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("tentativas"), default=0)
    last_error = models.TextField(_("último erro"), blank=True)
    failed_at = models.DateTimeField(_("falhou em"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail de transcrição")
        verbose_name_plural = _("e-mails de transcrição")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return gettext("Transcrição do atendimento {number}").format(number=self.ticket_id)


class Handoff(models.Model):
    """A word between attendants about one ticket, never shown to its requester: a transfer and its note
    for the receiver, a request for the transfer sent to the holder, a take-over told to the previous holder.

    Shown on the receiver's bar (routing/_attendant_bar_body.html) until they open the ticket.
    """

    class Kind(models.TextChoices):
        TRANSFER = "transfer", _("Transferência")
        REQUEST = "request", _("Pedido de transferência")
        TAKE_OVER = "take_over", _("Atendimento assumido")

    ticket = models.ForeignKey(Ticket, verbose_name=_("atendimento"), on_delete=models.CASCADE, related_name="handoffs")
    kind = models.CharField(_("tipo"), max_length=9, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("remetente"), on_delete=models.CASCADE, related_name="handoffs_sent"
    )
    to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destinatário"),
        on_delete=models.CASCADE,
        related_name="handoffs_received",
    )
    note = models.TextField(_("nota de transferência"), blank=True)
    created_at = models.DateTimeField(_("criado em"))
    seen_at = models.DateTimeField(_("visto em"), null=True, blank=True)

    class Meta:
        verbose_name = _("aviso entre atendentes")
        verbose_name_plural = _("avisos entre atendentes")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["to", "seen_at"], name="handoff_unseen"),
            models.Index(fields=["ticket", "-created_at"], name="handoff_ticket_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.by} → {self.to}"


class CannedReply(models.Model):
    """ "Respostas prontas" (issue 14): shared ones (no owner, kept by administrators) and an attendant's own.

    Offered in the admin's reply box after "/" and a few letters of the title; the variables of
    CANNED_VARIABLES are filled for the ticket at hand (tickets/canned.py).
    """

    title = models.CharField(_("título"), max_length=80)
    body = models.TextField(_("texto"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("atendente"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_replies",
        help_text=_("Vazio: resposta compartilhada com todos os atendentes."),
    )
    module = models.ForeignKey(
        Module,
        verbose_name=_("módulo"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_replies",
        help_text=_("Vazio: oferecida em atendimentos de qualquer módulo."),
    )
    updated_at = models.DateTimeField(_("alterada em"), auto_now=True)

    class Meta:
        verbose_name = _("resposta pronta")
        verbose_name_plural = _("respostas prontas")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["owner", "module"], name="canned_owner_module")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from .canned import canned_text_check

        canned_text_check(title=self.title, body=self.body)


class QueueSettings(models.Model):
    """The wait levels of the attendants' queue, set by an administrator (one row; defaults without it).

    "Atrasado" is the overdue mark of routing/ too: the same threshold marks the row and alerts the
    attendants on-line (routing.selectors.overdue_cutoff). Left empty, it is QUEUE_OVERDUE_SECONDS.
    """

    attention_minutes = models.PositiveIntegerField(
        _("atenção após (minutos)"),
        default=3,
        help_text=_("Um atendimento aguardando há mais tempo que isto aparece como “atenção” na fila."),
    )
    overdue_minutes = models.PositiveIntegerField(
        _("atrasado após (minutos)"),
        null=True,
        blank=True,
        help_text=_(
            "Um atendimento aguardando há mais tempo que isto aparece como “atrasado” e os atendentes "
            "disponíveis são avisados. Vazio: o valor da configuração do servidor (QUEUE_OVERDUE_SECONDS)."
        ),
    )

    class Meta:
        verbose_name = _("configuração da fila")
        verbose_name_plural = _("configuração da fila")

    def __str__(self) -> str:
        return gettext("Configuração da fila")

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.attention_minutes < 1:
            raise ValidationError({"attention_minutes": gettext("Informe ao menos 1 minuto.")})
        if self.overdue_minutes is not None and self.overdue_minutes <= self.attention_minutes:
            raise ValidationError(
                {"overdue_minutes": gettext("O tempo de “atrasado” deve ser maior que o de “atenção”.")}
            )


class AttendantPreference(models.Model):
    """What an attendant chose for their console: the short sound of a notice, on or off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("atendente"),
        on_delete=models.CASCADE,
        related_name="console_preference",
    )
    sound = models.BooleanField(_("som de aviso"), default=True)

    class Meta:
        verbose_name = _("preferência do atendente")
        verbose_name_plural = _("preferências dos atendentes")

    def __str__(self) -> str:
        return str(self.user)
