"""Privacy (LGPD): the access log, legal holds, retention per entity, anonymisation records, pending file deletions.

``people`` and ``tickets`` know nothing of this app: it reads their rows and changes them only through its
own services (privacy/services.py). Row history of people and contacts is kept by django-simple-history,
registered here (privacy/receivers.py) so the registry models stay as they are.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from people.models import Person


class AccessLog(models.Model):
    """Who saw, changed, exported or anonymised whose personal data, and when. Never edited; purged by age.

    It holds the person's id and code, never their name or documents: an anonymisation must leave
    nothing here that identifies them.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Viu CPF completo e contatos")
        CHANGE = "change", _("Alterou dados da pessoa")
        EXPORT = "export", _("Exportou os dados da pessoa")
        SELF_EXPORT = "self_export", _("Baixou os próprios dados")
        ANONYMISE = "anonymise", _("Anonimizou a pessoa")
        RETENTION = "retention", _("Anonimizou atendimento (retenção)")

    at = models.DateTimeField(_("quando"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("quem"), on_delete=models.SET_NULL, null=True, blank=True
    )
    action = models.CharField(_("ação"), max_length=12, choices=Action.choices)
    person = models.ForeignKey(
        "people.Person", verbose_name=_("pessoa"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person_code = models.PositiveIntegerField(_("código da pessoa"), null=True, blank=True)
    ticket_number = models.BigIntegerField(_("número do atendimento"), null=True, blank=True)
    detail = models.CharField(_("detalhe"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("registro de acesso a dados pessoais")
        verbose_name_plural = _("registros de acesso a dados pessoais")
        ordering = ["-at", "-id"]
        permissions = [
            ("view_full_cpf", _("Pode ver o CPF completo e os contatos (Mostrar)")),
            ("export_person", _("Pode exportar os dados de uma pessoa")),
            ("anonymise_person", _("Pode anonimizar uma pessoa")),
            ("any_entity", _("Pode exportar ou anonimizar pessoas de qualquer entidade")),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"


class LegalHold(models.Model):
    """Keeps a person's (or one ticket's) data from anonymisation and retention while it stands."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("pessoa"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="legal_holds",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("atendimento"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="legal_holds",
    )
    reason = models.CharField(_("motivo"), max_length=200)
    created_at = models.DateTimeField(_("criada em"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("criada por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("retenção legal")
        verbose_name_plural = _("retenções legais")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(ticket__isnull=True))
                | (Q(person__isnull=True) & Q(ticket__isnull=False)),
                name="legal_hold_person_xor_ticket",
            )
        ]

    def __str__(self) -> str:
        return self.reason


def default_ticket_days() -> int:
    return settings.PRIVACY_TICKET_RETENTION_DAYS


def default_file_days() -> int:
    return settings.PRIVACY_FILE_RETENTION_DAYS


class EntityRetention(models.Model):
    """How long an entity keeps closed tickets (then anonymised) and their files (then deleted)."""

    entity = models.OneToOneField(
        "people.Entity", verbose_name=_("entidade"), on_delete=models.CASCADE, related_name="retention"
    )
    tickets_days = models.PositiveIntegerField(
        _("anonimizar atendimentos encerrados há mais de (dias)"), default=default_ticket_days
    )
    files_days = models.PositiveIntegerField(
        _("apagar arquivos de atendimentos encerrados há mais de (dias)"), default=default_file_days
    )

    class Meta:
        verbose_name = _("prazo de retenção da entidade")
        verbose_name_plural = _("prazos de retenção das entidades")
        constraints = [
            models.CheckConstraint(condition=Q(files_days__lte=models.F("tickets_days")), name="retention_files_first")
        ]

    def __str__(self) -> str:
        return str(self.entity)


class PersonAnonymisation(models.Model):
    """A person anonymised (the name they now carry says nothing): the second request finds this row."""

    person = models.OneToOneField(
        "people.Person", verbose_name=_("pessoa"), on_delete=models.CASCADE, related_name="anonymisation"
    )
    done_at = models.DateTimeField(_("anonimizada em"))

    class Meta:
        verbose_name = _("pessoa anonimizada")
        verbose_name_plural = _("pessoas anonimizadas")

    def __str__(self) -> str:
        return str(self.person_id)


class TicketRetention(models.Model):
    """What retention already did to a ticket: files deleted, then the dialog anonymised (each once)."""

    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("atendimento"), on_delete=models.CASCADE, related_name="retention"
    )
    files_deleted_at = models.DateTimeField(_("arquivos apagados em"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonimizado em"), null=True, blank=True)

    class Meta:
        verbose_name = _("retenção de atendimento")
        verbose_name_plural = _("retenções de atendimentos")

    def __str__(self) -> str:
        return str(self.ticket_id)


class PendingFileDeletion(models.Model):
    """A stored file whose row is gone: written in the same transaction, removed once the file is deleted.

    Storage is no transaction: should the process stop between the commit and the deletion, the
    sweep (privacy.file_deletions_sweep) finds the row and deletes the file then.
    """

    name = models.CharField(_("arquivo"), max_length=200)
    created_at = models.DateTimeField(_("criado em"), auto_now_add=True)

    class Meta:
        verbose_name = _("arquivo a apagar")
        verbose_name_plural = _("arquivos a apagar")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class DataSubject(Person):
    """The registry seen as data subjects: where IPM's administrators export or anonymise a person."""

    class Meta:
        proxy = True
        verbose_name = _("titular de dados")
        verbose_name_plural = _("titulares de dados (exportar, anonimizar)")
