"""The transcript e-mail of a concluded ticket (S17, B3): built from templates, sent once.

The outbox row (one per ticket, written in the transaction that concludes it) is what makes the
task idempotent. ``transcript_send`` fixes the Message-ID and commits it before anything leaves,
then sends with the row locked and marks it sent in that same transaction: a second run waits
for the lock and finds it sent. SMTP itself gives no exactly-once: if the server accepts the
message and the worker dies before the commit, the next run sends it again, with the same
Message-ID, so the receiving side can tell it is the same e-mail.
"""

import logging
import smtplib
from collections.abc import Iterable
from datetime import timedelta
from email.utils import parseaddr
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.core.mail.handler import DEFAULT_MAILER_ALIAS
from django.db import DatabaseError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from people.models import Person
from people.selectors import person_emails, user_language
from people.text import name_clean

from .models import VISIBLE_TO_REQUESTER, Message, Ticket, TranscriptOutbox

logger = logging.getLogger(__name__)

SENT = "sent"
ALREADY_SENT = "already_sent"
MISSING = "missing"
NO_RECIPIENT = "no_recipient"
UNCONFIRMED = "unconfirmed"

NO_RECIPIENT_ERROR = gettext_noop("O solicitante não possui endereço de e-mail cadastrado.")
WAITING_CONFIRMATION = _(
    "Aguardando o solicitante confirmar um endereço de e-mail (link de confirmação enviado); "
    "a transcrição só vai para endereços confirmados."
)
NO_CONFIRMED_RECIPIENT_ERROR = _(
    "O solicitante não confirmou nenhum endereço de e-mail a tempo; a transcrição não foi enviada. "
    "Depois da confirmação, use “Enviar novamente”."
)
TEMPLATE = "emails/ticket_transcript"
SWEEP_BATCH = 500


def _retry_key(ticket_id: int) -> str:
    return f"transcript:retry:{ticket_id}"


def _display_name(user: AbstractBaseUser | None) -> str:
    if user is None:
        return ""
    try:
        return user.person.name
    except Person.DoesNotExist:
        return name_clean(user.get_full_name()) or user.get_username()


def transcript_recipients(*, ticket: Ticket) -> list[str]:
    """The requester's confirmed e-mail addresses, each once: the transcript goes to no address unproved."""
    return list(dict.fromkeys(person_emails(person=ticket.requester, confirmed_only=True)))


def csat_email_context(*, ticket: Ticket) -> dict:
    """The satisfaction survey's signed link (csat app), for a concluded ticket."""
    from csat.services import csat_days, csat_link

    if ticket.closed_at is None:
        return {}
    return {"csat_link": csat_link(ticket=ticket), "csat_days": csat_days()}


def transcript_context(*, ticket: Ticket) -> dict:
    """Everything the three templates show. Files are attached only while their total stays small."""
    # Internal notes are the attendants' own: never in the requester's e-mail.
    messages = list(ticket.messages.filter(VISIBLE_TO_REQUESTER).prefetch_related("attachments").order_by("id"))
    files = [attachment for message in messages for attachment in message.attachments.all()]
    total = sum(attachment.size for attachment in files)
    return {
        "ticket": ticket,
        "module": ticket.module,
        "entity": ticket.entity,
        "requester": ticket.requester,
        "attendant_name": _display_name(ticket.attendant),
        "status": ticket.get_status_display(),
        "opening": [message for message in messages if message.kind == Message.Kind.OPENING],
        "dialog": [message for message in messages if message.kind != Message.Kind.OPENING],
        "files": files,
        "files_attached": total <= settings.TRANSCRIPT_ATTACH_MAX_BYTES,
        "attach_limit": settings.TRANSCRIPT_ATTACH_MAX_BYTES,
        **csat_email_context(ticket=ticket),
    }


def transcript_language(*, ticket: Ticket) -> str:
    """The requester's language: the one kept on their account, else the site's default (pt-BR)."""
    user = ticket.requester.user
    return (user is not None and user_language(user=user)) or settings.LANGUAGE_CODE


def transcript_message_build(*, ticket: Ticket, message_id: str, to: list[str]) -> EmailMultiAlternatives:
    """The e-mail, in the requester's language and the site's time zone whatever the worker's locale."""
    with translation.override(transcript_language(ticket=ticket)), timezone.override(settings.TIME_ZONE):
        context = transcript_context(ticket=ticket)
        subject = " ".join(render_to_string(f"{TEMPLATE}.subject.txt", context).split())
        text = render_to_string(f"{TEMPLATE}.txt", context)
        html = render_to_string(f"{TEMPLATE}.html", context)
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=to,
        # Auto-Submitted keeps vacation responders from answering a machine (RFC 3834).
        headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated"},
    )
    email.attach_alternative(html, "text/html")
    if context["files_attached"]:
        for attachment in context["files"]:
            try:
                with attachment.file.open("rb") as stored:
                    content = stored.read()
            except OSError:
                # A file gone from storage must not hold back the e-mail: it stays listed.
                logger.warning("Attachment %s of ticket %s is missing from storage", attachment.pk, ticket.pk)
                continue
            email.attach(attachment.original_name, content, attachment.content_type or "application/octet-stream")
    return email


def _message_id_domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"


