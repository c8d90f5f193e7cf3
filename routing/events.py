"""The shape of routing's events (sent through tickets.realtime; checked like every event: tickets/events.py)."""

from typing import Literal, TypedDict

from tickets.events import declare


class RoutingQueue(TypedDict):
    """``routing.waiting``: the queue moved; each waiting requester's socket recomputes its places."""

    type: Literal["routing.queue"]


class RoutingOffers(TypedDict):
    """``routing.attendant.<id>``: the attendant's pending offers changed; their bar refetches."""

    type: Literal["routing.offers"]


class RoutingOffer(TypedDict):
    """``routing.attendant.<id>``: a ticket offered to that attendant."""

    type: Literal["routing.offer"]
    offer: int
    ticket: int


class RoutingOverdue(TypedDict):
    """``routing.attendants``: tickets waiting past QUEUE_OVERDUE_SECONDS."""

    type: Literal["routing.overdue"]
    tickets: list[int]


declare(RoutingQueue, RoutingOffers, RoutingOffer, RoutingOverdue)
