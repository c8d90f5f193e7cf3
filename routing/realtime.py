"""Routing's events, sent after the commit through tickets.realtime (same batching, same rules).

Groups: ``routing.waiting`` (every requester's socket of /ws/espera/: the queue moved, each socket
recomputes its own positions, throttled), ``routing.attendant.<user id>`` (offers made to that
attendant, and their end), ``routing.attendants`` (every attendant on-line: a ticket waits too long).
"""

from typing import Any

from tickets import realtime as tickets_realtime

WAITING_GROUP = "routing.waiting"
ATTENDANTS_GROUP = "routing.attendants"


def attendant_group(user_id: int) -> str:
    return f"routing.attendant.{user_id}"


def publish_queue_moved() -> None:
    tickets_realtime.send_on_commit(WAITING_GROUP, lambda: {"type": "routing.queue"}, key="routing.queue")


def publish_offers_changed(user_id: int) -> None:
    """The attendant's pending offers changed (a new one, accepted, expired, withdrawn): their bar refetches."""
    tickets_realtime.send_on_commit(
        attendant_group(user_id), lambda: {"type": "routing.offers"}, key=("routing.offers", user_id)
    )


def publish_offer(offer_id: int, user_id: int, ticket_id: int) -> None:
    def build() -> dict[str, Any]:
        return {"type": "routing.offer", "offer": offer_id, "ticket": ticket_id}

    # One event per attendant per transaction (the last one): the bar refetches all its offers anyway.
    tickets_realtime.send_on_commit(attendant_group(user_id), build, key=("routing.offer", user_id))


def publish_overdue(ticket_ids: list[int]) -> None:
    tickets_realtime.send_on_commit(
        ATTENDANTS_GROUP, lambda: {"type": "routing.overdue", "tickets": ticket_ids}, key=("routing.overdue",)
    )
