"""Events pushed over websockets, always after the transaction commits.

Groups: ``ticket.<id>`` (an open conversation), ``person.<id>`` (a staff member's toolbar),
``queue`` (the attendants' queue). Events are small JSON carrying ids (a message event also carries
its line, rendered by the page's own template); the database stays the only truth and clients
catch up by message id (B2). The shape of every event is declared in tickets/events.py.

Only public transaction APIs: each event is one ``transaction.on_commit``, and a service marked
``@batched`` sends its events together after the commit (``_Batch``).
"""

import asyncio
import logging
import threading
from collections.abc import Callable, Hashable
from contextlib import ContextDecorator
from functools import partial
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import translation

from atende_chat import metrics
from attachments.models import Attachment

from .models import Message, Ticket
from .signals import ticket_changed

logger = logging.getLogger(__name__)

QUEUE_GROUP = "queue"


def ticket_group(ticket_id: int) -> str:
    return f"ticket.{ticket_id}"


def person_group(person_id: int) -> str:
    return f"person.{person_id}"


def user_group(user_id: int) -> str:
    """Every socket of a user, so that logging out can close them all."""
    return f"user.{user_id}"


def entity_group(entity_id: int) -> str:
    """Every socket of the staff of one entity, so that switching its chat off closes them."""
    return f"entity.{entity_id}"


def message_html(message: Message, *, language: str, previous: bool = False) -> str:
    """One line of the dialog as templates/tickets/_message.html draws it, in `language`.

    Attachments must be prefetched or loaded. `previous`: the requester's page of a ticket nobody
    has answered yet ("Mensagens Anteriores", S9).
    """
    with translation.override(language):
        return render_to_string("tickets/_message.html", {"message": message, "previous": previous})


def message_event(message: Message) -> dict[str, Any]:
    """A line for every socket of the conversation, rendered once per language (not once per socket).

    A group's members may read different languages, and while nobody has answered the requester's
    page draws its lines as "Mensagens Anteriores": that audience gets its own rendering.
    """
    languages = [code for code, _name in settings.LANGUAGES]
    event: dict[str, Any] = {
        "id": message.pk,
        "html": {code: message_html(message, language=code) for code in languages},
    }
    if message.ticket.awaits_first_reply:
        event["html_previous"] = {code: message_html(message, language=code, previous=True) for code in languages}
    return event


def message_for_socket(event: dict[str, Any], *, language: str, previous: bool) -> dict[str, Any]:
    """What one socket receives of a message event: its id and the line in its language, for its side."""
    renderings = event.get("html_previous") if previous and "html_previous" in event else event["html"]
    html = renderings.get(language) or renderings[settings.LANGUAGE_CODE]
    return {"id": event["id"], "html": html}


def ticket_payload(ticket: Ticket) -> dict[str, Any]:
    """The status label in Portuguese, the source language; realtime.js translates it with the JS catalogue."""
    with translation.override(settings.LANGUAGE_CODE):
        status_display = ticket.get_status_display()
    return {
        "id": ticket.pk,
        "status": ticket.status,
        "status_display": status_display,
        "closed": ticket.is_closed,
        "attendant_id": ticket.attendant_id,
    }


#: An event to build after the commit: (group, dedup key or None, build callable).
Pending = tuple[str, Hashable | None, Callable[[], dict[str, Any]]]


async def _group_send_all(layer, events: list[tuple[str, dict[str, Any]]]) -> None:
    """Every group at once; the events of one group one after the other, in the order published.

    One group's order matters (a conversation hears the status change before the reply that
    caused it); different groups are independent, so their sends overlap on the layer's pool.
    """
    by_group: dict[str, list[dict[str, Any]]] = {}
    for group, event in events:
        by_group.setdefault(group, []).append(event)

    async def one_group(group: str, group_events: list[dict[str, Any]]) -> None:
        for event in group_events:
            try:
                await layer.group_send(group, event)
            except Exception:
                # The layer is at-most-once anyway: clients resync from the database.
                logger.warning("group_send to %s failed; clients will catch up", group, exc_info=True)
                metrics.layer_dropped()

    await asyncio.gather(*(one_group(group, group_events) for group, group_events in by_group.items()))


