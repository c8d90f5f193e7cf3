"""Events pushed over websockets, always after the transaction commits.

Groups: ``ticket.<id>`` (an open conversation), ``person.<id>`` (a staff member's toolbar),
``queue`` (the attendants' queue). Events are small JSON carrying ids; the database stays
the only truth and clients catch up by message id (B2).
"""

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from .models import Message, Ticket

logger = logging.getLogger(__name__)

QUEUE_GROUP = "queue"


def ticket_group(ticket_id: int) -> str:
    return f"ticket.{ticket_id}"


def person_group(person_id: int) -> str:
    return f"person.{person_id}"


def user_group(user_id: int) -> str:
    """Every socket of a user, so that logging out can close them all."""
    return f"user.{user_id}"


def message_payload(message: Message) -> dict[str, Any]:
    """What a client needs to draw one line of the dialog, as templates/tickets/_message.html draws it.

    Attachments must be prefetched or loaded. Plain text only: the browser inserts it with textContent.
    """
    created = timezone.localtime(message.created_at)
    return {
        "id": message.pk,
        "ticket": message.ticket_id,
        "author_kind": message.author_kind,
        "kind": message.kind,
        "author_name": message.author_name,
        "body": message.body,
        "created_at": created.isoformat(),
        "created_display": created.strftime("%d/%m/%Y %H:%M"),
        "sent_display": created.strftime("%d/%m/%Y %H:%M:%S"),
        "attachments": [
            {
                "id": attachment.pk,
                "name": attachment.original_name,
                "size": attachment.size,
                "size_display": filesizeformat(attachment.size),
                "url": reverse("attachment-download", args=[attachment.pk]),
            }
            for attachment in message.attachments.all()
        ],
    }


def ticket_payload(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.pk,
        "status": ticket.status,
        "status_display": ticket.get_status_display(),
        "closed": ticket.is_closed,
        "attendant_id": ticket.attendant_id,
    }


def _send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:
        # The layer is at-most-once anyway: clients resync from the database.
        logger.warning("group_send to %s failed; clients will catch up", group, exc_info=True)


def send_on_commit(group: str, build_event) -> None:
    """Build the event and send it once the surrounding transaction has committed."""
    # robust: the change is committed; an event that cannot be built (the database dropped just
    # now) is logged and skipped, never turned into an error page for a change that was saved.
    transaction.on_commit(lambda: _send(group, build_event()), robust=True)


def publish_message(message: Message) -> None:
    def build() -> dict[str, Any]:
        fresh = Message.objects.prefetch_related("attachments").get(pk=message.pk)
        return {"type": "ticket.message", "message": message_payload(fresh)}

    send_on_commit(ticket_group(message.ticket_id), build)


def publish_status(ticket: Ticket) -> None:
    ticket_id = ticket.pk

    def build() -> dict[str, Any]:
        return {"type": "ticket.status", "ticket": ticket_payload(Ticket.objects.get(pk=ticket_id))}

    send_on_commit(ticket_group(ticket_id), build)


def publish_badge(person_id: int) -> None:
    """The badge is always *set* from the server's count, never incremented by the browser."""
    from .selectors import ticket_unread_count

    def build() -> dict[str, Any]:
        return {"type": "person.badge", "unread": ticket_unread_count(person_id=person_id)}

    send_on_commit(person_group(person_id), build)


def publish_ticket_changed(ticket: Ticket) -> None:
    """Tell the queue and the requester's toolbar that a ticket changed (new, taken, replied, closed)."""
    ticket_id, person_id = ticket.pk, ticket.requester_id

    def build_queue() -> dict[str, Any]:
        return {"type": "queue.changed", "ticket": ticket_id}

    def build_person() -> dict[str, Any]:
        return {"type": "person.tickets", "ticket": ticket_id}

    send_on_commit(QUEUE_GROUP, build_queue)
    send_on_commit(person_group(person_id), build_person)


def close_user_sockets(user_id: int) -> None:
    """Logging out closes the user's open sockets (channels issue 1324).

    Every socket of the user hears it; each one closes if its own session is gone, so logging out
    on one device leaves the user's other sessions connected.
    """
    _send(user_group(user_id), {"type": "session.closed"})
