"""Notice when a channel-layer Redis lost its memory, and send this process's sockets to resume.

With the layer spread over several Redis servers, a socket's group may live on one shard while its
process listens on another. A shard that restarts (Redis keeps nothing on disk here) forgets the
groups it held: the sockets stay open and hear nothing more, with nothing to tell the page.

Each process keeps an "epoch" key on every shard (set once, if absent). Every LAYER_WATCH_SECONDS it
reads them back; a key missing or changed means that shard restarted, so the process closes all its
sockets with 4012: the pages reconnect with their back-off, join their groups
again and resume from the database (docs/realtime.md). One read per shard per process, whatever the
number of sockets.
"""

import asyncio
import logging
import uuid
import weakref
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

EPOCH_KEY = "atende:layer-epoch"
#: "The server lost your subscriptions": the page reconnects with its back-off and resumes (any code
#: realtime.js does not know means that; Channels allows only 1000 and 3000-4999).
CLOSE_LAYER_RESTARTED = 4012

_sockets: "weakref.WeakSet[Any]" = weakref.WeakSet()
_watch: dict[str, Any] = {"loop": None, "task": None}


def _addresses() -> list[str]:
    layer = settings.CHANNEL_LAYERS.get("default", {})
    if "channels_redis" not in str(layer.get("BACKEND", "")):
        return []
    hosts = layer.get("CONFIG", {}).get("hosts", [])
    return [host["address"] if isinstance(host, dict) else host for host in hosts]


def register(consumer: Any) -> None:
    """A socket that joined its groups; the watch starts on this event loop if it is not running."""
    _sockets.add(consumer)
    addresses = _addresses()
    if not addresses:
        return
    loop = asyncio.get_running_loop()
    task = _watch["task"]
    if _watch["loop"] is loop and task is not None and not task.done():
        return
    _watch["loop"] = loop
    _watch["task"] = loop.create_task(_watch_forever(addresses))


def unregister(consumer: Any) -> None:
    _sockets.discard(consumer)


async def _epoch(client, fresh: str) -> str | None:
    await client.set(EPOCH_KEY, fresh, nx=True)
    value = await client.get(EPOCH_KEY)
    return value.decode() if value is not None else None


async def _watch_forever(addresses: list[str]) -> None:
    import redis.asyncio as aioredis

    clients = [aioredis.Redis.from_url(address, socket_connect_timeout=2, socket_timeout=2) for address in addresses]
    known: list[str | None] = [None] * len(clients)
    try:
        while True:
            restarted = False
            for index, client in enumerate(clients):
                try:
                    current = await _epoch(client, uuid.uuid4().hex)
                except Exception:
                    # Down (or unreachable): it may come back empty, so its return counts as a restart.
                    # The sockets whose receive runs there end on their own meanwhile.
                    known[index] = "down"
                    continue
                if known[index] is not None and current != known[index]:
                    restarted = True
                    logger.warning("channel layer shard %s restarted; sockets will resume", addresses[index])
                known[index] = current
            if restarted:
                for consumer in list(_sockets):
                    try:
                        await consumer.close(code=CLOSE_LAYER_RESTARTED)
                    except Exception:
                        logger.info("closing a socket after a shard restart failed", exc_info=True)
            await asyncio.sleep(settings.LAYER_WATCH_SECONDS)
    finally:
        for client in clients:
            await client.aclose()