def transcript_send(*, ticket_id: int) -> str:
    """Send the transcript of a concluded ticket unless it was sent already; say what happened.

    SMTP and network errors propagate to the task, which retries.
    """
    with transaction.atomic():
        outbox = TranscriptOutbox.objects.select_for_update().filter(ticket_id=ticket_id).first()
        if outbox is None:
            logger.warning("Transcript of ticket %s: no such ticket or no outbox row, nothing sent", ticket_id)
            return MISSING
        if outbox.sent_at is not None:
            return ALREADY_SENT
        # Committed before the first byte leaves, so every later attempt reuses it.
        if not outbox.message_id:
            outbox.message_id = make_msgid(idstring=f"atendimento-{ticket_id}", domain=_message_id_domain())
        outbox.attempts += 1
        outbox.save(update_fields=["message_id", "attempts"])

    with transaction.atomic():
        # Locked while the server is spoken to: a concurrent run waits here, then finds sent_at.
        outbox = TranscriptOutbox.objects.select_for_update().filter(pk=outbox.pk).first()
        if outbox is None:
            return MISSING
        if outbox.sent_at is not None:
            return ALREADY_SENT
        ticket = Ticket.objects.select_related("module", "entity", "requester", "attendant").get(pk=ticket_id)
        now = timezone.now()
        to = transcript_recipients(ticket=ticket)
        if not to:
            if person_emails(person=ticket.requester):
                # Unconfirmed addresses only: the row stays pending (the sweep tries again) until one is
                # confirmed, or fails for good once a verification link could no longer be valid.
                waited = (now - outbox.created_at).total_seconds()
                final = waited > settings.EMAIL_VERIFICATION_MAX_AGE
                outbox.last_error = str(NO_CONFIRMED_RECIPIENT_ERROR if final else WAITING_CONFIRMATION)
                outbox.failed_at = now if final else None
                logger.warning("Transcript of ticket %s: no confirmed e-mail address yet", ticket_id)
                outbox.save(update_fields=["failed_at", "last_error"])
                return UNCONFIRMED
            outbox.failed_at = now
            outbox.last_error = NO_RECIPIENT_ERROR
            outbox.save(update_fields=["failed_at", "last_error"])
            logger.warning("Transcript of ticket %s: the requester has no e-mail address", ticket_id)
            return NO_RECIPIENT
        transcript_message_build(ticket=ticket, message_id=outbox.message_id, to=to).send(using=DEFAULT_MAILER_ALIAS)
        outbox.sent_at = now
        outbox.failed_at = None
        outbox.last_error = ""
        outbox.save(update_fields=["sent_at", "failed_at", "last_error"])
        Ticket.objects.filter(pk=ticket_id).update(transcript_sent_at=now)
    logger.info("Transcript of ticket %s sent to %d address(es), %s", ticket_id, len(to), outbox.message_id)
    return SENT


def transcript_error_is_permanent(error: BaseException) -> bool:
    """A 5xx SMTP reply will not change by waiting (bad address, refused sender, failed login)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def transcript_record_error(*, ticket_id: int, error: BaseException, final: bool, retry_in: int = 0) -> None:
    """Keep the last error on the row (and the failure time after the last try) for the admin."""
    fields: dict[str, object] = {"last_error": f"{type(error).__name__}: {error}"[:2000]}
    if final:
        fields["failed_at"] = timezone.now()
    try:
        TranscriptOutbox.objects.filter(ticket_id=ticket_id, sent_at__isnull=True).update(**fields)
    except DatabaseError:
        logger.exception("Could not record the transcript error of ticket %s", ticket_id)
    # While a retry waits in the broker, the sweep leaves the row alone.
    try:
        if not final:
            cache.set(_retry_key(ticket_id), True, timeout=retry_in + settings.CELERY_TASK_TIME_LIMIT + 60)
        else:
            cache.delete(_retry_key(ticket_id))
    except Exception:
        # The marker only spares the sweep a redundant task; losing it costs nothing else.
        logger.exception("Could not set the retry marker of ticket %s", ticket_id)


def transcript_outbox_requeue() -> int:
    """The periodic sweep: queue again the rows still unsent a while after the conclusion.

    Covers a task lost with the broker's queue, or never queued because the broker was down at
    commit. Rows that failed for good wait for the admin; rows with a retry pending are skipped.
    """
    from .tasks import send_transcript

    cutoff = timezone.now() - timedelta(seconds=settings.TRANSCRIPT_SWEEP_AFTER)
    ticket_ids = list(
        TranscriptOutbox.objects.filter(sent_at__isnull=True, failed_at__isnull=True, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("ticket_id", flat=True)[:SWEEP_BATCH]
    )
    retrying = cache.get_many([_retry_key(ticket_id) for ticket_id in ticket_ids])
    queued = 0
    for ticket_id in ticket_ids:
        if _retry_key(ticket_id) not in retrying:
            send_transcript.delay(ticket_id)
            queued += 1
    if queued:
        logger.info("Transcript sweep queued %d unsent e-mail(s) again", queued)
    return queued


def transcript_outbox_resend(*, outbox_ids: Iterable[int]) -> int:
    """The admin's "Enviar novamente": clear the failure and queue the task again (unsent rows only).

    The Message-ID is kept: should an earlier attempt have reached the recipient after all,
    the new one is recognisably the same e-mail.
    """
    from .tasks import send_transcript

    with transaction.atomic():
        rows = list(TranscriptOutbox.objects.select_for_update().filter(pk__in=list(outbox_ids), sent_at__isnull=True))
        for row in rows:
            row.failed_at = None
            row.last_error = ""
            row.attempts = 0
            row.save(update_fields=["failed_at", "last_error", "attempts"])
            transaction.on_commit(partial(send_transcript.delay, row.ticket_id), robust=True)
    return len(rows)
