"""The report figures against hand-computed ones on the known data set (tests/reports/conftest.py)."""

from datetime import date, timedelta

import pytest

from reports import selectors
from reports.selectors import Scope

M = timedelta(minutes=1)
ALL = Scope(start=date(2026, 3, 2), end=date(2026, 3, 4))


def test_summary_counts_medians_and_90th_percentiles(known):
    summary = selectors.report_summary(scope=ALL)
    assert summary["total"] == 6
    assert summary["offline"] == 1
    # First responses 10, 20, 30, 40, 50 min: median 30, p90 = 40 + 0.6 × 10.
    assert summary["first_response_median"] == 30 * M
    assert summary["first_response_p90"] == 46 * M
    assert summary["first_response_avg"] == 30 * M
    # Concluded (cancelled left out): 60, 120, 240 min: median 120, p90 = 120 + 0.8 × 120.
    assert summary["resolution_median"] == 120 * M
    assert summary["resolution_p90"] == 216 * M
    assert summary["resolved"] == 3


def test_tickets_by_day_with_the_off_line_ones(known):
    assert selectors.report_by_day(scope=ALL) == [
        {"day": date(2026, 3, 2), "total": 2, "offline": 0},
        {"day": date(2026, 3, 3), "total": 2, "offline": 1},
        {"day": date(2026, 3, 4), "total": 2, "offline": 0},
    ]


def test_heatmap_by_weekday_and_local_hour(known):
    grid = selectors.report_heatmap(scope=ALL)
    cells = {(day, hour): value for day, row in enumerate(grid) for hour, value in enumerate(row) if value}
    assert cells == {(0, 9): 2, (1, 14): 1, (1, 20): 1, (2, 10): 1, (2, 11): 1}


def test_backlog_at_the_end_of_each_day(known):
    assert [(row["opened"], row["closed"], row["open"]) for row in selectors.report_backlog(scope=ALL)] == [
        (2, 2, 1),
        (2, 2, 1),
        (2, 1, 2),
    ]


def test_by_attendant_module_and_entity(known):
    rows = {row["name"]: row for row in selectors.report_by_attendant(scope=ALL)}
    ana, bruno, nobody = rows["Ana Paula Schmitt"], rows["Bruno Kowalski"], rows[""]
    assert (ana["total"], ana["first_response_median"], ana["first_response_p90"]) == (3, 20 * M, 44 * M)
    assert (ana["resolution_median"], ana["resolution_p90"]) == (90 * M, 114 * M)
    assert (ana["csat_avg"], ana["csat_count"]) == (4.5, 2)
    assert (bruno["total"], bruno["first_response_median"], bruno["first_response_p90"]) == (2, 35 * M, 39 * M)
    assert bruno["resolution_median"] == bruno["resolution_p90"] == 240 * M
    assert (nobody["total"], nobody["offline"], nobody["first_response_median"]) == (1, 1, None)

    modules = {row["name"]: (row["total"], row["offline"]) for row in selectors.report_by_module(scope=ALL)}
    assert modules == {"Nota Fiscal Eletrônica Web": (3, 0), "Folha de Pagamento": (3, 1)}
    entities = [(row["name"], row["total"]) for row in selectors.report_by_entity(scope=ALL)]
    assert entities == [("Prefeitura Municipal de Rio do Sul", 4), ("Prefeitura Municipal de Ituporanga", 2)]


def test_csat_distribution_and_average_of_the_range(known):
    csat = selectors.report_csat(scope=ALL)
    assert [row["total"] for row in csat["distribution"]] == [0, 1, 0, 1, 1]
    assert csat["total"] == 3
    assert csat["average"] == pytest.approx(11 / 3)


def test_an_attendant_scope_counts_only_their_tickets(known):
    own = Scope(start=ALL.start, end=ALL.end, attendant_id=known.ana.pk)
    assert selectors.report_summary(scope=own)["total"] == 3
    assert [row["total"] for row in selectors.report_by_day(scope=own)] == [2, 0, 1]
    assert [row["open"] for row in selectors.report_backlog(scope=own)] == [1, 0, 0]
    assert [row["name"] for row in selectors.report_by_attendant(scope=own)] == ["Ana Paula Schmitt"]
    assert [row["total"] for row in selectors.report_csat(scope=own)["distribution"]] == [0, 0, 0, 1, 1]


