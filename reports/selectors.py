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


# --- PostgreSQL: the whole page in three queries -------------------------------------------------
# One scan of the range's tickets gives the totals and the three groupings (GROUPING SETS); one scan of
# the tickets alive in the range gives the days, the heatmap and the backlog; the CSAT distribution is
# the third. percentile_cont(ARRAY[0.5, 0.9]) sorts once for both figures.
#
# What a year (100,000 tickets) costs, and why the queries are written this way (bench/ANALYSIS.md,
# "Report pages"): the percentiles sort every grouping set's values, so the rows fed to the grouping are
# narrowed first to the keys, the off-line flag, the CSAT score and the two durations as float8 seconds
# (date_part('epoch', interval)): a float8 sorts several times faster than an interval, and the grouping
# sets' own sorts move a third of the bytes. The figures come back as seconds and are turned into
# timedeltas rounded to the microsecond: they equal percentile_cont over intervals to within 1 µs. The
# series first counts the tickets per hour (date_bin, plain arithmetic on the instant, no time zone per
# row) and converts only those ~9,000 hours to local time: exact for any zone whose offset from UTC is a
# whole number of hours, as America/Sao_Paulo's has always been since 1914 (−3 h, −2 h in summer time).

_CONCLUDED_SQL = ", ".join(f"'{status.value}'" for status in sorted(CONCLUDED_STATUSES))
_RESOLVED_SQL = f"t.status IN ({_CONCLUDED_SQL}) AND t.closed_at IS NOT NULL"  # noqa: S608 (constants)

#: The grouping sets of GROUPS_SQL, by the key of report_groups' result; () gives the summary.
GROUPING_SETS = {"attendants": "t.attendant_id", "modules": "t.module_id", "entities": "t.entity_id"}

GROUPS_SQL = f"""
WITH g AS (
    SELECT {{g_attendants}} AS g_attendant, {{g_modules}} AS g_module, {{g_entities}} AS g_entity,
           {{k_attendants}} AS attendant_id, {{k_modules}} AS module_id, {{k_entities}} AS entity_id,
           COUNT(*) AS total,
           COUNT(*) FILTER (WHERE t.offline) AS offline,
           COUNT(t.first_response) AS answered,
           COUNT(t.resolution) AS resolved,
           AVG(t.first_response) AS first_response_avg,
           AVG(t.resolution) AS resolution_avg,
           percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY t.first_response) AS first_response_pct,
           percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY t.resolution) AS resolution_pct,
           AVG(t.score)::float AS csat_avg,
           COUNT(t.score) AS csat_count
    FROM (
        SELECT t.attendant_id, t.module_id, t.entity_id, t.opened_offline AS offline,
               date_part('epoch', t.first_response_at - t.opened_at) AS first_response,
               CASE WHEN {_RESOLVED_SQL} THEN date_part('epoch', t.closed_at - t.opened_at) END AS resolution,
               s.score
        FROM tickets_ticket t LEFT JOIN csat_satisfactionanswer s ON s.ticket_id = t.id
        WHERE t.opened_at >= %(begin)s AND t.opened_at < %(end)s {{scope}}
    ) t
    GROUP BY GROUPING SETS ({{sets}})
)
SELECT g.*, u.username, u.first_name, u.last_name, m.name AS module_name, e.name AS entity_name
FROM g
LEFT JOIN auth_user u ON u.id = g.attendant_id
LEFT JOIN tickets_module m ON m.id = g.module_id
LEFT JOIN people_entity e ON e.id = g.entity_id
"""  # noqa: S608 (constants and placeholders only)

SERIES_SQL = """
WITH hours AS (
    SELECT h.hour_at AT TIME ZONE %(zone)s AS local_hour, h.opened, h.offline, h.closed
    FROM (
        SELECT date_bin('1 hour', t.opened_at, TIMESTAMPTZ '2000-01-01 00:00+00') AS hour_at,
               COUNT(*) AS opened, COUNT(*) FILTER (WHERE t.opened_offline) AS offline, 0 AS closed
        FROM tickets_ticket t
        WHERE t.opened_at >= %(begin)s AND t.opened_at < %(end)s {scope}
        GROUP BY 1
        UNION ALL
        SELECT date_bin('1 hour', t.closed_at, TIMESTAMPTZ '2000-01-01 00:00+00'), 0, 0, COUNT(*)
        FROM tickets_ticket t
        WHERE t.closed_at >= %(begin)s AND t.closed_at < %(end)s {scope}
        GROUP BY 1
    ) h
)
SELECT GROUPING(x.day) AS g_day, GROUPING(x.weekday) AS g_weekday, x.day, x.weekday, x.hour,
       SUM(x.opened)::int AS opened, SUM(x.offline)::int AS offline, SUM(x.closed)::int AS closed,
       (SELECT COUNT(*) FROM tickets_ticket t WHERE t.opened_at < %(begin)s {scope})
       - (SELECT COUNT(*) FROM tickets_ticket t WHERE t.closed_at < %(begin)s {scope}) AS carried
FROM (
    SELECT local_hour::date AS day, EXTRACT(ISODOW FROM local_hour)::int AS weekday,
           EXTRACT(HOUR FROM local_hour)::int AS hour, opened, offline, closed
    FROM hours
) x
GROUP BY GROUPING SETS ((x.day), (x.weekday, x.hour), ())
"""


