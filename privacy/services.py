"""Writes of privacy: the access log, revealing a CPF, exports, anonymisation, retention, file deletion.

Each top-level service is one transaction. Files are the one thing outside it: their rows are
deleted in the transaction together with a ``PendingFileDeletion`` row each, and the files go
after the commit; a crash in between leaves the pending rows for the sweep (idempotent: deleting
a file that is already gone changes nothing).
"""

import logging
import re
from datetime import datetime, timedelta

from axes.models import AccessAttempt as AxesAttempt
from axes.models import AccessFailureLog as AxesFailureLog
from axes.models import AccessLog as AxesLog
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext

from attachments.models import Attachment
from csat.models import SatisfactionAnswer
from people.models import Contact, Person
from routing.models import ReplyNotice
from tickets.models import Handoff, Message, Ticket, TranscriptOutbox

from . import errors
from .models import AccessLog, DataSubject, PendingFileDeletion, PersonAnonymisation, TicketRetention
from .selectors import person_data_export, person_under_hold, retention_candidates, user_may_manage_person

logger = logging.getLogger(__name__)


def access_log_record(
    *, actor: AbstractBaseUser | None, action: str, person: Person | None, ticket_number: int | None = None
) -> AccessLog:
    return AccessLog.objects.create(
        at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        person=person,
        person_code=person.code if person is not None else None,
        ticket_number=ticket_number,
    )


def person_reveal(*, user: AbstractBaseUser, ticket: Ticket) -> Person:
    """ "Mostrar" in "Mais Informações": the whole CPF and the contacts, for who may, recorded."""
    if not user.has_perm("privacy.view_full_cpf"):
        raise errors.NotAllowed(errors.REVEAL_NOT_ALLOWED)
    access_log_record(actor=user, action=AccessLog.Action.VIEW, person=ticket.requester, ticket_number=ticket.pk)
    return ticket.requester


def person_self_export(*, user: AbstractBaseUser, person: Person) -> dict:
    """ "Meus Dados": the person's own data, at once (art. 19 II), recorded."""
    data = person_data_export(person=person)
    access_log_record(actor=user, action=AccessLog.Action.SELF_EXPORT, person=person)
    return data


def _check_manage(*, user: AbstractBaseUser, person: Person, permission: str) -> None:
    if not user_may_manage_person(user=user, person=person, permission=permission):
        raise errors.NotAllowed(gettext(errors.NOT_ALLOWED).format(entity=person.entity.name))
    if person_under_hold(person=person):
        raise errors.UnderLegalHold(gettext(errors.UNDER_LEGAL_HOLD).format(name=person.name))


@transaction.atomic
def person_export(*, user: AbstractBaseUser, people: list[Person]) -> list[dict]:
    """An IPM administrator's export of people's data (the answer to a request under art. 18–19).

    All or nothing: every person is checked (permission, entity, legal hold) before anything is read.
    """
    for person in people:
        _check_manage(user=user, person=person, permission="export_person")
    exported = []
    for person in people:
        exported.append(person_data_export(person=person))
        access_log_record(actor=user, action=AccessLog.Action.EXPORT, person=person)
    return exported


# --- files ----------------------------------------------------------------------------------------


def _attachments_delete(attachments) -> int:
    """Delete attachment rows now and their files after the commit (a pending row each until then)."""
    rows = list(attachments.values_list("pk", "file"))
    if not rows:
        return 0
    PendingFileDeletion.objects.bulk_create([PendingFileDeletion(name=name) for _pk, name in rows if name])
    Attachment.objects.filter(pk__in=[pk for pk, _name in rows]).delete()
    transaction.on_commit(file_deletions_sweep, robust=True)
    return len(rows)


def file_deletions_sweep(*, limit: int = 1000) -> int:
    """Delete the files of the pending rows, then the rows; safe to run again at any point."""
    done = 0
    for pending in PendingFileDeletion.objects.order_by("id")[:limit]:
        try:
            default_storage.delete(pending.name)
        except OSError:
            logger.exception("Could not delete stored file %s; the sweep will try again", pending.pk)
            continue
        PendingFileDeletion.objects.filter(pk=pending.pk).delete()
        done += 1
    return done


# --- anonymisation of a person -------------------------------------------------------------------


def _identifiers(person: Person, contacts: list[Contact]) -> list[str]:
    """Every way the person's identity can be written in a free text: name, CPF, e-mails, phones."""
    values = {person.name, person.document, person.document_display}
    for contact in contacts:
        values.add(contact.value)
        if contact.kind == Contact.Kind.PHONE:
            values.add(re.sub(r"\D", "", contact.value))
    user = person.user
    if user is not None:
        values |= {user.email, user.get_full_name()}
    # Longest first, so a name is replaced before a shorter part of it; tiny values would match anything.
    return sorted((value.strip() for value in values if value and len(value.strip()) >= 4), key=len, reverse=True)


