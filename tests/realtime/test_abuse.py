"""Cheap attacks on the websockets stay cheap (issue 15, point 9, and the unknown path of point 6)."""

import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tickets import services
from tickets.models import Message

from .conftest import communicator, frames_until, next_output, open_socket, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_socket_that_floods_frames_is_closed_with_4429_after_its_burst(settings, ticket, person):
    """Threat: one socket sends frames as fast as it can, each costing the server a parse and a database trip."""
    settings.WEBSOCKET_FRAME_BURST = 5
    settings.WEBSOCKET_FRAME_RATE = 0.001
    cookie = session_cookie(person.user)

    async def scenario():
        socket, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie, resume=None)
        for _ in range(5):
            await socket.send_to(text_data="{}")
            assert (await socket.receive_json_from())["type"] == "error"
        await socket.send_to(text_data="{}")
        assert await next_output(socket) == {"type": "websocket.close", "code": 4429}

    async_to_sync(scenario)()


def test_frames_within_the_rate_are_never_refused(settings, ticket, person):
    settings.WEBSOCKET_FRAME_BURST = 5
    settings.WEBSOCKET_FRAME_RATE = 10_000
    cookie = session_cookie(person.user)

    async def scenario():
        socket, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie, resume=None)
        for _ in range(40):
            await socket.send_json_to({"type": "resume", "last_id": 0})
            await frames_until(socket, "resumed")
        await socket.disconnect()

    async_to_sync(scenario)()


def test_a_resume_answers_a_bounded_number_of_messages_and_the_client_asks_again(settings, ticket, person, attendant):
    """Threat: resuming from 0 on a huge ticket, again and again, makes the server replay everything each time."""
    settings.WEBSOCKET_RESUME_MAX = 7
    for n in range(17):
        services.ticket_message_create(ticket=ticket, user=attendant, body=f"Resposta {n}")
    expected = list(Message.objects.filter(ticket=ticket).order_by("pk").values_list("pk", flat=True))
    assert len(expected) > 14
    cookie = session_cookie(person.user)

    async def scenario():
        socket, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie, resume=None)
        received, last_id, answers = [], 0, []
        while True:
            await socket.send_json_to({"type": "resume", "last_id": last_id})
            frames = await frames_until(socket, "resumed")
            messages = [frame["message"]["id"] for frame in frames if frame["type"] == "ticket.message"]
            resumed = frames[-1]
            assert len(messages) <= 7
            received += messages
            answers.append(resumed["more"])
            last_id = resumed["last_id"]
            if not resumed["more"]:
                break
        assert received == expected
        assert answers[:-1] == [True] * (len(answers) - 1)
        # Complete: live messages come after it, once.
        [reply] = await sync_to_async(services.ticket_message_create)(ticket=ticket, user=attendant, body="Nova")
        assert (await frames_until(socket, "ticket.message"))[-1]["message"]["id"] == reply.pk
        await socket.disconnect()

    async_to_sync(scenario)()


@pytest.mark.parametrize(
    "origin",
    [b"http://testserver:8080", b"https://testserver", b"http://testserver.evil.example", b"ftp://testserver"],
    ids=["other-port", "other-scheme", "other-host", "not-http"],
)
def test_the_origin_must_match_scheme_host_and_port(origin, person):
    """Threat: a page on another port or scheme of the same host (another application) opens the chat's
    sockets with the user's cookies; the host alone used to be enough."""
    cookie = session_cookie(person.user)

    async def scenario():
        socket = communicator("/ws/toolbar/", cookie, origin=origin)
        connected, _ = await socket.connect()
        assert not connected  # the handshake is refused (HTTP 403 on a real server)

    async_to_sync(scenario)()


def test_a_configured_origin_is_let_in(settings, person):
    settings.WEBSOCKET_ALLOWED_ORIGINS = ["https://erp.example.com"]
    cookie = session_cookie(person.user)

    async def scenario():
        socket = communicator("/ws/toolbar/", cookie, origin=b"https://erp.example.com")
        connected, _ = await socket.connect()
        assert connected
        assert (await socket.receive_json_from())["type"] == "hello"
        await socket.disconnect()

    async_to_sync(scenario)()


def test_on_a_real_server_the_origin_port_counts_and_an_unknown_path_closes_without_a_traceback(daphne, person):
    """Threat: probing unknown websocket paths fills the server log with tracebacks (and hides real errors)."""
    cookie = session_cookie(person.user)
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
    own = f"http://{daphne.address}"

    async def scenario():
        async with connect(f"ws://{daphne.address}/ws/toolbar/", origin=own, additional_headers=headers) as ws:
            assert json.loads(await ws.recv())["type"] == "hello"
        with pytest.raises(InvalidStatus) as refused:
            async with connect(
                f"ws://{daphne.address}/ws/toolbar/",
                origin=f"http://127.0.0.1:{daphne.port + 1}",
                additional_headers=headers,
            ):
                pass
        assert refused.value.response.status_code == 403
        for path in ("/ws/nao-existe/", "/ws/tickets/abc/", "/", "/ws/tickets/1/extra/"):
            with pytest.raises(InvalidStatus) as refused:
                async with connect(f"ws://{daphne.address}{path}", origin=own, additional_headers=headers):
                    pass
            assert refused.value.response.status_code == 403

    async_to_sync(scenario)()
    # A request after them proves the server has processed (and would have logged) the refusals.
    async_to_sync(_hello)(daphne, own, headers)
    log = daphne.read_log()
    assert "Traceback" not in log and "Exception inside application" not in log and "No route found" not in log, log


async def _hello(daphne, origin, headers) -> None:
    async with connect(f"ws://{daphne.address}/ws/toolbar/", origin=origin, additional_headers=headers) as ws:
        assert json.loads(await ws.recv())["type"] == "hello"