def test_postgresql_groups_in_one_query_match_the_hand_computed_figures(known, django_assert_num_queries):
    with django_assert_num_queries(1):
        groups = selectors.report_groups(scope=ALL)
    summary = groups["summary"]
    assert (summary["total"], summary["offline"], summary["resolved"]) == (6, 1, 3)
    assert (summary["first_response_median"], summary["first_response_p90"]) == (30 * M, 46 * M)
    assert (summary["resolution_median"], summary["resolution_p90"]) == (120 * M, 216 * M)
    assert summary["csat_avg"] == pytest.approx(11 / 3)
    rows = {row["name"]: row for row in groups["attendants"]}
    ana, bruno, nobody = rows["Ana Paula Schmitt"], rows["Bruno Kowalski"], rows[""]
    assert (ana["total"], ana["first_response_median"], ana["first_response_p90"]) == (3, 20 * M, 44 * M)
    assert (ana["resolution_median"], ana["resolution_p90"], ana["csat_avg"]) == (90 * M, 114 * M, 4.5)
    assert (bruno["total"], bruno["first_response_median"], bruno["first_response_p90"]) == (2, 35 * M, 39 * M)
    assert (nobody["total"], nobody["offline"], nobody["first_response_median"]) == (1, 1, None)
    assert {row["name"]: (row["total"], row["offline"]) for row in groups["modules"]} == {
        "Nota Fiscal Eletrônica Web": (3, 0),
        "Folha de Pagamento": (3, 1),
    }
    assert [(row["name"], row["total"]) for row in groups["entities"]] == [
        ("Prefeitura Municipal de Rio do Sul", 4),
        ("Prefeitura Municipal de Ituporanga", 2),
    ]


def test_postgresql_series_in_one_query_match_the_hand_computed_figures(known, django_assert_num_queries):
    with django_assert_num_queries(1):
        series = selectors.report_series(scope=ALL)
    assert series["by_day"] == selectors.report_by_day(scope=ALL)
    assert series["heatmap"] == selectors.report_heatmap(scope=ALL)
    assert [(row["opened"], row["closed"], row["open"]) for row in series["backlog"]] == [
        (2, 2, 1),
        (2, 2, 1),
        (2, 1, 2),
    ]
    own = Scope(start=ALL.start, end=ALL.end, attendant_id=known.ana.pk)
    assert [row["open"] for row in selectors.report_series(scope=own)["backlog"]] == [1, 0, 0]
    assert [row["name"] for row in selectors.report_groups(scope=own)["attendants"]] == ["Ana Paula Schmitt"]


def test_an_empty_range_gives_zeros_not_errors(known):
    empty = Scope(start=date(2020, 1, 1), end=date(2020, 1, 31))
    groups = selectors.report_groups(scope=empty)
    assert groups["summary"]["total"] == 0 and groups["summary"]["first_response_median"] is None
    assert groups["attendants"] == []
    series = selectors.report_series(scope=empty)
    assert sum(row["total"] for row in series["by_day"]) == 0 and series["backlog"][-1]["open"] == 0


# --- The one-query PostgreSQL figures against the per-table ORM queries, on many random tickets -----------
# The ORM queries (report_summary, report_by_*, report_heatmap, report_backlog) convert each ticket's time
# to local time and take percentile_cont over intervals: an independent computation of the same figures.
# The one-query versions sort float8 seconds (equal to within 1 µs) and count per UTC hour before
# converting to local time (exact while the zone's offset is whole hours): the ranges below cross the
# start and the end of Brazil's last summer time (4 November 2018, 17 February 2019, at local midnight).

US = timedelta(microseconds=1)
DST_RANGES = [
    Scope(start=date(2018, 11, 1), end=date(2018, 11, 7)),
    Scope(start=date(2019, 2, 14), end=date(2019, 2, 20)),
]