def _redact(text: str, identifiers: list[str], replacement: str) -> str:
    for value in identifiers:
        text = re.sub(re.escape(value), replacement, text, flags=re.IGNORECASE)
    return text


def _contains_any(field: str, identifiers: list[str]) -> Q:
    condition = Q(pk__in=[])
    for value in identifiers:
        condition |= Q(**{f"{field}__icontains": value})
    return condition


def _history_purge(person: Person) -> None:
    Person.history.filter(id=person.pk).delete()
    Contact.history.filter(person_id=person.pk).delete()


@transaction.atomic
def person_anonymise(*, user: AbstractBaseUser, person_id: int) -> Person:
    """Replace the person's name, erase CPF, contacts and address, rename them in every dialog, delete their files.

    Statistics stay: the tickets, their messages (count, times, statuses) remain. One transaction:
    a failure anywhere changes nothing; a second call finds the record and changes nothing either.
    """
    person = Person.objects.select_for_update(of=("self",)).select_related("entity", "user").get(pk=person_id)
    anonymised = PersonAnonymisation.objects.filter(person=person).first()
    if anonymised is not None:
        when = formats.date_format(timezone.localtime(anonymised.done_at), "SHORT_DATETIME_FORMAT")
        raise errors.AlreadyAnonymised(gettext(errors.ALREADY_ANONYMISED).format(when=when))
    _check_manage(user=user, person=person, permission="anonymise_person")

    contacts = list(Contact.objects.filter(person=person))
    identifiers = _identifiers(person, contacts)
    # Stored text, the same in every language.
    new_name = errors.ANONYMISED_NAME.format(code=person.code)
    redacted = errors.REDACTED

    tickets = Ticket.objects.filter(requester=person)
    own_messages = Q(ticket__requester=person)
    if person.user_id:
        own_messages |= Q(author_id=person.user_id)
    Message.objects.filter(own_messages, author_kind=Message.Author.REQUESTER).update(author_name=new_name)
    if person.user_id:
        Message.objects.filter(author_id=person.user_id).update(author_name=new_name)
    # What others wrote about them in their tickets ("Olá, Maria"), and anything quoting their CPF or address.
    # Their own tickets are read whole (the database's case folding may miss accented capitals).
    quoting = own_messages | _contains_any("body", identifiers) | _contains_any("author_name", identifiers)
    for message in Message.objects.filter(quoting).only("body", "author_name"):
        body, author_name = message.body, message.author_name
        message.body = _redact(message.body, identifiers, redacted)
        message.author_name = _redact(message.author_name, identifiers, redacted)
        if (message.body, message.author_name) != (body, author_name):
            message.save(update_fields=["body", "author_name"])
    attachments = Attachment.objects.filter(message__ticket__in=tickets)
    if person.user_id:
        attachments = attachments | Attachment.objects.filter(uploaded_by_id=person.user_id)
    _attachments_delete(attachments)
    # An SMTP refusal quotes the addresses it refused.
    TranscriptOutbox.objects.filter(ticket__in=tickets).exclude(last_error="").update(last_error="")
    _ticket_side_texts_clear(tickets)

    Contact.objects.filter(person=person).delete()
    Person.objects.filter(pk=person.pk).update(name=new_name, document="", cep="", district="", street="", number="")
    if person.user_id:
        _account_scrub(person=person, identifiers=identifiers)
    _logs_scrub(person=person, identifiers=identifiers, new_name=new_name)
    _history_purge(person)

    PersonAnonymisation.objects.create(person=person, done_at=timezone.now())
    access_log_record(actor=user, action=AccessLog.Action.ANONYMISE, person=person)
    person.refresh_from_db()
    return person


def _account_scrub(*, person: Person, identifiers: list[str]) -> None:
    """The login keeps working; a user name that is the CPF or an e-mail address is replaced, in the lockout log too."""
    users = get_user_model().objects.filter(pk=person.user_id)
    users.update(first_name="", last_name="", email="")
    username = person.user.get_username()
    if any(value.lower() in username.lower() for value in identifiers):
        new_username = f"anonimizado-{person.code}"
        users.update(username=new_username)
        for model in (AxesAttempt, AxesLog, AxesFailureLog):
            model.objects.filter(username=username).update(username=new_username)