def _send_all(events: list[tuple[str, dict[str, Any]]]) -> None:
    """One trip to the event loop for all the events (each async_to_sync is a loop hop, or a new loop)."""
    layer = get_channel_layer()
    if layer is None or not events:
        return
    try:
        async_to_sync(_group_send_all)(layer, events)
    except Exception:
        logger.warning("group_send of %d events failed; clients will catch up", len(events), exc_info=True)
        metrics.layer_dropped(len(events))


def _send(group: str, event: dict[str, Any]) -> None:
    _send_all([(group, event)])


class _Batch:
    """The events of one service call, sent after its commit by one ``on_commit`` callback.

    A reply publishes four to six events; each ``async_to_sync`` is a trip to the event loop, so they
    go out together (measured in bench/RESULTS.md). Nothing here reads Django's transaction state:
    each event registers its own ``transaction.on_commit`` that only *adds* it to the batch, so Django
    itself drops the events of a rolled-back transaction or savepoint, and the batch sends what the
    commit kept, from one more callback registered after all of them (``batched.__exit__``).
    """

    def __init__(self) -> None:
        self.items: list[Pending] = []
        self.actions: list[tuple[Hashable | None, Callable[[], None]]] = []
        self.registered = 0
        self.flushed = False

    def add(self, group: str, key: Hashable | None, build: Callable[[], dict[str, Any]]) -> None:
        if self.flushed:
            # Kept by a commit after the batch went out (not a path the services take): alone, at once.
            _build_and_send([(group, key, build)])
            return
        # The same event twice in one transaction (taking a ticket by replying announces the
        # ticket twice) is sent once, in the place of the last one: it is built after the
        # commit, so both would be identical, and the last place is where it was sent last before.
        if key is not None:
            self.items = [item for item in self.items if item[:2] != (group, key)]
        self.items.append((group, key, build))

    def add_action(self, key: Hashable | None, action: Callable[[], None]) -> None:
        if self.flushed:
            _run(action)
        elif key is None or all(other != key for other, _action in self.actions):
            self.actions.append((key, action))

    def flush(self) -> None:
        self.flushed = True
        items, self.items = self.items, []
        actions, self.actions = self.actions, []
        _build_and_send(items)
        for _key, action in actions:
            _run(action)


def _build_and_send(items: list[Pending]) -> None:
    events = []
    for group, _key, build in items:
        try:
            events.append((group, build()))
        except Exception:
            logger.warning("building an event for %s failed; clients will catch up", group, exc_info=True)
    _send_all(events)


def _run(action: Callable[[], None]) -> None:
    try:
        action()
    except Exception:
        # The change is committed; an action after it is logged, never an error page for a saved change.
        logger.exception("An action after the commit failed")


_local = threading.local()


def _current() -> _Batch | None:
    stack = _local.__dict__.get("stack")
    return stack[-1] if stack else None


class _Batched(ContextDecorator):
    """``@realtime.batched`` on a service (or ``with realtime.batched:``): its events leave together.

    Re-entrant: a service called by another joins the caller's batch. The outermost exit registers
    the one ``on_commit`` that sends the batch: after every event's own callback, so after they have
    all been added; at once when the transaction has already committed (or there was none).
    Without a batch open, each event is sent by its own ``on_commit`` (correct, one loop trip each).
    """

    def __enter__(self) -> "_Batched":
        stack = _local.__dict__.setdefault("stack", [])
        stack.append(stack[-1] if stack else _Batch())
        return self

    def __exit__(self, *exc: object) -> None:
        stack = _local.__dict__["stack"]
        batch = stack.pop()
        if not stack and batch.registered:
            # robust: the change is committed; a failure here is logged, never an error page for a saved change.
            transaction.on_commit(batch.flush, robust=True)


batched = _Batched()


