"""The health endpoint that the load balancer and the compose health checks ask (issue 16, point 4).

It answers 200 only when this process can reach every part a request needs: the database, the cache
and the channel layer (a message sent to a channel of this process and received back). Anything else
is 503, with the name of the part that failed and nothing more (no error text, no addresses).
"""

import asyncio
import logging
import time
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

#: Each check gives up after this long: a balancer must hear "unhealthy", not wait for its own timeout.
CHECK_TIMEOUT = 2.0


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    value = cache.get(key)
    cache.delete(key)
    if value != "ok":
        raise RuntimeError("the cache did not return what was stored")


async def _layer_round_trip() -> None:
    layer = get_channel_layer()
    channel = await layer.new_channel("health.")
    await layer.send(channel, {"type": "health.ping"})
    message = await asyncio.wait_for(layer.receive(channel), timeout=CHECK_TIMEOUT)
    if message.get("type") != "health.ping":
        raise RuntimeError("the channel layer returned another message")


def _channel_layer() -> None:
    async_to_sync(_layer_round_trip)()


CHECKS = (("database", _database), ("cache", _cache), ("channel_layer", _channel_layer))


def run_checks() -> dict[str, str]:
    """Each part's state: "ok" or "erro" (the failure itself goes to the log)."""
    results = {}
    for name, check in CHECKS:
        started = time.monotonic()
        try:
            check()
        except Exception:
            logger.warning("health check %s failed after %.2f s", name, time.monotonic() - started, exc_info=True)
            results[name] = "erro"
        else:
            results[name] = "ok"
    return results


@never_cache
@require_GET
def health(request):
    checks = run_checks()
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse({"status": "ok" if healthy else "erro", "checks": checks}, status=200 if healthy else 503)
