"""The reports' figures, aggregated in SQL: a fixed number of queries whatever the number of tickets.

Every figure is about the tickets opened in the chosen range (local days, America/Sao_Paulo), except
the backlog, which counts the tickets open at the end of each day. Medians and 90th percentiles use
PostgreSQL's percentile_cont; on another database (the embedded SQLite) they are left out, and the
page says so.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Aggregate, Avg, Count, DurationField, F, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate
from django.utils import timezone

from csat.models import SatisfactionAnswer
from tickets.models import CLOSED_STATUSES, CONCLUDED_STATUSES, UNREAD_FOR_ATTENDANT, WAITING_STATUSES, Ticket
from tickets.selectors import user_is_attendant

#: Entities are many (hundreds of municipalities): the table shows those with most tickets.
TOP_ENTITIES = 20
OWN_TICKETS_LIMIT = 50


class Percentile(Aggregate):
    """PostgreSQL's ordered-set aggregate percentile_cont, over an interval (gives an interval)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    output_field = DurationField()

    def __init__(self, expression, *, fraction: float, **extra) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


def percentiles_supported() -> bool:
    return connection.vendor == "postgresql"


def user_sees_all_reports(*, user: AbstractBaseUser) -> bool:
    """Administrators and the "Gestores" group see everyone's figures."""
    return user.is_active and user.is_staff and (user.is_superuser or user.has_perm("reports.view_reports"))


def user_may_see_reports(*, user: AbstractBaseUser) -> bool:
    """Managers see everything; attendants see only their own figures; other staff nothing."""
    return user_sees_all_reports(user=user) or user_is_attendant(user=user)


@dataclass(frozen=True)
class Scope:
    start: date
    end: date
    #: None: every attendant's tickets; otherwise only this attendant's.
    attendant_id: int | None = None

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def bounds(self) -> tuple[datetime, datetime]:
        zone = ZoneInfo(settings.TIME_ZONE)
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )


def _tickets(scope: Scope) -> QuerySet[Ticket]:
    queryset = Ticket.objects.all()
    if scope.attendant_id is not None:
        queryset = queryset.filter(attendant_id=scope.attendant_id)
    return queryset


def _opened_in(scope: Scope) -> QuerySet[Ticket]:
    begin, end = scope.bounds()
    return _tickets(scope).filter(opened_at__gte=begin, opened_at__lt=end)


FIRST_RESPONSE = F("first_response_at") - F("opened_at")
RESOLUTION = F("closed_at") - F("opened_at")
ANSWERED = Q(first_response_at__isnull=False)
RESOLVED = Q(status__in=CONCLUDED_STATUSES, closed_at__isnull=False)


def _time_figures() -> dict:
    """Averages always; medians and 90th percentiles where the database has percentile_cont."""
    figures = {
        "answered": Count("pk", filter=ANSWERED),
        "resolved": Count("pk", filter=RESOLVED),
        "first_response_avg": Avg(FIRST_RESPONSE, filter=ANSWERED, output_field=DurationField()),
        "resolution_avg": Avg(RESOLUTION, filter=RESOLVED, output_field=DurationField()),
    }
    if percentiles_supported():
        figures |= {
            "first_response_median": Percentile(FIRST_RESPONSE, fraction=0.5, filter=ANSWERED),
            "first_response_p90": Percentile(FIRST_RESPONSE, fraction=0.9, filter=ANSWERED),
            "resolution_median": Percentile(RESOLUTION, fraction=0.5, filter=RESOLVED),
            "resolution_p90": Percentile(RESOLUTION, fraction=0.9, filter=RESOLVED),
        }
    return figures


def report_summary(*, scope: Scope) -> dict:
    """Totals of the range: tickets, off-line, concluded, and the time figures. One query."""
    return _opened_in(scope).aggregate(
        total=Count("pk"), offline=Count("pk", filter=Q(opened_offline=True)), **_time_figures()
    )


def report_by_day(*, scope: Scope) -> list[dict]:
    """Tickets opened each day (every day of the range, zeros included), with the off-line ones. One query."""
    zone = ZoneInfo(settings.TIME_ZONE)
    rows = (
        _opened_in(scope)
        .annotate(day=TruncDate("opened_at", tzinfo=zone))
        .values("day")
        .annotate(total=Count("pk"), offline=Count("pk", filter=Q(opened_offline=True)))
        .order_by()
    )
    found = {row["day"]: row for row in rows}
    return [
        {"day": day, "total": found.get(day, {}).get("total", 0), "offline": found.get(day, {}).get("offline", 0)}
        for day in scope.days
    ]


def report_heatmap(*, scope: Scope) -> list[list[int]]:
    """Arrivals by weekday (Monday first) and hour: a 7 × 24 grid. One query."""
    zone = ZoneInfo(settings.TIME_ZONE)
    grid = [[0] * 24 for _ in range(7)]
    rows = (
        _opened_in(scope)
        .annotate(weekday=ExtractIsoWeekDay("opened_at", tzinfo=zone), hour=ExtractHour("opened_at", tzinfo=zone))
        .values("weekday", "hour")
        .annotate(total=Count("pk"))
        .order_by()
    )
    for row in rows:
        grid[row["weekday"] - 1][row["hour"]] = row["total"]
    return grid


