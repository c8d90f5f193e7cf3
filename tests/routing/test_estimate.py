"""The wait estimate's error, measured on a recorded day (tests/routing/data/queue_day.json).

The day is replayed into the database; at each arrival that found every attendant busy, the
estimate the requester would read (routing.selectors.wait_estimate, seeing only the past) is
compared with the wait that really followed.

The bound. In that queue (Poisson arrivals, exponential handling, c attendants, first come first
served) the ticket at place k waits for k departures from c busy attendants: a Gamma(k, θ) wait
with θ = handling mean / c. Even an estimator that knew θ exactly and answered the mean kθ would
be off by the Gamma's mean absolute deviation, 2θ·kᵏ·e⁻ᵏ/(k−1)!, on average. Ours must learn θ
from the last hour, so it may do worse, but by at most a quarter: MAE ≤ 1.25 × that floor. It must
also beat the naive "average of the recent waits" that ignores the place in the queue.
"""

import json
import math
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from routing.models import AttendantState
from routing.selectors import wait_estimate
from tests.factories import AttendantFactory
from tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db

DAY = json.loads((Path(__file__).parent / "data" / "queue_day.json").read_text())


def gamma_mad(k: int, theta: float) -> float:
    return 2 * theta * k**k * math.exp(-k) / math.factorial(k - 1)


def test_estimate_error_on_a_recorded_day_is_within_the_bound(person, module):
    start = timezone.now().replace(microsecond=0) - timedelta(days=1)
    at = lambda minutes: start + timedelta(minutes=minutes)  # noqa: E731
    rows = DAY["tickets"]
    Ticket.objects.bulk_create(
        Ticket(
            requester=person,
            entity_id=person.entity_id,
            module=module,
            status=Status.CONCLUIDO,
            opened_at=at(row["opened"]),
            taken_at=at(row["taken"]),
            closed_at=at(row["closed"]),
        )
        for row in rows
    )
    for n in range(DAY["attendants"]):
        AttendantState.objects.create(user=AttendantFactory(username=f"dia{n}"), capacity=1, available=True)
    theta = DAY["handling_mean_min"] / DAY["attendants"]

    errors, floors, naive_errors = [], [], []
    for index, row in enumerate(rows):
        wait = row["taken"] - row["opened"]
        if wait <= 0:
            continue  # an attendant was free: nobody read an estimate
        position = 1 + sum(1 for other in rows[:index] if other["taken"] > row["opened"])
        estimate = wait_estimate(position=position, now=at(row["opened"])).total_seconds() / 60
        errors.append(abs(estimate - wait))
        floors.append(gamma_mad(position, theta))
        recent = [r["taken"] - r["opened"] for r in rows[:index] if row["opened"] - 60 <= r["taken"] <= row["opened"]]
        naive_errors.append(abs((sum(recent) / len(recent) if recent else 0) - wait))

    mae = sum(errors) / len(errors)
    floor = sum(floors) / len(floors)
    naive = sum(naive_errors) / len(naive_errors)
    print(f"estimates: {len(errors)}, MAE {mae:.2f} min, floor {floor:.2f} min, naive {naive:.2f} min")
    assert len(errors) >= 50
    assert mae <= 1.25 * floor
    assert mae < naive
