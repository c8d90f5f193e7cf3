"""Reads of tickets: access checks, the panel, "Meus Atendimentos", the conversation, the queue.

Every list here costs a fixed number of queries, whatever the data size.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Left
from django.http import Http404
from django.utils import timezone

from attachments.models import Attachment
from people.models import Person

from .models import (
    CLOSED_STATUSES,
    UNREAD_FOR_REQUESTER,
    VISIBLE_TO_REQUESTER,
    WAITING_STATUSES,
    AttendancePeriod,
    AttendantPreference,
    Handoff,
    Message,
    Module,
    QueueSettings,
    Status,
    Ticket,
)
from .permissions import ATTENDANTS_GROUP  # noqa: F401 (re-exported for callers)

MY_TICKETS_LIMIT = 20
PANEL_LIMIT = 50


def user_is_attendant(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    """An IPM attendant: active staff with the permission to attend tickets (the "Atendentes" group)."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return user.has_perm("tickets.attend_ticket")


def attendance_is_open(*, at: datetime | None = None) -> bool:
    """Whether `at` falls in attendance hours (America/Sao_Paulo): weekly periods, holidays, IPM's special days.

    No periods means always open. Three queries (attendance.calendar).
    """
    from attendance.calendar import calendar_load

    at = at or timezone.now()
    return calendar_load(at=at).is_open(at)


def module_list_active() -> QuerySet[Module]:
    return Module.objects.filter(active=True).order_by("name")


