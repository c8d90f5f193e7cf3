"""Reads of routing: a waiting ticket's place in the queue, the wait estimate, the attendants' load.

The estimate's method is described in docs/routing.md and its error measured in
tests/routing/test_estimate.py on a recorded day of arrivals and takes.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q
from django.utils import timezone

from tickets.models import CLOSED_STATUSES, WAITING_STATUSES, Status, Ticket
from tickets.selectors import attendance_is_open, attendance_next_start, queue_wait_levels

from .models import AttendantState, NoticePreference, Offer

#: The queue drains at the pace of the last takes: at most this many, within this window.
ESTIMATE_TAKES = 20
ESTIMATE_WINDOW = timedelta(minutes=60)
#: Fewer takes than this in the window: the estimate falls back to handling time / attendants.
ESTIMATE_MIN_TAKES = 3
#: Used while nothing was measured yet (a new installation, the first ticket of the day).
DEFAULT_HANDLING = timedelta(minutes=10)


def _ahead(ticket: Ticket) -> Q:
    return (
        Q(priority__lt=ticket.priority)
        | Q(priority=ticket.priority, opened_at__lt=ticket.opened_at)
        | Q(priority=ticket.priority, opened_at=ticket.opened_at, id__lt=ticket.pk)
    )


def queue_position(*, ticket: Ticket) -> int:
    """1 for the first of the queue: the waiting tickets nobody holds ahead of this one, plus one."""
    waiting = Ticket.objects.filter(status__in=WAITING_STATUSES, attendant__isnull=True)
    return waiting.filter(_ahead(ticket)).count() + 1


def attendants_available_count() -> int:
    """Attendants "Disponível" now; with routing off, the attendants holding an open ticket (at least 1)."""
    available = AttendantState.objects.filter(available=True, user__is_active=True).count()
    if available:
        return available
    busy = (
        Ticket.objects.filter(attendant__isnull=False)
        .exclude(status__in=CLOSED_STATUSES)
        .values("attendant_id")
        .distinct()
        .count()
    )
    return max(busy, 1)


def take_interval(*, now: datetime) -> timedelta | None:
    """The mean time between the recent takes (the queue's recent pace), or None with too few of them."""
    taken = list(
        Ticket.objects.filter(taken_at__gt=now - ESTIMATE_WINDOW, taken_at__lte=now)
        .order_by("-taken_at")
        .values_list("taken_at", flat=True)[:ESTIMATE_TAKES]
    )
    if len(taken) < ESTIMATE_MIN_TAKES:
        return None
    # n takes seen over the span from the oldest of them to now: now counts, so a queue that stopped
    # moving (nobody took anything for a while) gets longer estimates, not the pace of an hour ago.
    return (now - taken[-1]) / len(taken)


def handling_time(*, now: datetime) -> timedelta:
    """The mean time from take to close of the recent closed tickets (DEFAULT_HANDLING while there are none)."""
    rows = list(
        Ticket.objects.filter(closed_at__gt=now - timedelta(days=1), closed_at__lte=now, taken_at__isnull=False)
        .order_by("-closed_at")
        .values_list("taken_at", "closed_at")[:ESTIMATE_TAKES]
    )
    if not rows:
        return DEFAULT_HANDLING
    return sum((closed - taken for taken, closed in rows), timedelta()) / len(rows)


def wait_estimate(*, position: int, now: datetime | None = None) -> timedelta:
    """The expected wait of the ticket at ``position``: position × the recent interval between takes;
    without enough recent takes, position × handling time / attendants available."""
    now = now or timezone.now()
    interval = take_interval(now=now)
    if interval is None:
        interval = handling_time(now=now) / attendants_available_count()
    return interval * position


def estimate_minutes(estimate: timedelta) -> int:
    """Shown rounded up to whole minutes, at least 1 ("cerca de 1 min")."""
    return max(1, math.ceil(estimate.total_seconds() / 60))


@dataclass(frozen=True)
class WaitInfo:
    number: int
    position: int | None
    minutes: int | None
    next_opening: datetime | None


def wait_info_for_person(*, person_id: int, now: datetime | None = None) -> list[WaitInfo]:
    """The person's waiting tickets with their place and estimate; off-line ones with the next opening.

    A person has at most OPEN_TICKETS_MAX open tickets: a few queries whatever the queue's length.
    """
    now = now or timezone.now()
    tickets = list(
        Ticket.objects.filter(requester_id=person_id, status__in=WAITING_STATUSES, attendant__isnull=True).order_by(
            "opened_at"
        )
    )
    if not tickets:
        return []
    is_open = attendance_is_open(at=now)
    interval: timedelta | None = None
    infos = []
    for ticket in tickets:
        if ticket.status == Status.OFFLINE and not is_open:
            infos.append(WaitInfo(ticket.pk, None, None, attendance_next_start(at=now)))
            continue
        position = queue_position(ticket=ticket)
        if interval is None:
            interval = wait_estimate(position=1, now=now)
        infos.append(WaitInfo(ticket.pk, position, estimate_minutes(interval * position), None))
    return infos


def attendant_load(*, user_ids: list[int]) -> dict[int, int]:
    """Open tickets held plus pending offers, per attendant, in two queries."""
    load = dict.fromkeys(user_ids, 0)
    held = (
        Ticket.objects.filter(attendant_id__in=user_ids)
        .exclude(status__in=CLOSED_STATUSES)
        .values("attendant_id")
        .annotate(n=Count("pk"))
    )
    for row in held:
        load[row["attendant_id"]] += row["n"]
    offered = (
        Offer.objects.filter(attendant_id__in=user_ids, state=Offer.State.PENDING)
        .values("attendant_id")
        .annotate(n=Count("pk"))
    )
    for row in offered:
        load[row["attendant_id"]] += row["n"]
    return load


def attendants_available_ids(user_ids=None) -> set[int]:
    """Of these users (None: of every active staff user), the ones "Disponível" now (one query)."""
    states = AttendantState.objects.filter(available=True, user__is_active=True, user__is_staff=True)
    if user_ids is not None:
        states = states.filter(user_id__in=list(user_ids))
    return set(states.values_list("user_id", flat=True))


def attendant_state_get(*, user: AbstractBaseUser) -> AttendantState | None:
    return AttendantState.objects.filter(user=user).first()


def offer_pending_list(*, user: AbstractBaseUser) -> list[Offer]:
    return list(
        Offer.objects.filter(attendant=user, state=Offer.State.PENDING)
        .select_related("ticket", "ticket__module", "ticket__requester")
        .order_by("created_at")
    )


def reply_email_enabled(*, user: AbstractBaseUser | None) -> bool:
    if user is None:
        return False
    return NoticePreference.objects.filter(user=user).values_list("reply_email", flat=True).first() is not False


def overdue_cutoff(*, now: datetime | None = None) -> datetime:
    """Opened before this, a ticket nobody took is overdue: the queue's "atrasado" level, one threshold for both
    (set in the admin's "Configuração da fila", else QUEUE_OVERDUE_SECONDS)."""
    return (now or timezone.now()) - queue_wait_levels().overdue
