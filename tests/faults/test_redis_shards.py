"""The channel layer over two Redis servers (issue 16, point 3).

channels-redis spreads groups over its hosts by a hash of the group's name. With two throwaway Redis
servers as shards and a real ASGI process on both: a conversation's messages reach its sockets
whichever shard its group lives on, and a restart of either shard loses no message once the clients
have resumed (the database answers the resume; the layer may drop what it held).
"""

import asyncio
import time

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer

from tests.factories import PersonFactory
from tests.realtime.conftest import Daphne, session_cookie
from tests.support.realtime_client import LiveClient
from tickets import realtime, services
from tickets.models import Message

from .conftest import ThrowawayRedis

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def shards(settings):
    servers = [ThrowawayRedis(), ThrowawayRedis()]
    for server in servers:
        server.start()
    layer = settings.CHANNEL_LAYERS["default"]
    template = layer["CONFIG"]["hosts"][0]
    hosts = [{**template, "address": server.url, "socket_connect_timeout": 1} for server in servers]
    # This process (where the services publish) and the server process see the same two shards.
    settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": {**layer["CONFIG"], "hosts": hosts}}}
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture
def server(shards):
    daphne = Daphne(env={"CHANNEL_REDIS_URLS": ",".join(shard.url for shard in shards)})
    daphne.start()
    yield daphne
    daphne.stop()
    daphne.log.close()


def tickets_on_each_shard(open_ticket, attendant) -> dict[int, object]:
    """One ticket whose group hashes to shard 0 and one to shard 1."""
    layer = get_channel_layer()
    found: dict[int, object] = {}
    while len(found) < 2:
        ticket = open_ticket(PersonFactory(), reason="Em qual Redis?")
        services.ticket_take(ticket=ticket, attendant=attendant)
        found.setdefault(layer.consistent_hash(realtime.ticket_group(ticket.pk)), ticket)
    return found


def test_groups_live_on_both_shards_and_reach_their_sockets_across_restarts(
    shards, server, open_ticket, attendant, settings
):
    settings.MESSAGE_RATE_LIMIT = 1_000_000
    by_shard = tickets_on_each_shard(open_ticket, attendant)
    clients = {
        index: LiveClient(f"/ws/tickets/{ticket.number}/", session_cookie(ticket.requester.user), ticket_id=ticket.pk)
        for index, ticket in by_shard.items()
    }

    def reply(body: str) -> None:
        for ticket in by_shard.values():
            services.ticket_message_create(ticket=ticket, user=attendant, body=body)

    def expected(ticket) -> list[int]:
        return list(Message.objects.filter(ticket=ticket).order_by("pk").values_list("pk", flat=True))

    async def caught_up(within: float = 60) -> None:
        deadline = time.monotonic() + within
        while True:
            wanted = {index: await sync_to_async(expected)(ticket) for index, ticket in by_shard.items()}
            if all(clients[index].ids == wanted[index] for index in clients):
                return
            assert time.monotonic() < deadline, (
                {i: (c.ids, wanted[i], c.errors[-2:]) for i, c in clients.items()},
                server.read_log()[-3000:],
            )
            await asyncio.sleep(0.1)

    async def scenario():
        stop = asyncio.Event()
        tasks = [asyncio.create_task(client.run(server.address, stop)) for client in clients.values()]
        try:
            await asyncio.wait_for(asyncio.gather(*(c.resumed.wait() for c in clients.values())), timeout=60)
            # Each conversation's group lives on its own shard, and only there.
            for index, ticket in by_shard.items():
                group_key = f"asgi:group:{realtime.ticket_group(ticket.pk)}".encode()
                import redis

                holders = [redis.Redis.from_url(shard.url).exists(group_key) for shard in shards]
                assert holders == [int(i == index) for i in range(2)], (index, holders)

            # Live on both shards: a reply reaches each conversation without a reconnect.
            connections = {index: client.connections for index, client in clients.items()}
            await sync_to_async(reply)("Ao vivo nos dois")
            await caught_up()
            assert {index: client.connections for index, client in clients.items()} == connections

            for shard in shards:
                await asyncio.to_thread(shard.stop)
                await sync_to_async(reply)("Durante a queda de um Redis")
                await asyncio.to_thread(shard.start)
                await sync_to_async(reply)("Depois da volta")
                await caught_up()
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)

    async_to_sync(scenario)()
    for client in clients.values():
        assert not client.duplicates
        assert client.ids == sorted(client.ids)
