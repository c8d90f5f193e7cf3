"""Events pushed over websockets, always after the transaction commits.

Groups: ``ticket.<id>`` (an open conversation), ``person.<id>`` (a staff member's toolbar),
``queue`` (the attendants' queue). Events are small JSON carrying ids (a message event also carries
its line, rendered by the page's own template); the database stays the only truth and clients
catch up by message id (B2).
"""

import asyncio
import logging
import threading
from collections.abc import Callable, Hashable
from typing import Any
from zoneinfo import ZoneInfo

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone, translation

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
    """The events of one transaction (of one savepoint level), built and sent by one on_commit callback.

    A reply used to make four group_sends, each its own async_to_sync; now it makes one. The batch
    is registered with on_commit when its first event comes, so a rolled-back savepoint or
    transaction drops it with its callback, exactly as it dropped the single events before.
    """

    def __init__(self, savepoints: tuple[str, ...]) -> None:
        self.savepoints = savepoints
        self.items: list[Pending] = []

    def add(self, group: str, key: Hashable | None, build: Callable[[], dict[str, Any]]) -> None:
        # The same event twice in one transaction (taking a ticket by replying announces the
        # ticket twice) is sent once, in the place of the last one: it is built after the
        # commit, so both would be identical, and the last place is where it was sent last before.
        if key is not None:
            self.items = [item for item in self.items if item[:2] != (group, key)]
        self.items.append((group, key, build))

    def flush(self) -> None:
        if _local.__dict__.get("batch") is self:
            _local.batch = None
        events = []
        for group, _key, build in self.items:
            try:
                events.append((group, build()))
            except Exception:
                logger.warning("building an event for %s failed; clients will catch up", group, exc_info=True)
        _send_all(events)


_local = threading.local()


def _open_batch() -> _Batch | None:
    """The batch of the current transaction and savepoint, registered on first use; None outside a transaction."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return None
    savepoints = tuple(connection.savepoint_ids)
    batch = _local.__dict__.get("batch")
    # Still waiting for this very commit? Its callback is gone after a rollback or once it ran, and
    # events of another savepoint level go in a batch of their own (dropped with that savepoint).
    if (
        batch is None
        or batch.savepoints != savepoints
        or not any(func == batch.flush for _sids, func, _robust in connection.run_on_commit)
    ):
        batch = _Batch(savepoints)
        _local.batch = batch
        # robust: the change is committed; a failure here is logged, never an error page for a saved change.
        transaction.on_commit(batch.flush, robust=True)
    return batch


def send_on_commit(group: str, build_event: Callable[[], dict[str, Any]], key: Hashable | None = None) -> None:
    """Build the event and send it once the surrounding transaction has committed.

    Inside a transaction, every event of it goes out together after the commit (one loop hop);
    outside one (autocommit), at once, as on_commit would run it.
    """
    batch = _open_batch()
    if batch is None:
        try:
            event = build_event()
        except Exception:
            logger.warning("building an event for %s failed; clients will catch up", group, exc_info=True)
            return
        _send(group, event)
    else:
        batch.add(group, key, build_event)


def publish_message(message: Message) -> None:
    def build() -> dict[str, Any]:
        # The message in hand is the row as written; only its files (stored after it) are read,
        # and only a "files" message has any (the services store files in a message of their own).
        if message.kind == Message.Kind.FILES:
            prefetch_related_objects([message], "attachments")
        else:
            # What prefetch_related would leave for an empty result, without the query.
            message.__dict__.setdefault("_prefetched_objects_cache", {})["attachments"] = Attachment.objects.none()
        event = {"type": "ticket.message", "message": message_event(message)}
        if message.is_note:
            # The conversation's consumers pass it to attendant sockets only (ConversationConsumer.ticket_message).
            event["staff_only"] = True
        return event

    send_on_commit(ticket_group(message.ticket_id), build, key=("message", message.pk))


def seen_payload(ticket: Ticket, *, side: str) -> dict[str, Any]:
    """How far one side has read the other's messages, and when: the "Visto às 14:32" under a line."""
    read_id, read_at = (
        (ticket.requester_read_id, ticket.requester_read_at)
        if side == Message.Author.REQUESTER
        else (ticket.attendant_read_id, ticket.attendant_read_at)
    )
    at = timezone.localtime(read_at, ZoneInfo(settings.TIME_ZONE)) if read_at else None
    return {"side": side, "read_id": read_id, "at": at.strftime("%H:%M") if at else ""}


def publish_seen(ticket: Ticket, *, side: str) -> None:
    """A read mark moved: the other side's page shows "Visto" under its latest line (issue 14)."""
    ticket_id = ticket.pk

    def build() -> dict[str, Any]:
        fresh = Ticket.objects.only(
            "requester_read_id", "requester_read_at", "attendant_read_id", "attendant_read_at"
        ).get(pk=ticket_id)
        return {"type": "ticket.seen", "seen": seen_payload(fresh, side=side)}

    send_on_commit(ticket_group(ticket_id), build, key=("seen", side))


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
