"""Whether attendants are "Disponível" or "Ausente", as transfers and the queue ask it.

The notion is routing's (``routing.models.AttendantState.available``: set by hand on the bar, away after
ATTENDANT_IDLE_SECONDS without activity and when the attendant's last tab closes). ``tickets`` does not import
``routing`` (it depends on ``tickets``): routing registers its answer here in ``RoutingConfig.ready``.
Without routing installed nobody is tracked, and everyone counts as available.
"""

from collections.abc import Callable, Iterable

#: (user ids or None for everyone) -> the ids of those available now, in one query.
_available_ids: Callable[[Iterable[int] | None], set[int]] | None = None


def presence_register(available_ids: Callable[[Iterable[int] | None], set[int]]) -> None:
    global _available_ids
    _available_ids = available_ids


def presence_available_ids(*, user_ids: Iterable[int]) -> set[int]:
    """The ids among ``user_ids`` of the attendants available now, in one query."""
    user_ids = list(user_ids)
    if _available_ids is None:
        return set(user_ids)
    return _available_ids(user_ids)


def presence_available_count() -> int | None:
    """How many attendants are available now (the queue's summary); None when presence is not tracked."""
    if _available_ids is None:
        return None
    return len(_available_ids(None))


def presence_is_available(*, user_id: int) -> bool:
    return user_id in presence_available_ids(user_ids=[user_id])
