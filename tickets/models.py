"""Tickets ("atendimentos"): ERP modules, tickets, their messages, read state and the transcript outbox."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Module(models.Model):
    """An ERP module a ticket is about ("Nota Fiscal Eletrônica Web", ...)."""

    name = models.CharField("nome", max_length=120, unique=True)
    active = models.BooleanField("ativo", default=True)

    class Meta:
        verbose_name = "módulo"
        verbose_name_plural = "módulos"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    """The ten statuses of S19, spelled exactly as users see them."""

    AGENDADO = "agendado", "Agendado"
    AGUARDANDO_RETORNO = "aguardando_retorno", "Aguardando Retorno Cliente"
    NAO_INICIADO = "nao_iniciado", "Atendimento Não Iniciado"
    CANCELADO = "cancelado", "Cancelado"
    CONCLUIDO_USUARIO = "concluido_usuario", "Chat Concluído pelo Usuário"
    OFFLINE = "offline", "Chat Off-Line"
    CONCLUIDO = "concluido", "Concluído"
    EM_ATENDIMENTO = "em_atendimento", "Em Atendimento"
    EM_DESENVOLVIMENTO = "em_desenvolvimento", "Em desenvolvimento \u2013 Fábrica"
    FINALIZADO_FABRICA = "finalizado_fabrica", "Finalizado Fábrica"


#: Waiting in the queue for an attendant to take them.
WAITING_STATUSES = frozenset({Status.NAO_INICIADO, Status.OFFLINE})
#: Over: no more messages; shown under "Finalizados".
CLOSED_STATUSES = frozenset({Status.CANCELADO, Status.CONCLUIDO_USUARIO, Status.CONCLUIDO})
#: A conclusion sends the transcript e-mail (S17).
CONCLUDED_STATUSES = frozenset({Status.CONCLUIDO_USUARIO, Status.CONCLUIDO})


class Channel(models.TextChoices):
    ONLINE = "online", "On-line"
    PHONE = "phone", "Telefone"


#: Queue priority of each channel: lower goes first (S8: on-line before phone).
CHANNEL_PRIORITY = {Channel.ONLINE: 0, Channel.PHONE: 1}


class Ticket(models.Model):
    """A support ticket. Its number is its primary key, shown to users as "Número do Atendimento"."""

    requester = models.ForeignKey(
        "people.Person", verbose_name="solicitante", on_delete=models.PROTECT, related_name="tickets"
    )
    entity = models.ForeignKey(
        "people.Entity", verbose_name="entidade", on_delete=models.PROTECT, related_name="tickets"
    )
    module = models.ForeignKey(Module, verbose_name="módulo", on_delete=models.PROTECT, related_name="tickets")
    channel = models.CharField("canal", max_length=6, choices=Channel.choices, default=Channel.ONLINE)
    priority = models.PositiveSmallIntegerField("prioridade", default=0)
    status = models.CharField("situação", max_length=20, choices=Status.choices, default=Status.NAO_INICIADO)
    attendant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="atendente",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attended_tickets",
    )
    opened_at = models.DateTimeField("data abertura", db_index=True)
    taken_at = models.DateTimeField("assumido em", null=True, blank=True)
    first_response_at = models.DateTimeField("primeira resposta em", null=True, blank=True)
    closed_at = models.DateTimeField("encerrado em", null=True, blank=True)
    scheduled_for = models.DateTimeField("agendado para", null=True, blank=True)
    transcript_sent_at = models.DateTimeField("transcrição enviada em", null=True, blank=True)
    # Read state: the newest message id of each side, and the newest id each side has read.
    # The red rows, the badge and the attendants' unread marker are comparisons of these columns.
    last_attendant_message_id = models.BigIntegerField(default=0)
    last_requester_message_id = models.BigIntegerField(default=0)
    requester_read_id = models.BigIntegerField(default=0)
    attendant_read_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "atendimento"
        verbose_name_plural = "atendimentos"
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["requester", "-opened_at"], name="ticket_requester_recent"),
            models.Index(fields=["priority", "opened_at"], name="ticket_queue_order"),
            models.Index(fields=["status"], name="ticket_status"),
        ]
        permissions = [("attend_ticket", "Pode atender chamados (fila de atendimento)")]

    def __str__(self) -> str:
        return f"{self.number} ({self.module})"

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
        REQUESTER = "requester", "Usuário"
        ATTENDANT = "attendant", "Atendente"
        SYSTEM = "system", "Sistema"

    class Kind(models.TextChoices):
        TEXT = "text", "Texto"
        FILES = "files", "Arquivos"
        OPENING = "opening", "Abertura"
        EVENT = "event", "Evento"

    ticket = models.ForeignKey(Ticket, verbose_name="atendimento", on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField("autor", max_length=9, choices=Author.choices)
    kind = models.CharField("tipo", max_length=7, choices=Kind.choices, default=Kind.TEXT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="usuário", on_delete=models.SET_NULL, null=True, blank=True
    )
    # The name shown in the dialog, kept as it was when written.
    author_name = models.CharField("nome do autor", max_length=200, blank=True)
    body = models.TextField("mensagem")
    created_at = models.DateTimeField("enviado em")

    class Meta:
        verbose_name = "mensagem"
        verbose_name_plural = "mensagens"
        ordering = ["id"]
        indexes = [models.Index(fields=["ticket", "id"], name="message_ticket_id")]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"


class AttendancePeriod(models.Model):
    """When attendants answer; a ticket opened outside every period gets "Chat Off-Line"."""

    class Weekday(models.IntegerChoices):
        SEGUNDA = 0, "Segunda-feira"
        TERCA = 1, "Terça-feira"
        QUARTA = 2, "Quarta-feira"
        QUINTA = 3, "Quinta-feira"
        SEXTA = 4, "Sexta-feira"
        SABADO = 5, "Sábado"
        DOMINGO = 6, "Domingo"

    weekday = models.PositiveSmallIntegerField("dia da semana", choices=Weekday.choices)
    starts_at = models.TimeField("início")
    ends_at = models.TimeField("fim")

    class Meta:
        verbose_name = "horário de atendimento"
        verbose_name_plural = "horários de atendimento"
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="period_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}\u2013{self.ends_at:%H:%M}"


class TranscriptOutbox(models.Model):
    """One row per concluded ticket, written in the concluding transaction: the e-mail is sent once (B3)."""

    ticket = models.OneToOneField(Ticket, verbose_name="atendimento", on_delete=models.CASCADE, related_name="outbox")
    message_id = models.CharField("Message-ID", max_length=255, blank=True)
    created_at = models.DateTimeField("criado em", auto_now_add=True)
    sent_at = models.DateTimeField("enviado em", null=True, blank=True)
    attempts = models.PositiveIntegerField("tentativas", default=0)
    last_error = models.TextField("último erro", blank=True)
    failed_at = models.DateTimeField("falhou em", null=True, blank=True)

    class Meta:
        verbose_name = "e-mail de transcrição"
        verbose_name_plural = "e-mails de transcrição"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Transcrição do atendimento {self.ticket_id}"