def report_backlog(*, scope: Scope) -> list[dict]:
    """Tickets still open at the end of each day: those open at the start, plus opened, minus closed. Three queries."""
    zone = ZoneInfo(settings.TIME_ZONE)
    begin, end = scope.bounds()
    tickets = _tickets(scope)
    carried = tickets.filter(opened_at__lt=begin).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=begin)).count()
    opened = dict(
        tickets.filter(opened_at__gte=begin, opened_at__lt=end)
        .annotate(day=TruncDate("opened_at", tzinfo=zone))
        .values("day")
        .annotate(total=Count("pk"))
        .order_by()
        .values_list("day", "total")
    )
    closed = dict(
        tickets.filter(closed_at__gte=begin, closed_at__lt=end)
        .annotate(day=TruncDate("closed_at", tzinfo=zone))
        .values("day")
        .annotate(total=Count("pk"))
        .order_by()
        .values_list("day", "total")
    )
    backlog = []
    open_now = carried
    for day in scope.days:
        open_now += opened.get(day, 0) - closed.get(day, 0)
        backlog.append({"day": day, "opened": opened.get(day, 0), "closed": closed.get(day, 0), "open": open_now})
    return backlog


def _grouped(scope: Scope, *fields: str) -> QuerySet:
    return (
        _opened_in(scope)
        .values(*fields)
        .annotate(
            total=Count("pk"),
            offline=Count("pk", filter=Q(opened_offline=True)),
            csat_avg=Avg("satisfaction__score"),
            csat_count=Count("satisfaction"),
            **_time_figures(),
        )
    )


def report_by_attendant(*, scope: Scope) -> list[dict]:
    """Per attendant (tickets nobody took yet under "—"). One query."""
    rows = _grouped(scope, "attendant_id", "attendant__username", "attendant__first_name", "attendant__last_name")
    result = []
    for row in rows.order_by("-total", "attendant__username"):
        full = f"{row['attendant__first_name'] or ''} {row['attendant__last_name'] or ''}".strip()
        row["name"] = full or row["attendant__username"] or ""
        result.append(row)
    return result


def report_by_module(*, scope: Scope) -> list[dict]:
    """Per ERP module. One query."""
    rows = _grouped(scope, "module_id", "module__name").order_by("-total", "module__name")
    return [{**row, "name": row["module__name"]} for row in rows]


def report_by_entity(*, scope: Scope) -> list[dict]:
    """Per entity (municipality), the TOP_ENTITIES with most tickets. One query."""
    rows = _grouped(scope, "entity_id", "entity__name").order_by("-total", "entity__name")[:TOP_ENTITIES]
    return [{**row, "name": row["entity__name"]} for row in rows]


def report_csat(*, scope: Scope) -> dict:
    """The satisfaction answers of the range's tickets: how many of each score, and the average. One query."""
    begin, end = scope.bounds()
    answers = SatisfactionAnswer.objects.filter(ticket__opened_at__gte=begin, ticket__opened_at__lt=end)
    if scope.attendant_id is not None:
        answers = answers.filter(ticket__attendant_id=scope.attendant_id)
    counts = dict(answers.values("score").annotate(total=Count("pk")).order_by().values_list("score", "total"))
    distribution = [{"score": score, "total": counts.get(score, 0)} for score in range(1, 6)]
    total = sum(row["total"] for row in distribution)
    average = sum(row["score"] * row["total"] for row in distribution) / total if total else None
    return {"distribution": distribution, "total": total, "average": average}


def attendant_today(*, user: AbstractBaseUser, now: datetime | None = None) -> dict:
    """An attendant's own page: today's tickets, the queue, their unanswered ones, first response, CSAT.

    Three queries: the figures (one aggregate), today's tickets, the CSAT of the last 30 days.
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    now = now or timezone.now()
    today = timezone.localtime(now, zone).date()
    begin = datetime.combine(today, time.min, tzinfo=zone)
    mine_today = Q(attendant_id=user.pk) & (Q(opened_at__gte=begin) | Q(taken_at__gte=begin) | Q(closed_at__gte=begin))
    answered_today = Q(attendant_id=user.pk, first_response_at__gte=begin)
    figures = {
        "today": Count("pk", filter=mine_today),
        "concluded_today": Count(
            "pk", filter=Q(attendant_id=user.pk, closed_at__gte=begin, status__in=CONCLUDED_STATUSES)
        ),
        "queue_waiting": Count("pk", filter=Q(status__in=WAITING_STATUSES)),
        "mine_unread": Count(
            "pk", filter=Q(attendant_id=user.pk) & UNREAD_FOR_ATTENDANT & ~Q(status__in=CLOSED_STATUSES)
        ),
        "mine_open": Count("pk", filter=Q(attendant_id=user.pk) & ~Q(status__in=CLOSED_STATUSES)),
        "answered_today": Count("pk", filter=answered_today),
        "first_response_avg": Avg(FIRST_RESPONSE, filter=answered_today, output_field=DurationField()),
    }
    if percentiles_supported():
        figures["first_response_median"] = Percentile(FIRST_RESPONSE, fraction=0.5, filter=answered_today)
    result = Ticket.objects.aggregate(**figures)
    result["tickets"] = list(
        Ticket.objects.filter(mine_today).select_related("module", "entity").order_by("-opened_at")[:OWN_TICKETS_LIMIT]
    )
    since = now - timedelta(days=30)
    result["csat"] = SatisfactionAnswer.objects.filter(ticket__attendant_id=user.pk, changed_at__gte=since).aggregate(
        average=Avg("score"), total=Count("pk")
    )
    return result
