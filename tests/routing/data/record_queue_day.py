"""How queue_day.json was recorded: one 8-hour day of a queue with 3 attendants, replayed by test_estimate.py.

No production log exists yet, so the day is a seeded simulation of the shape support queues have
(Poisson arrivals, exponential handling, first come first served, one ticket at a time per attendant).
Run `python tests/routing/data/record_queue_day.py > tests/routing/data/queue_day.json` to record it again.
"""

import heapq
import json
import random

SEED = 20261202
ATTENDANTS = 3
ARRIVAL_RATE = 0.27  # tickets per minute
HANDLING_MEAN = 10.0  # minutes
DAY = 8 * 60.0


def record() -> dict:
    rng = random.Random(SEED)
    free_at = [0.0] * ATTENDANTS
    heapq.heapify(free_at)
    tickets = []
    now = 0.0
    while True:
        now += rng.expovariate(ARRIVAL_RATE)
        if now > DAY:
            break
        start = max(now, heapq.heappop(free_at))
        end = start + rng.expovariate(1 / HANDLING_MEAN)
        heapq.heappush(free_at, end)
        tickets.append({"opened": round(now, 3), "taken": round(start, 3), "closed": round(end, 3)})
    return {
        "attendants": ATTENDANTS,
        "arrival_rate_per_min": ARRIVAL_RATE,
        "handling_mean_min": HANDLING_MEAN,
        "tickets": tickets,
    }


if __name__ == "__main__":
    print(json.dumps(record(), indent=0))