@pytest.fixture
def random_tickets(db):
    import random
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from csat.models import SatisfactionAnswer
    from tests.factories import AttendantFactory, EntityFactory, ModuleFactory, PersonFactory
    from tickets.models import Status, Ticket

    rng = random.Random(17)
    utc = ZoneInfo("UTC")
    attendants = [None, *(AttendantFactory() for _ in range(3))]
    modules = [ModuleFactory() for _ in range(3)]
    entities = [EntityFactory() for _ in range(4)]
    people = {entity.pk: PersonFactory(entity=entity) for entity in entities}
    statuses = [Status.CONCLUIDO, Status.CONCLUIDO_USUARIO, Status.CANCELADO, Status.EM_ATENDIMENTO]
    tickets = []
    for scope in DST_RANGES:
        begin = datetime.combine(scope.start - timedelta(days=2), datetime.min.time(), tzinfo=utc)
        for _ in range(200):
            opened = begin + timedelta(seconds=rng.uniform(0, 10 * 86400))
            entity = rng.choice(entities)
            status = rng.choice(statuses)
            first = opened + timedelta(seconds=rng.uniform(1, 7200)) if rng.random() < 0.85 else None
            closed = opened + timedelta(seconds=rng.uniform(60, 3 * 86400)) if status != Status.EM_ATENDIMENTO else None
            tickets.append(
                Ticket(
                    requester=people[entity.pk],
                    entity=entity,
                    module=rng.choice(modules),
                    attendant=rng.choice(attendants),
                    opened_at=opened,
                    first_response_at=first,
                    closed_at=closed,
                    status=status,
                    opened_offline=rng.random() < 0.1,
                )
            )
    Ticket.objects.bulk_create(tickets)
    answers = [
        SatisfactionAnswer(
            ticket=t, score=rng.randint(1, 5), via="email", answered_at=t.closed_at, changed_at=t.closed_at
        )
        for t in Ticket.objects.filter(closed_at__isnull=False)
        if rng.random() < 0.3
    ]
    SatisfactionAnswer.objects.bulk_create(answers)


DURATIONS = [
    "first_response_avg",
    "first_response_median",
    "first_response_p90",
    "resolution_avg",
    "resolution_median",
    "resolution_p90",
]
COUNTS = ["total", "offline", "answered", "resolved", "csat_count"]


def _same_figures(one: dict, other: dict) -> None:
    counts = [key for key in COUNTS if key in other]
    assert [one[key] for key in counts] == [other[key] for key in counts]
    for key in DURATIONS:
        assert (one[key] is None) == (other[key] is None), key
        if one[key] is not None:
            assert abs(one[key] - other[key]) <= US, (key, one[key], other[key])
    if "csat_avg" in other:
        assert one["csat_avg"] == pytest.approx(other["csat_avg"])


@pytest.mark.parametrize("scope", DST_RANGES, ids=["summer-time-starts", "summer-time-ends"])
def test_one_query_groups_equal_the_orm_figures_to_the_microsecond(random_tickets, scope):
    groups = selectors.report_groups(scope=scope)
    assert groups["summary"]["total"] > 100
    _same_figures(groups["summary"], selectors.report_summary(scope=scope))
    for key, orm in [
        ("attendants", selectors.report_by_attendant(scope=scope)),
        ("modules", selectors.report_by_module(scope=scope)),
        ("entities", selectors.report_by_entity(scope=scope)),
    ]:
        assert [row["name"] for row in groups[key]] == [row["name"] for row in orm]
        for mine, theirs in zip(groups[key], orm, strict=True):
            _same_figures(mine, theirs)
        # A CSV file computes only its own grouping set: the same rows.
        alone = selectors.report_groups(scope=scope, tables=(key,), summary=False)
        assert alone["summary"] is None and alone[key] == groups[key]


@pytest.mark.parametrize("scope", DST_RANGES, ids=["summer-time-starts", "summer-time-ends"])
def test_one_query_series_equal_the_orm_figures_across_summer_time(random_tickets, scope):
    series = selectors.report_series(scope=scope)
    assert sum(row["total"] for row in series["by_day"]) > 100
    assert series["by_day"] == selectors.report_by_day(scope=scope)
    assert series["heatmap"] == selectors.report_heatmap(scope=scope)
    assert series["backlog"] == selectors.report_backlog(scope=scope)