def _logs_scrub(*, person: Person, identifiers: list[str], new_name: str) -> None:
    """The admin's own history quotes names and contact values ("Contato “maria@…” adicionado")."""
    own = Q(content_type=ContentType.objects.get_for_model(Person, for_concrete_model=False), object_id=str(person.pk))
    own |= Q(
        content_type=ContentType.objects.get_for_model(DataSubject, for_concrete_model=False), object_id=str(person.pk)
    )
    LogEntry.objects.filter(
        own | _contains_any("object_repr", identifiers) | _contains_any("change_message", identifiers)
    ).update(object_repr=new_name, change_message="[]")


# --- retention ------------------------------------------------------------------------------------


def _retention_row(ticket_id: int) -> TicketRetention:
    TicketRetention.objects.get_or_create(ticket_id=ticket_id)
    return TicketRetention.objects.select_for_update().get(ticket_id=ticket_id)


def ticket_files_expire(*, ticket_id: int, now: datetime) -> bool:
    """Delete the files of one closed ticket (once); False when it was done already."""
    with transaction.atomic():
        row = _retention_row(ticket_id)
        if row.files_deleted_at is not None:
            return False
        _attachments_delete(Attachment.objects.filter(message__ticket_id=ticket_id))
        row.files_deleted_at = now
        row.save(update_fields=["files_deleted_at"])
    return True


def _ticket_side_texts_clear(tickets) -> None:
    """Free texts kept beside a ticket by other apps: the satisfaction comment (the score stays for the
    statistics), the reply notice's SMTP error (it quotes the address it refused) and the attendants'
    hand-off notes (they may name the requester)."""
    SatisfactionAnswer.objects.filter(ticket__in=tickets).exclude(comment="").update(comment="")
    Handoff.objects.filter(ticket__in=tickets).exclude(note="").update(note="")
    ReplyNotice.objects.filter(ticket__in=tickets).exclude(last_error="").update(last_error="")


def ticket_retention_anonymise(*, ticket_id: int, now: datetime) -> bool:
    """Anonymise the dialog of one closed ticket past retention (once): who wrote and what, files too.

    Times, statuses, counts and the ticket itself stay for the statistics.
    """
    with transaction.atomic():
        row = _retention_row(ticket_id)
        if row.anonymised_at is not None:
            return False
        messages = Message.objects.filter(ticket_id=ticket_id)
        for kind, name in errors.RETENTION_AUTHORS.items():
            messages.filter(author_kind=kind).update(author_name=name)
        messages.filter(kind__in=[Message.Kind.TEXT, Message.Kind.OPENING, Message.Kind.NOTE]).exclude(
            author_kind=Message.Author.SYSTEM
        ).update(body=errors.RETENTION_BODY)
        _attachments_delete(Attachment.objects.filter(message__ticket_id=ticket_id))
        TranscriptOutbox.objects.filter(ticket_id=ticket_id).update(last_error="")
        _ticket_side_texts_clear(Ticket.objects.filter(pk=ticket_id))
        row.files_deleted_at = row.files_deleted_at or now
        row.anonymised_at = now
        row.save(update_fields=["files_deleted_at", "anonymised_at"])
        AccessLog.objects.create(at=now, action=AccessLog.Action.RETENTION, ticket_number=ticket_id)
    return True


def retention_run(*, now: datetime | None = None, batch: int | None = None, max_batches: int | None = None) -> dict:
    """One run of the retention policy, in batches; each ticket is its own transaction.

    Stopping at any point (a crash, the time limit) loses nothing: what is done is recorded per
    ticket, and the next run carries on with what is left.
    """
    now = now or timezone.now()
    batch = batch or settings.PRIVACY_RETENTION_BATCH
    max_batches = max_batches or settings.PRIVACY_RETENTION_MAX_BATCHES
    totals = {"files": 0, "anonymised": 0}
    for _round in range(max_batches):
        plan = retention_candidates(now=now, limit=batch)
        if not plan.files and not plan.anonymise:
            break
        anonymise = set(plan.anonymise)
        for ticket_id in plan.anonymise:
            totals["anonymised"] += ticket_retention_anonymise(ticket_id=ticket_id, now=now)
        for ticket_id in plan.files:
            if ticket_id not in anonymise:
                totals["files"] += ticket_files_expire(ticket_id=ticket_id, now=now)
    return totals


def access_log_purge(*, now: datetime | None = None) -> int:
    """The log and the row history are kept PRIVACY_LOG_RETENTION_DAYS, then deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.PRIVACY_LOG_RETENTION_DAYS)
    deleted, _ = AccessLog.objects.filter(at__lt=cutoff).delete()
    Person.history.filter(history_date__lt=cutoff).delete()
    Contact.history.filter(history_date__lt=cutoff).delete()
    return deleted