def ticket_get_for_user(*, user: AbstractBaseUser | AnonymousUser, number: int | str) -> Ticket:
    """The one access check: the ticket's requester, or an attendant. Everyone else gets the same 404."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise Http404 from None
    if not user.is_authenticated:
        raise Http404
    queryset = Ticket.objects.select_related(
        "module", "entity", "requester", "requester__entity", "attendant", "attendant__person"
    )
    if user_is_attendant(user=user):
        ticket = queryset.filter(pk=number).first()
    else:
        ticket = queryset.filter(pk=number, requester__user=user, requester__entity__online_chat_enabled=True).first()
    if ticket is None:
        raise Http404
    return ticket


def ticket_panel_list(*, person: Person) -> list[Ticket]:
    """The "ATENDIMENTO ON-LINE" panel: open tickets, and any ticket with an unread reply (S4, S14)."""
    return list(
        Ticket.objects.filter(requester=person)
        .filter(~Q(status__in=CLOSED_STATUSES) | UNREAD_FOR_REQUESTER)
        .order_by("-opened_at")[:PANEL_LIMIT]
    )


def ticket_recent_list(*, person: Person) -> list[Ticket]:
    """ "Meus Atendimentos": the last 20 tickets (S18)."""
    return list(
        Ticket.objects.filter(requester=person)
        .select_related("module", "attendant", "attendant__person")
        .order_by("-opened_at")[:MY_TICKETS_LIMIT]
    )


def ticket_unread_count(*, person_id: int) -> int:
    """The number on the red badge: tickets with an attendant message the person has not read."""
    return Ticket.objects.filter(UNREAD_FOR_REQUESTER, requester_id=person_id).count()


def message_list(
    *, ticket: Ticket, after_id: int = 0, limit: int | None = None, include_notes: bool = False
) -> list[Message]:
    """The dialog in order, with files; `after_id` gives what a reconnecting client missed (B2).

    Internal notes only with `include_notes` (attendants' pages and sockets): the default is the requester's view.
    """
    queryset = Message.objects.filter(ticket=ticket, id__gt=after_id)
    if not include_notes:
        queryset = queryset.filter(VISIBLE_TO_REQUESTER)
    queryset = queryset.order_by("id").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    )
    if limit is not None:
        queryset = queryset[:limit]
    return list(queryset)


def seen_marks(*, ticket: Ticket, own: str) -> dict:
    """What a page needs to put "Visto" under the reader's latest line: the other side's read mark.

    `own` is the reader's side ("attendant" or "requester"); no query (the marks are on the ticket).
    """
    from .realtime import seen_payload

    other = Message.Author.REQUESTER if own == Message.Author.ATTENDANT else Message.Author.ATTENDANT
    return {"own": own, **seen_payload(ticket, side=other)}


def message_opening_list(*, ticket: Ticket) -> list[Message]:
    """ "Descrição Abertura" (S21): the opening messages, the reason and files sent with it (files listed)."""
    return list(
        Message.objects.filter(ticket=ticket, kind__in=[Message.Kind.OPENING, Message.Kind.FILES])
        .filter(created_at=ticket.opened_at)
        .order_by("id")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
    )


def queue_waiting() -> QuerySet[Ticket]:
    """Waiting tickets in queue order (S8, B4): on-line before phone, then oldest first."""
    return Ticket.objects.filter(status__in=WAITING_STATUSES).order_by("priority", "opened_at", "id")


#: How much of the last message a queue row shows (one more is read, to know whether it was cut).
PREVIEW_CHARS = 80
#: Without a saved QueueSettings row, "atenção" starts after this long.
DEFAULT_ATTENTION = timedelta(minutes=3)


def preview_messages() -> QuerySet[Message]:
    """The messages a queue row may preview: what a person wrote, never a system line.

    The one place the preview chooses its messages. Only these kinds qualify: an internal note
    (``Message.Kind.NOTE``) never shows, nor any kind added later until it is named here.
    """
    return Message.objects.filter(
        author_kind__in=[Message.Author.REQUESTER, Message.Author.ATTENDANT],
        kind__in=[Message.Kind.OPENING, Message.Kind.TEXT, Message.Kind.FILES],
    )


def queue_list() -> QuerySet[Ticket]:
    """Every ticket in queue order, with what the admin list shows, in one query.

    Each row carries the start of its last message (``preview_body``, ``preview_kind``): a correlated
    subquery on the message index (ticket, id), evaluated for the rows of the page only, so the page
    stays one query whatever the number of tickets and messages.
    """
    last = preview_messages().filter(ticket=OuterRef("pk")).order_by("-id")
    return (
        Ticket.objects.select_related("module", "entity", "requester", "attendant")
        .annotate(
            preview_body=Subquery(last.annotate(start=Left("body", PREVIEW_CHARS + 1)).values("start")[:1]),
            preview_kind=Subquery(last.values("kind")[:1]),
        )
        .order_by("priority", "opened_at", "id")
    )


@dataclass(frozen=True)
class WaitLevels:
    """How long a ticket may wait before the queue shows it as "atenção" and as "atrasado"."""

    attention: timedelta
    overdue: timedelta

    def level(self, ticket: Ticket, *, now: datetime) -> str | None:
        """ "overdue", "attention" or None, for a ticket nobody took (as routing's overdue alert counts)."""
        if ticket.status != Status.NAO_INICIADO or ticket.attendant_id is not None:
            return None
        waited = now - ticket.opened_at
        if waited > self.overdue:
            return "overdue"
        if waited > self.attention:
            return "attention"
        return None


def queue_wait_levels() -> WaitLevels:
    """The administrator's thresholds (QueueSettings), else the defaults. One query."""
    row = QueueSettings.objects.order_by("pk").first()
    attention = timedelta(minutes=row.attention_minutes) if row else DEFAULT_ATTENTION
    if row and row.overdue_minutes:
        overdue = timedelta(minutes=row.overdue_minutes)
    else:
        overdue = timedelta(seconds=settings.QUEUE_OVERDUE_SECONDS)
    return WaitLevels(attention=attention, overdue=overdue)


def attendant_preference_get(*, user: AbstractBaseUser) -> AttendantPreference:
    """The attendant's console choices; the defaults (sound on) until they change one. One query."""
    return AttendantPreference.objects.filter(user_id=user.pk).first() or AttendantPreference(user_id=user.pk)


def attendant_list() -> QuerySet:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename="attend_ticket")
            | Q(user_permissions__codename="attend_ticket")
        )
        .distinct()
        .order_by("username")
    )


