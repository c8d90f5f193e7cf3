"""The shape of every event the services send over the channel layer, declared once.

Each event type is a ``TypedDict`` whose ``type`` is a ``Literal`` of its name; ``declare`` puts it
in ``SHAPES``. The consumers forward these events, the pages read them: a field renamed or dropped
by a refactor would break a page silently, so tests/realtime/test_event_shapes.py runs every service
that publishes, records what really reaches the channel layer and checks each event against its
shape here (and that every declared type is sent by some service and handled by some consumer).
Other apps declare their own events in their own module with ``declare`` (routing/events.py).
"""

import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, NotRequired, TypedDict

# --- payloads ---------------------------------------------------------------------------------


class MessagePayload(TypedDict):
    """A line of the dialog rendered once per language (tickets/_message.html), keyed by language code."""

    id: int
    html: dict[str, str]
    # Only while nobody has answered: the requester's page draws its lines as "Mensagens Anteriores".
    html_previous: NotRequired[dict[str, str]]


class TicketPayload(TypedDict):
    id: int
    status: str
    #: In Portuguese (the source language); realtime.js translates it with the JS catalogue.
    status_display: str
    closed: bool
    attendant_id: int | None


# --- events -----------------------------------------------------------------------------------


class TicketMessage(TypedDict):
    """``ticket.<id>``: a new line of the conversation."""

    type: Literal["ticket.message"]
    message: MessagePayload


class TicketStatus(TypedDict):
    """``ticket.<id>``: the ticket's status or attendant changed."""

    type: Literal["ticket.status"]
    ticket: TicketPayload


class PersonBadge(TypedDict):
    """``person.<id>``: the server's unread count (the consumer recounts it for its socket)."""

    type: Literal["person.badge"]
    unread: int


class PersonTickets(TypedDict):
    """``person.<id>``: one of the person's tickets changed; the panel refetches."""

    type: Literal["person.tickets"]
    ticket: int


class QueueChanged(TypedDict):
    """``queue``: a ticket came, was taken, answered or closed; the queue page refetches."""

    type: Literal["queue.changed"]
    ticket: int


class SessionClosed(TypedDict):
    """``user.<id>``: a session ended (logout); its sockets close, the user's others re-check."""

    type: Literal["session.closed"]
    session_key: str | None


class AccessCheck(TypedDict):
    """``user.<id>`` or ``entity.<id>``: something about access changed; each socket checks again."""

    type: Literal["access.check"]


#: Every declared event type, by its name.
SHAPES: dict[str, type] = {}


def declare(*shapes: type) -> None:
    for shape in shapes:
        (name,) = typing.get_args(typing.get_type_hints(shape)["type"])
        SHAPES[name] = shape


declare(TicketMessage, TicketStatus, PersonBadge, PersonTickets, QueueChanged, SessionClosed, AccessCheck)


def event_errors(event: Mapping[str, Any]) -> list[str]:
    """What is wrong with an event against its declared shape (empty when it fits exactly)."""
    shape = SHAPES.get(event.get("type")) if isinstance(event, Mapping) else None
    if shape is None:
        return [f"undeclared event type {event.get('type') if isinstance(event, Mapping) else event!r}"]
    return _errors(event, shape, event["type"])


def _errors(value: Any, annotation: Any, path: str) -> list[str]:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if typing.is_typeddict(annotation):
        if not isinstance(value, Mapping):
            return [f"{path}: expected an object, got {value!r}"]
        hints = typing.get_type_hints(annotation)
        problems = [f"{path}.{key}: missing" for key in annotation.__required_keys__ if key not in value]
        problems += [f"{path}.{key}: not declared" for key in value if key not in hints]
        for key, item in value.items():
            if key in hints:
                problems += _errors(item, hints[key], f"{path}.{key}")
        return problems
    if origin is Literal:
        return [] if value in args else [f"{path}: {value!r} is not one of {args}"]
    if origin in (typing.Union, types.UnionType):
        branches = [_errors(value, branch, path) for branch in args]
        return [] if any(not branch for branch in branches) else [f"{path}: {value!r} fits none of {annotation}"]
    if annotation is type(None):
        return [] if value is None else [f"{path}: expected None, got {value!r}"]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {value!r}"]
        key_type, value_type = args
        return [
            problem
            for key, item in value.items()
            for problem in (*_errors(key, key_type, f"{path} key"), *_errors(item, value_type, f"{path}[{key!r}]"))
        ]
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {value!r}"]
        return [problem for index, item in enumerate(value) for problem in _errors(item, args[0], f"{path}[{index}]")]
    if annotation is int:
        # bool is an int in Python, not in JSON.
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected an integer, got {value!r}"]
    if annotation in (str, bool):
        return [] if isinstance(value, annotation) else [f"{path}: expected {annotation.__name__}, got {value!r}"]
    return [f"{path}: no check for {annotation!r}"]
