"""The satisfaction survey: signed links, and the one write (an answer, or its change until the deadline)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from tickets.models import CONCLUDED_STATUSES, Ticket

from . import errors
from .models import COMMENT_MAX_LENGTH, SCORE_MAX, SCORE_MIN, SatisfactionAnswer

SALT = "csat.answer"


def csat_days() -> int:
    return settings.CSAT_DAYS


def csat_deadline(*, ticket: Ticket) -> datetime | None:
    """Until when the ticket may be rated: CSAT_DAYS after its conclusion."""
    if ticket.status not in CONCLUDED_STATUSES or ticket.closed_at is None:
        return None
    return ticket.closed_at + timedelta(days=csat_days())


def csat_is_open(*, ticket: Ticket, now: datetime | None = None) -> bool:
    deadline = csat_deadline(ticket=ticket)
    return deadline is not None and (now or timezone.now()) <= deadline


def csat_token(*, ticket: Ticket) -> str:
    """A signed token naming the ticket (and its conclusion, so it cannot outlive it); no login needed."""
    return signing.dumps({"t": ticket.pk, "c": int(ticket.closed_at.timestamp())}, salt=SALT, compress=True)


def csat_link(*, ticket: Ticket) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("csat-link", args=[csat_token(ticket=ticket)])


def csat_ticket_from_token(*, token: str) -> Ticket:
    """The ticket a link names; a tampered, foreign or expired link is refused with a clear message."""
    try:
        data = signing.loads(token, salt=SALT, max_age=timedelta(days=csat_days()))
    except signing.SignatureExpired:
        raise errors.LinkExpired(gettext(errors.LINK_EXPIRED).format(days=csat_days())) from None
    except signing.BadSignature:
        raise errors.LinkInvalid(errors.LINK_INVALID) from None
    try:
        ticket = Ticket.objects.select_related("module", "satisfaction").get(pk=int(data["t"]))
    except (Ticket.DoesNotExist, KeyError, TypeError, ValueError):
        raise errors.LinkInvalid(errors.LINK_INVALID) from None
    if ticket.closed_at is None or int(ticket.closed_at.timestamp()) != data.get("c"):
        raise errors.LinkInvalid(errors.LINK_INVALID)
    if not csat_is_open(ticket=ticket):
        raise errors.LinkExpired(gettext(errors.LINK_EXPIRED).format(days=csat_days()))
    return ticket


def _clean_score(score: object) -> int:
    try:
        value = int(str(score).strip())
    except (TypeError, ValueError):
        raise errors.SurveyError(errors.SCORE_INVALID) from None
    if not SCORE_MIN <= value <= SCORE_MAX:
        raise errors.SurveyError(errors.SCORE_INVALID)
    return value


def csat_answer(
    *, ticket: Ticket, score: object, comment: str = "", via: str, now: datetime | None = None
) -> SatisfactionAnswer:
    """Record (or change) the one answer of a concluded ticket, until the deadline."""
    value = _clean_score(score)
    comment = (comment or "").replace("\x00", "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise errors.SurveyError(gettext(errors.COMMENT_TOO_LONG).format(limit=COMMENT_MAX_LENGTH))
    now = now or timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.status not in CONCLUDED_STATUSES:
            raise errors.SurveyError(errors.NOT_CONCLUDED)
        if not csat_is_open(ticket=ticket, now=now):
            raise errors.SurveyError(errors.EXPIRED)
        answer = SatisfactionAnswer.objects.filter(ticket=ticket).first()
        if answer is None:
            try:
                with transaction.atomic():
                    return SatisfactionAnswer.objects.create(
                        ticket=ticket, score=value, comment=comment, via=via, answered_at=now, changed_at=now
                    )
            except IntegrityError:
                answer = SatisfactionAnswer.objects.get(ticket=ticket)
        answer.score = value
        answer.comment = comment
        answer.via = via
        answer.changed_at = now
        answer.save(update_fields=["score", "comment", "via", "changed_at"])
    return answer
