"""Malformed frames from a client get an error frame; the socket stays open and keeps working."""

import pytest
from asgiref.sync import async_to_sync

from tickets.models import Message

from .conftest import frames_until, open_socket, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

BAD_FRAMES = [
    ("text", "isto não é json"),
    ("text", "[1, 2, 3]"),
    ("text", '"resume"'),
    ("text", "{}"),
    ("text", '{"type": "resume", "last_id": "abc"}'),
    ("text", '{"type": "resume", "last_id": -1}'),
    ("text", '{"type": "resume", "last_id": true}'),
    ("text", '{"type": "read", "up_to": null}'),
    ("text", '{"type": "subscribe", "group": "queue"}'),
    ("bytes", b"\x00\xff\x00"),
]


@pytest.mark.parametrize("route", ["/ws/toolbar/", "/ws/tickets/{number}/", "/ws/queue/"])
def test_malformed_frames_get_an_error_and_the_socket_keeps_working(route, ticket, person, attendant):
    """Threat: a client crashes the consumer (close 1011) or the server with garbage frames."""
    user = attendant if route == "/ws/queue/" else person.user
    cookie = session_cookie(user)

    async def scenario():
        socket, _ = await open_socket(route.format(number=ticket.number), cookie)
        for kind, frame in BAD_FRAMES:
            if kind == "text":
                await socket.send_to(text_data=frame)
            else:
                await socket.send_to(bytes_data=frame)
            error = await socket.receive_json_from()
            assert error["type"] == "error", frame
            assert error["error"] in {"Mensagem inválida.", "Tipo de mensagem desconhecido."}
        # Still open and answering.
        await socket.send_json_to({"type": "resume", "last_id": 0})
        assert (await frames_until(socket, "resumed"))[-1]["type"] == "resumed"
        await socket.disconnect()

    async_to_sync(scenario)()


def test_messages_cannot_be_posted_over_the_socket(ticket, person):
    """Writes go through the HTTP form (CSRF, files, rate limit, error pages); the socket refuses them."""
    cookie = session_cookie(person.user)
    before = Message.objects.count()

    async def scenario():
        socket, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie)
        await socket.send_json_to({"type": "message", "body": "pelo socket"})
        assert (await socket.receive_json_from())["code"] == "unknown_type"
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    async_to_sync(scenario)()
    assert Message.objects.count() == before


def test_read_is_only_for_the_conversation(person):
    cookie = session_cookie(person.user)

    async def scenario():
        socket, _ = await open_socket("/ws/toolbar/", cookie)
        await socket.send_json_to({"type": "read", "up_to": 1})
        assert (await socket.receive_json_from())["code"] == "unknown_type"
        await socket.disconnect()

    async_to_sync(scenario)()