def queue_summary(*, user: AbstractBaseUser, now: datetime | None = None) -> dict:
    """The live numbers above the admin queue (B7), in one query.

    Keys: ``waiting`` and ``unread`` (open tickets with a requester message no attendant read),
    ``unread_mine`` (the same, among the user's tickets), ``longest_wait`` and ``average_wait``
    (of the tickets waiting now), ``average_first_response`` (first_response_at - opened_at of
    the tickets opened today, local time). Durations are ``timedelta`` or ``None``.
    ``newest_waiting`` (the highest waiting ticket number) and ``newest_mine`` (the newest requester
    message written after an attendant's, on the user's open tickets: taking a ticket or answering it is
    no news of a message) let the console notice what is new (static/js/console.js).
    """
    from django.db.models import Avg, Count, DateTimeField, DurationField, ExpressionWrapper, F, Max, Min, Value

    from .models import UNREAD_FOR_ATTENDANT

    now = now or timezone.now()
    today = timezone.localtime(now, ZoneInfo(settings.TIME_ZONE)).replace(hour=0, minute=0, second=0, microsecond=0)
    waiting = Q(status__in=WAITING_STATUSES)
    unread = UNREAD_FOR_ATTENDANT & ~Q(status__in=CLOSED_STATUSES)
    totals = Ticket.objects.aggregate(
        waiting=Count("pk", filter=waiting),
        unread=Count("pk", filter=unread),
        unread_mine=Count("pk", filter=unread & Q(attendant_id=user.pk)),
        oldest=Min("opened_at", filter=waiting),
        newest_waiting=Max("pk", filter=waiting),
        newest_mine=Max(
            "last_requester_message_id",
            filter=Q(
                attendant_id=user.pk,
                last_attendant_message_id__gt=0,
                last_requester_message_id__gt=F("last_attendant_message_id"),
            )
            & ~Q(status__in=CLOSED_STATUSES),
        ),
        average_wait=Avg(
            ExpressionWrapper(Value(now, output_field=DateTimeField()) - F("opened_at"), output_field=DurationField()),
            filter=waiting,
        ),
        average_first_response=Avg(
            ExpressionWrapper(F("first_response_at") - F("opened_at"), output_field=DurationField()),
            filter=Q(first_response_at__isnull=False, opened_at__gte=today),
        ),
    )
    oldest = totals.pop("oldest")
    totals["longest_wait"] = now - oldest if oldest else None
    return totals


def attendance_next_start(*, at: datetime) -> datetime | None:
    """The first opening after `at` (America/Sao_Paulo), skipping weekends, holidays and closed days;
    None when there are no periods.

    Tells the person whose ticket went "Chat Off-Line" when it will be answered.
    """
    from attendance.calendar import calendar_load

    return calendar_load(at=at).next_start(at)


def attendance_hours() -> list[tuple[str, str]]:
    """The attendance periods as people read them: ("Segunda-feira", "08:00–12:00, 13:30–18:00"), week order."""
    days: dict[int, list[str]] = {}
    for period in AttendancePeriod.objects.order_by("weekday", "starts_at"):
        days.setdefault(period.weekday, []).append(f"{period.starts_at:%H:%M}–{period.ends_at:%H:%M}")
    return [(str(AttendancePeriod.Weekday(day).label), ", ".join(spans)) for day, spans in days.items()]


def attendance_state(*, at: datetime | None = None) -> dict:
    """Open now or not; when not, the hours and the next opening (None when no period ever opens)."""
    at = at or timezone.now()
    if attendance_is_open(at=at):
        return {"open": True}
    return {"open": False, "hours": attendance_hours(), "next_start": attendance_next_start(at=at)}


#: The attendant's bar lists at most this many notices (the newest).
HANDOFF_BAR_LIMIT = 10


def handoff_unseen_list(*, user: AbstractBaseUser) -> list[Handoff]:
    """What other attendants said to this one and they have not seen yet (their bar), newest first."""
    return list(
        Handoff.objects.filter(to=user, seen_at__isnull=True)
        .select_related("ticket", "by", "by__person")
        .order_by("-created_at", "-id")[:HANDOFF_BAR_LIMIT]
    )


def handoff_latest_transfer(*, ticket: Ticket) -> Handoff | None:
    """The note of the last transfer of this ticket, for the attendants' conversation page (one query)."""
    return (
        Handoff.objects.filter(ticket=ticket, kind=Handoff.Kind.TRANSFER)
        .select_related("by", "by__person", "to", "to__person")
        .order_by("-created_at", "-id")
        .first()
    )
