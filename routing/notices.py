"""The e-mail "there is a reply" to a requester who left (no message text: it may be read on a shared computer).

Once-only as the transcript (tickets/transcript.py): the row (ticket, period) is unique, its
Message-ID is fixed and committed before anything leaves, and it is sent with the row locked and
marked sent in the same transaction; a second run (a re-delivery, the sweep) finds it sent.
Skipped when the reply was read or the ticket closed meanwhile, or the person switched it off.
"""

import logging
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.core.mail.handler import DEFAULT_MAILER_ALIAS
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from people.selectors import person_emails, user_language
from tickets.models import CLOSED_STATUSES, UNREAD_FOR_REQUESTER, Message, Ticket

from .models import ReplyNotice
from .selectors import reply_email_enabled

logger = logging.getLogger(__name__)

SENT = "sent"
ALREADY_SENT = "already_sent"
MISSING = "missing"
READ = "read"
CLOSED = "closed"
SWITCHED_OFF = "switched_off"
TOO_EARLY = "too_early"
PERIOD_USED = "period_used"
NO_RECIPIENT = "no_recipient"

TEMPLATE = "emails/reply_notice"
SWEEP_BATCH = 500


def _window(now) -> int:
    return int(now.timestamp() // settings.REPLY_NOTICE_PERIOD)


def _skip_reason(ticket: Ticket | None, reply_id: int, now) -> str | None:
    if ticket is None:
        return MISSING
    if ticket.status in CLOSED_STATUSES:
        return CLOSED
    if ticket.requester_read_id >= reply_id:
        return READ
    if not reply_email_enabled(user=ticket.requester.user):
        return SWITCHED_OFF
    return None


def reply_notice_send(*, ticket_id: int, reply_id: int) -> str:
    """Send the notice of the unread reply ``reply_id`` unless skipped or already sent; say what happened."""
    now = timezone.now()
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("requester", "requester__user", "module")
            .filter(pk=ticket_id)
            .first()
        )
        reason = _skip_reason(ticket, reply_id, now)
        if reason:
            return reason
        reply = Message.objects.filter(pk=reply_id, ticket_id=ticket_id).values_list("created_at", flat=True).first()
        if reply is None:
            return MISSING
        if now - reply < timedelta(seconds=settings.REPLY_NOTICE_AFTER):
            return TOO_EARLY
        window = _window(now)
        notice = ReplyNotice.objects.filter(ticket_id=ticket_id, window=window).first()
        if notice is None:
            # At most one per period, also across the edge of two windows.
            recent = now - timedelta(seconds=settings.REPLY_NOTICE_PERIOD)
            if ReplyNotice.objects.filter(ticket_id=ticket_id, sent_at__gt=recent).exists():
                return PERIOD_USED
            try:
                with transaction.atomic():
                    notice = ReplyNotice.objects.create(ticket_id=ticket_id, window=window, reply_id=reply_id)
            except IntegrityError:
                notice = ReplyNotice.objects.get(ticket_id=ticket_id, window=window)
        if notice.sent_at is not None:
            return ALREADY_SENT
        if not notice.message_id:
            domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
            notice.message_id = make_msgid(idstring=f"aviso-{ticket_id}-{window}", domain=domain)
        notice.attempts += 1
        notice.save(update_fields=["message_id", "attempts"])

    with transaction.atomic():
        # Locked while the server is spoken to: a concurrent run waits here, then finds sent_at.
        notice = ReplyNotice.objects.select_for_update().get(pk=notice.pk)
        if notice.sent_at is not None:
            return ALREADY_SENT
        ticket = Ticket.objects.select_related("requester", "requester__user", "module").get(pk=ticket_id)
        reason = _skip_reason(ticket, reply_id, now)
        if reason:
            notice.delete()
            return reason
        to = list(dict.fromkeys(person_emails(person=ticket.requester, confirmed_only=True)))
        if not to:
            notice.delete()
            return NO_RECIPIENT
        reply_notice_build(ticket=ticket, message_id=notice.message_id, to=to).send(using=DEFAULT_MAILER_ALIAS)
        notice.sent_at = timezone.now()
        notice.last_error = ""
        notice.save(update_fields=["sent_at", "last_error"])
    logger.info("Reply notice of ticket %s sent, %s", ticket_id, notice.message_id)
    return SENT


def reply_notice_build(*, ticket: Ticket, message_id: str, to: list[str]) -> EmailMultiAlternatives:
    """Subject, text and HTML from templates/emails/reply_notice.*, in the requester's language: a link, no text."""
    user = ticket.requester.user
    language = (user is not None and user_language(user=user)) or settings.LANGUAGE_CODE
    link = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("chat-ticket", args=[ticket.pk])
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        context = {"ticket": ticket, "requester": ticket.requester, "module": ticket.module, "link": link}
        subject = " ".join(render_to_string(f"{TEMPLATE}.subject.txt", context).split())
        text = render_to_string(f"{TEMPLATE}.txt", context)
        html = render_to_string(f"{TEMPLATE}.html", context)
    email = EmailMultiAlternatives(
        subject=subject, body=text, to=to, headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated"}
    )
    email.attach_alternative(html, "text/html")
    return email


def reply_notice_record_error(*, ticket_id: int, error: BaseException) -> None:
    ReplyNotice.objects.filter(ticket_id=ticket_id, sent_at__isnull=True).update(
        last_error=f"{type(error).__name__}: {error}"[:2000]
    )


def reply_notice_candidates(*, now=None) -> list[tuple[int, int]]:
    """The sweep: open tickets whose newest attendant reply is unread for REPLY_NOTICE_AFTER, with no notice
    sent in the current period. (ticket id, reply id) pairs, oldest first."""
    now = now or timezone.now()
    old_reply = Message.objects.filter(
        pk=OuterRef("last_attendant_message_id"),
        created_at__lte=now - timedelta(seconds=settings.REPLY_NOTICE_AFTER),
    )
    recent_notice = ReplyNotice.objects.filter(
        ticket=OuterRef("pk"), sent_at__gt=now - timedelta(seconds=settings.REPLY_NOTICE_PERIOD)
    )
    return list(
        Ticket.objects.filter(UNREAD_FOR_REQUESTER)
        .exclude(status__in=CLOSED_STATUSES)
        .filter(Exists(old_reply), ~Exists(recent_notice))
        .order_by("last_attendant_message_id")
        .values_list("pk", F("last_attendant_message_id"))[:SWEEP_BATCH]
    )
