"""Redis stops in the middle of a conversation, then comes back (B2).

Threat: the channel layer, cache and broker share one Redis; when it stops, messages must still be
saved (the database is the truth, broadcasts after commit are best-effort and logged), the pages
must still work, the open sockets must end so the browser shows "Reconectando…" and retries, and
once Redis is back a client that resumes from its last id gets everything it missed, once, in order.
"""

import asyncio
import json
import logging
import time
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.test import Client
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import login
from tests.realtime.conftest import Daphne, session_cookie
from tests.realtime.lines import line_text
from tickets import services
from tickets.models import Message

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def server(throwaway_redis):
    """A real ASGI server process on the throwaway Redis, as production runs it."""
    daphne = Daphne()
    daphne.env["REDIS_URL"] = throwaway_redis.url
    daphne.start()
    yield daphne
    daphne.stop()
    daphne.log.close()


async def receive(ws, wait: float = 5) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout=wait))


async def until(ws, kind: str, wait: float = 5) -> list[dict]:
    frames = []
    while True:
        frames.append(await receive(ws, wait))
        if frames[-1]["type"] == kind:
            return frames


def server_log(server: Daphne) -> str:
    server.log.seek(0)
    return server.log.read().decode(errors="replace")


def test_messages_are_saved_while_redis_is_down_and_a_client_catches_up_when_it_returns(
    throwaway_redis, server, ticket, person, attendant, caplog
):
    cookie = session_cookie(person.user)
    requester = login(Client(), person.user)
    attendant_client = login(Client(), attendant)
    url = f"ws://{server.address}/ws/tickets/{ticket.number}/"
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
    origin = f"http://{server.address}"
    chat_url = f"/chat/atendimentos/{ticket.number}/"
    admin_url = f"/admin/tickets/ticket/{ticket.number}/change/"

    async def scenario():
        async with connect(url, origin=origin, additional_headers=headers) as ws:
            assert (await receive(ws))["type"] == "hello"
            await ws.send(json.dumps({"type": "resume", "last_id": 0}))
            last_id = (await until(ws, "resumed"))[-1]["last_id"]
            # Live while Redis is up: the reply crosses from this process to the server's.
            await sync_to_async(attendant_client.post)(admin_url, {"body": "Antes da queda"})
            live = (await until(ws, "ticket.message"))[-1]["message"]
            assert line_text(live) == "Antes da queda"
            last_id = live["id"]

            await sync_to_async(throwaway_redis.stop)()

            # The open socket ends within seconds, so the page shows "Reconectando…" and retries.
            with pytest.raises(ConnectionClosed):
                while True:
                    await receive(ws, wait=15)
        return last_id

    last_id = async_to_sync(scenario)()

    # Both sides keep writing: saved, pages answer, the failed broadcasts are logged.
    with caplog.at_level(logging.WARNING, logger="tickets.realtime"):
        started = time.monotonic()
        assert attendant_client.post(admin_url, {"body": "Durante a queda (atendente)"}).status_code == 302
        assert requester.post(chat_url, {"body": "Durante a queda (usuário)"}).status_code == 302
        took = time.monotonic() - started
    assert took < 5, f"posting waited {took:.1f} s on a Redis that is down"
    assert "clients will catch up" in caplog.text
    missed = list(Message.objects.filter(pk__gt=last_id).order_by("id").values_list("body", flat=True))
    assert missed == ["Durante a queda (atendente)", "Durante a queda (usuário)"]
    for client, page_url in ((requester, chat_url), (attendant_client, admin_url)):
        page = client.get(page_url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "Durante a queda (atendente)" in html and "Durante a queda (usuário)" in html
        # Where realtime.js writes "Reconectando…" while the socket is down.
        assert 'id="connection-status"' in html
    assert 'RECONNECTING = gettext("Reconectando\\u2026")' in (ROOT / "static/js/realtime.js").read_text()

    throwaway_redis.start()

    async def back():
        async with connect(url, origin=origin, additional_headers=headers) as ws:
            assert (await receive(ws))["type"] == "hello"
            await ws.send(json.dumps({"type": "resume", "last_id": last_id}))
            frames = await until(ws, "resumed")
            bodies = [line_text(f["message"]) for f in frames if f["type"] == "ticket.message"]
            assert bodies == missed
            assert frames[-1]["count"] == 2
            # And live again.
            await sync_to_async(services.ticket_message_create)(ticket=ticket, user=attendant, body="Voltou")
            assert line_text((await until(ws, "ticket.message"))[-1]["message"]) == "Voltou"

    async_to_sync(back)()
