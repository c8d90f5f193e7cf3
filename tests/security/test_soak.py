"""Websockets on a real daphne and the real Redis layer: idle sockets live, strangers are kept out.

Threats: idle sockets dropped by a timeout (clients miss events, or reconnect storms), a server
error under many sockets, and through the real server a foreign page or a visitor without a
session opening a socket. The 10-minute, 300-socket version is ``python -m tests.security.soak``.
"""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.realtime.conftest import Daphne, logged_client

from .soak import prepare_world, soak

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def server(transactional_db):
    async_to_sync(get_channel_layer().flush)()
    daphne = Daphne()
    daphne.start()
    yield daphne
    daphne.stop()
    daphne.log.close()


def server_log(server: Daphne) -> str:
    server.log.seek(0)
    return server.log.read().decode(errors="replace")


def test_fifty_idle_sockets_stay_open_fifteen_seconds_and_all_hear_the_next_event(server, settings):
    settings.MESSAGE_RATE_LIMIT = 0
    routes, cookies, trigger = prepare_world()
    result = async_to_sync(soak)(
        address=server.address,
        routes=routes,
        cookie_for=cookies,
        sockets=50,
        seconds=15,
        trigger=trigger,
        server_log=lambda: server_log(server),
    )
    assert result.ok, result.summary() + "\n" + server_log(server)[-3000:]
    assert "Exception inside application" not in server_log(server)


def test_through_the_real_server_a_foreign_origin_is_refused_at_the_handshake(server, person):
    """Cross-site websocket hijacking: the victim's cookie, another site's page."""
    _, cookie = logged_client(person.user)

    async def scenario():
        with pytest.raises(InvalidStatus) as refused:
            await asyncio.wait_for(
                connect(
                    f"ws://{server.address}/ws/toolbar/",
                    origin="https://evil.example",
                    additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
                ),
                timeout=5,
            )
        assert refused.value.response.status_code == 403

    async_to_sync(scenario)()


@pytest.mark.parametrize("cookie", [None, "sessao-inventada"], ids=["no-session", "forged-session"])
def test_through_the_real_server_a_socket_without_a_session_is_closed_at_once(server, cookie):
    async def scenario():
        headers = {} if cookie is None else {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
        async with connect(
            f"ws://{server.address}/ws/queue/", origin=f"http://{server.address}", additional_headers=headers
        ) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), timeout=3)
            assert closed.value.rcvd.code == 4403

    async_to_sync(scenario)()


def test_through_the_real_server_logging_out_closes_the_socket_within_seconds(server, person):
    client, cookie = logged_client(person.user)

    async def scenario():
        async with connect(
            f"ws://{server.address}/ws/toolbar/",
            origin=f"http://{server.address}",
            additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
        ) as ws:
            await asyncio.wait_for(ws.recv(), timeout=5)  # hello
            await asyncio.to_thread(client.post, "/accounts/logout/")
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(ws.recv(), timeout=3)
            assert closed.value.rcvd.code == 4401

    async_to_sync(scenario)()