def send_on_commit(group: str, build_event: Callable[[], dict[str, Any]], key: Hashable | None = None) -> None:
    """Build the event and send it once the surrounding transaction has committed (at once outside one).

    In a ``batched`` service, with the other events of the same call, in one loop trip; `key` names
    an announcement sent once per batch however often it is published.
    """
    batch = _current()
    if batch is None:
        transaction.on_commit(partial(_build_and_send, [(group, key, build_event)]), robust=True)
    else:
        batch.registered += 1
        transaction.on_commit(partial(batch.add, group, key, build_event), robust=True)


def after_commit(action: Callable[[], None], *, key: Hashable | None = None) -> None:
    """Run `action` after the commit, as ``on_commit`` would, but in a ``batched`` service after its
    events have left (work after a reply must not delay the reply's line), and once per batch for a
    `key` (one routing dispatch however many changes asked for it). A failure is logged."""
    batch = _current()
    if batch is None:
        transaction.on_commit(partial(_run, action), robust=True)
    else:
        batch.registered += 1
        transaction.on_commit(partial(batch.add_action, key, action), robust=True)


def publish_message(message: Message) -> None:
    def build() -> dict[str, Any]:
        # The message in hand is the row as written; only its files (stored after it) are read,
        # and only a "files" message has any (the services store files in a message of their own).
        if message.kind == Message.Kind.FILES:
            prefetch_related_objects([message], "attachments")
        else:
            # What prefetch_related would leave for an empty result, without the query.
            message.__dict__.setdefault("_prefetched_objects_cache", {})["attachments"] = Attachment.objects.none()
        return {"type": "ticket.message", "message": message_event(message)}

    send_on_commit(ticket_group(message.ticket_id), build, key=("message", message.pk))


def publish_status(ticket: Ticket) -> None:
    ticket_id = ticket.pk

    def build() -> dict[str, Any]:
        return {"type": "ticket.status", "ticket": ticket_payload(Ticket.objects.get(pk=ticket_id))}

    send_on_commit(ticket_group(ticket_id), build, key=("status", ticket_id))


def publish_badge(person_id: int) -> None:
    """The badge is always *set* from the server's count, never incremented by the browser."""
    from .selectors import ticket_unread_count

    def build() -> dict[str, Any]:
        return {"type": "person.badge", "unread": ticket_unread_count(person_id=person_id)}

    send_on_commit(person_group(person_id), build, key="badge")


def publish_ticket_changed(ticket: Ticket) -> None:
    """Tell the queue and the requester's toolbar that a ticket changed (new, taken, replied, closed)."""
    ticket_id, person_id = ticket.pk, ticket.requester_id

    def build_queue() -> dict[str, Any]:
        return {"type": "queue.changed", "ticket": ticket_id}

    def build_person() -> dict[str, Any]:
        return {"type": "person.tickets", "ticket": ticket_id}

    send_on_commit(QUEUE_GROUP, build_queue, key=("changed", ticket_id))
    send_on_commit(person_group(person_id), build_person, key=("tickets", ticket_id))
    # Hook for other apps (routing: queue positions, offers, reply notices); they act after the commit.
    ticket_changed.send(sender=Ticket, ticket=ticket)


def close_session_sockets(*, user_id: int, session_key: str | None) -> None:
    """A session ended (logout, by any URL): its sockets close (channels issue 1324).

    Every socket of the user hears it; the sockets of that session close at once (4401), the
    others re-check their own session, so logging out on one device leaves the others connected.
    """
    _send(user_group(user_id), {"type": "session.closed", "session_key": session_key})


def recheck_user_sockets(user_id: int) -> None:
    """The user changed (password, deactivated, groups, contacts): after the commit, each of the user's
    sockets checks its session and its access again and closes if either is gone."""
    send_on_commit(user_group(user_id), lambda: {"type": "access.check"}, key="access.check")


def recheck_entity_sockets(entity_id: int) -> None:
    """An entity changed (its chat switched off): its staff's sockets check their access again."""
    send_on_commit(entity_group(entity_id), lambda: {"type": "access.check"}, key="access.check")
