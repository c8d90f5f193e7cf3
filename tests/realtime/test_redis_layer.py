"""The real Redis layer: idle sockets survive its timeouts, and events cross server processes."""

import asyncio
import json

import pytest
import redis
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from redis._defaults import DEFAULT_SOCKET_TIMEOUT
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tickets import services

from .conftest import frames_until, logged_client, open_socket, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def redis_timeouts() -> list[float]:
    """Every timeout that could end an idle receiver: redis-py's default, the layer's blocking pop, the server's."""
    host = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]
    server_timeout = int(redis.Redis.from_url(settings.REDIS_URL).config_get("timeout")["timeout"])
    return [DEFAULT_SOCKET_TIMEOUT, RedisChannelLayer.brpop_timeout, host["socket_connect_timeout"], server_timeout]


@pytest.mark.slow
def test_an_idle_socket_stays_open_longer_than_every_redis_timeout(ticket, person, attendant):
    """redis-py 8 reads time out after 5 s by default, killing idle receivers (channels_redis issue 422)."""
    assert isinstance(get_channel_layer(), RedisChannelLayer)
    idle = max(redis_timeouts()) + 1.5
    assert idle > 5
    cookie = session_cookie(person.user)

    async def scenario():
        toolbar, _ = await open_socket("/ws/toolbar/", cookie)
        chat, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie)
        await asyncio.sleep(idle)
        # Not closed while idle, and still hearing the layer afterwards.
        assert await toolbar.receive_nothing(timeout=0.1)
        [reply] = await sync_to_async(services.ticket_message_create)(ticket=ticket, user=attendant, body="Ainda aí?")
        assert (await frames_until(chat, "ticket.message"))[-1]["message"]["id"] == reply.pk
        assert (await frames_until(toolbar, "person.badge"))[-1]["unread"] == 1
        await toolbar.disconnect()
        await chat.disconnect()

    async_to_sync(scenario)()


@pytest.mark.slow
def test_events_and_logout_cross_two_server_processes(daphne, ticket, person, attendant):
    """Two ASGI servers behind a balancer: the requester on one, the attendant on the other (B9)."""
    client, cookie = logged_client(person.user)
    attendant_cookie = session_cookie(attendant)
    name = settings.SESSION_COOKIE_NAME
    second_server = daphne.address

    async def scenario():
        # The requester's pages on the other process, through a real websocket client.
        async with (
            connect(
                f"ws://{second_server}/ws/tickets/{ticket.number}/",
                origin=f"http://{second_server}",
                additional_headers={"Cookie": f"{name}={cookie}"},
            ) as chat,
            connect(
                f"ws://{second_server}/ws/toolbar/",
                origin=f"http://{second_server}",
                additional_headers={"Cookie": f"{name}={cookie}"},
            ) as toolbar,
        ):
            assert (await receive(chat))["type"] == "hello"
            assert await receive(toolbar) == {"type": "hello", "unread": 0}
            await chat.send('{"type": "resume", "last_id": 0}')
            while (await receive(chat))["type"] != "resumed":
                pass
            # The attendant on this process.
            attendant_chat, _ = await open_socket(f"/ws/tickets/{ticket.number}/", attendant_cookie)

            [reply] = await sync_to_async(services.ticket_message_create)(ticket=ticket, user=attendant, body="Olá!")

            assert await receive_until(chat, "ticket.message") == reply.pk
            assert (await frames_until(attendant_chat, "ticket.message"))[-1]["message"]["id"] == reply.pk
            while (frame := await receive(toolbar))["type"] != "person.badge":
                pass
            assert frame["unread"] == 1

            # Logging out here closes the sockets over there.
            await sync_to_async(client.post)("/accounts/logout/")
            for socket_ in (chat, toolbar):
                with pytest.raises(ConnectionClosed) as closed:
                    while True:
                        await receive(socket_)
                assert closed.value.rcvd.code == 4401
            await attendant_chat.disconnect()

    async_to_sync(scenario)()


async def receive(ws) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout=5))


async def receive_until(ws, kind: str) -> int:
    while (frame := await receive(ws))["type"] != kind:
        pass
    return frame["message"]["id"]
