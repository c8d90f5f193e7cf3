"""Reads of privacy: a person's data as exported, holds, what retention has to do."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from attachments.models import Attachment
from people.models import Contact, Entity, Person
from tickets.models import CLOSED_STATUSES, VISIBLE_TO_REQUESTER, Message, Ticket

from .models import EntityRetention, LegalHold

EXPORT_FORMAT = "atende-chat/dados-pessoais/v1"


def person_under_hold(*, person: Person) -> bool:
    """A hold on the person, or on any of their tickets."""
    return LegalHold.objects.filter(Q(person=person) | Q(ticket__requester=person)).exists()


def user_may_manage_person(*, user: AbstractBaseUser, person: Person, permission: str) -> bool:
    """The export/anonymise permission, for the user's own entity, or for all with ``privacy.any_entity``."""
    if not user.has_perm(f"privacy.{permission}"):
        return False
    if user.has_perm("privacy.any_entity"):
        return True
    own = Person.objects.filter(user=user).values_list("entity_id", flat=True).first()
    return own is not None and own == person.entity_id


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def person_data_export(*, person: Person) -> dict:
    """Everything kept about a person (art. 18 II, 19 II): registration, contacts, tickets, messages, files.

    A fixed number of queries whatever the amount: the person, contacts, tickets, messages, attachments.
    """
    contacts = list(Contact.objects.filter(person=person).order_by("kind", "id"))
    # Internal notes are the attendants' working notes, never handed out with the person's data (issue 14).
    messages = (
        Message.objects.filter(VISIBLE_TO_REQUESTER)
        .order_by("id")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
    )
    tickets = list(
        Ticket.objects.filter(requester=person)
        .select_related("module", "entity")
        .prefetch_related(Prefetch("messages", queryset=messages))
        .order_by("opened_at", "id")
    )
    return {
        "formato": EXPORT_FORMAT,
        "gerado_em": _iso(timezone.now()),
        "cadastro": {
            "codigo": person.code,
            "tipo": person.get_kind_display(),
            "nome": person.name,
            "cpf_cnpj": person.document_display,
            "entidade": person.entity.name,
            "cep": person.cep,
            "pais": person.country,
            "estado": person.state,
            "cidade": person.city,
            "bairro": person.district,
            "logradouro": person.street,
            "numero": person.number,
            "criado_em": _iso(person.created_at),
        },
        "contatos": [
            {
                "tipo": contact.get_kind_display(),
                "valor": contact.value,
                "confirmado_em": _iso(contact.confirmed_at),
            }
            for contact in contacts
        ],
        "atendimentos": [
            {
                "numero": ticket.number,
                "modulo": ticket.module.name,
                "entidade": ticket.entity.name,
                "canal": ticket.get_channel_display(),
                "situacao": ticket.get_status_display(),
                "aberto_em": _iso(ticket.opened_at),
                "encerrado_em": _iso(ticket.closed_at),
                "mensagens": [
                    {
                        "id": message.pk,
                        "autor": message.get_author_kind_display(),
                        "nome_do_autor": message.author_name,
                        "tipo": message.get_kind_display(),
                        "texto": message.body,
                        "enviada_em": _iso(message.created_at),
                        "arquivos": [
                            {
                                "nome": attachment.original_name,
                                "tipo": attachment.content_type,
                                "tamanho": attachment.size,
                                "sha256": attachment.sha256,
                            }
                            for attachment in message.attachments.all()
                        ],
                    }
                    for message in ticket.messages.all()
                ],
            }
            for ticket in tickets
        ],
    }


@dataclass
class RetentionPlan:
    """What a retention run would do now: ticket ids per step, and those a legal hold keeps."""

    files: list[int] = field(default_factory=list)
    anonymise: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)


def _entity_times(entity: Entity) -> tuple[int, int]:
    try:
        retention = entity.retention
    except EntityRetention.DoesNotExist:
        return settings.PRIVACY_TICKET_RETENTION_DAYS, settings.PRIVACY_FILE_RETENTION_DAYS
    return retention.tickets_days, retention.files_days


def _held() -> Q:
    return Q(Exists(LegalHold.objects.filter(ticket=OuterRef("pk")))) | Q(
        Exists(LegalHold.objects.filter(person=OuterRef("requester_id")))
    )


def retention_candidates(*, now: datetime, limit: int | None = None) -> RetentionPlan:
    """Closed tickets past their entity's times that retention has not handled yet (oldest first)."""
    plan = RetentionPlan()
    for entity in Entity.objects.select_related("retention").order_by("pk"):
        tickets_days, files_days = _entity_times(entity)
        closed: QuerySet = Ticket.objects.filter(entity=entity, status__in=CLOSED_STATUSES, closed_at__isnull=False)
        files_due = closed.filter(closed_at__lt=now - timedelta(days=files_days)).exclude(
            retention__files_deleted_at__isnull=False
        )
        anonymise_due = closed.filter(closed_at__lt=now - timedelta(days=tickets_days)).exclude(
            retention__anonymised_at__isnull=False
        )
        plan.held += list(
            (files_due | anonymise_due).filter(_held()).order_by("closed_at", "pk").values_list("pk", flat=True)
        )
        plan.files += list(files_due.exclude(_held()).order_by("closed_at", "pk").values_list("pk", flat=True)[:limit])
        plan.anonymise += list(
            anonymise_due.exclude(_held()).order_by("closed_at", "pk").values_list("pk", flat=True)[:limit]
        )
    plan.held = sorted(set(plan.held))
    return plan