def _fetch(sql: str, scope: Scope, **parts: str) -> list[dict]:
    begin, end = scope.bounds()
    params = {"begin": begin, "end": end, "zone": settings.TIME_ZONE, "attendant": scope.attendant_id}
    sql = sql.format(scope="" if scope.attendant_id is None else "AND t.attendant_id = %(attendant)s", **parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column.name for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _duration(seconds: float | None) -> timedelta | None:
    """Seconds (float8) back to a timedelta, rounded to the microsecond as PostgreSQL's intervals are."""
    return None if seconds is None else timedelta(microseconds=round(seconds * 1_000_000))


def _with_percentiles(row: dict) -> dict:
    first = row.pop("first_response_pct") or (None, None)
    resolution = row.pop("resolution_pct") or (None, None)
    row["first_response_median"], row["first_response_p90"] = (_duration(value) for value in first)
    row["resolution_median"], row["resolution_p90"] = (_duration(value) for value in resolution)
    row["first_response_avg"] = _duration(row["first_response_avg"])
    row["resolution_avg"] = _duration(row["resolution_avg"])
    return row


def report_groups(*, scope: Scope, tables: tuple[str, ...] = tuple(GROUPING_SETS), summary: bool = True) -> dict:
    """The totals and the tables by attendant, module and entity: one query on PostgreSQL.

    `tables` and `summary` choose what is computed (a CSV file needs one table): every grouping set left
    out saves its sorts. What is left out comes back empty (None for the summary).
    """
    if not percentiles_supported():
        readers = {"attendants": report_by_attendant, "modules": report_by_module, "entities": report_by_entity}
        return {
            "summary": report_summary(scope=scope) if summary else None,
            **{key: readers[key](scope=scope) if key in tables else [] for key in GROUPING_SETS},
        }
    sets = [f"({GROUPING_SETS[key]})" for key in GROUPING_SETS if key in tables] + (["()"] if summary else [])
    if not sets:
        raise ValueError("report_groups needs at least one table or the summary")
    # GROUPING() and the keys take only the query's grouping columns: a set left out is "not grouped by"
    # (1) with no key (NULL) on every row.
    flags = {}
    for key, column in GROUPING_SETS.items():
        grouped = key in tables
        flags[f"g_{key}"] = f"GROUPING({column})" if grouped else "1"
        flags[f"k_{key}"] = column if grouped else "NULL::bigint"
    result = {"summary": None, "attendants": [], "modules": [], "entities": []}
    for row in _fetch(GROUPS_SQL, scope, sets=", ".join(sets), **flags):
        row = _with_percentiles(row)
        if not row["g_attendant"]:
            full = f"{row['first_name'] or ''} {row['last_name'] or ''}".strip()
            row["name"] = full or row["username"] or ""
            result["attendants"].append(row)
        elif not row["g_module"]:
            row["name"] = row["module_name"]
            result["modules"].append(row)
        elif not row["g_entity"]:
            row["name"] = row["entity_name"]
            result["entities"].append(row)
        else:
            result["summary"] = row
    for key in ("attendants", "modules", "entities"):
        result[key].sort(key=lambda row: (-row["total"], row["name"] or ""))
    result["entities"] = result["entities"][:TOP_ENTITIES]
    return result


def report_series(*, scope: Scope) -> dict:
    """Tickets by day, the weekday × hour grid and the backlog: one query on PostgreSQL."""
    if not percentiles_supported():
        return {
            "by_day": report_by_day(scope=scope),
            "heatmap": report_heatmap(scope=scope),
            "backlog": report_backlog(scope=scope),
        }
    opened: dict[date, tuple[int, int]] = {}
    closed: dict[date, int] = {}
    grid = [[0] * 24 for _ in range(7)]
    carried = 0
    for row in _fetch(SERIES_SQL, scope):
        if not row["g_day"]:
            if row["day"] is not None:
                opened[row["day"]] = (row["opened"], row["offline"])
                closed[row["day"]] = row["closed"]
        elif not row["g_weekday"]:
            if row["weekday"] is not None:
                grid[row["weekday"] - 1][row["hour"]] += row["opened"]
        else:
            carried = row["carried"]
    by_day, backlog = [], []
    open_now = carried
    for day in scope.days:
        total, offline = opened.get(day, (0, 0))
        by_day.append({"day": day, "total": total, "offline": offline})
        open_now += total - closed.get(day, 0)
        backlog.append({"day": day, "opened": total, "closed": closed.get(day, 0), "open": open_now})
    return {"by_day": by_day, "heatmap": grid, "backlog": backlog}
