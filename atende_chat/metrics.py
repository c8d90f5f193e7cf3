"""Prometheus metrics for the operators (issue 16, point 5), with the maintained `prometheus_client` library.

Two kinds of figures:

- **Read from the database at scrape time** (the same answer whichever process is asked): messages
  created (the highest message id, a counter: ``rate()`` gives messages per second), tickets waiting
  and the oldest wait, transcript e-mails pending and failed.
- **Kept by each ASGI process**: its open sockets and the channel-layer events it saw dropped. Behind a
  load balancer a scrape reaches one process, so every process writes its own figures to Redis every
  few seconds under a key that expires (``atende:metrics:process:<host>:<pid>``, 60 s): the endpoint
  reports every live process, and a process that died disappears within a minute. Without Redis (the
  embedded default) there is one process and it reports itself.

Access: a superuser's session, or ``Authorization: Bearer <METRICS_TOKEN>`` for the Prometheus server.
"""

import asyncio
import hmac
import json
import logging
import os
import socket
import threading
import time
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

logger = logging.getLogger(__name__)

PROCESS = f"{socket.gethostname()}:{os.getpid()}"
KEY_PREFIX = "atende:metrics:process:"
#: How long a process's figures live in Redis without a new write (it writes every METRICS_PUBLISH_SECONDS).
PUBLISH_TTL = 60


class _ProcessFigures:
    """This process's own counts, changed from the event loop and from threads alike."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sockets = 0
        self.layer_drops = 0

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + amount)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {"sockets": self.sockets, "layer_drops": self.layer_drops}


FIGURES = _ProcessFigures()
_publisher: dict[str, Any] = {"loop": None, "task": None}


def socket_opened() -> None:
    FIGURES.add("sockets")
    _ensure_publisher()


def socket_closed() -> None:
    FIGURES.add("sockets", -1)


def layer_dropped(count: int = 1) -> None:
    """Events the channel layer did not deliver (over capacity, or a failed group_send)."""
    FIGURES.add("layer_drops", count)


class LayerDropCounter(logging.Filter):
    """Counts channels-redis's "N of M channels over capacity in group G" records; the records still go on."""

    def filter(self, record: logging.LogRecord) -> bool:
        # A logging configuration applied twice adds its filters twice: count each record once.
        if getattr(record, "_atende_drop_counted", False):
            return True
        if record.msg == "%s of %s channels over capacity in group %s" and record.args:
            record._atende_drop_counted = True
            try:
                layer_dropped(int(record.args[0]))
            except (TypeError, ValueError):
                pass
        return True


def _redis_url() -> str:
    return getattr(settings, "REDIS_URL", "") or ""


def _ensure_publisher() -> None:
    """Start the writer of this process's figures on the running event loop, once per loop."""
    if not _redis_url():
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    task = _publisher["task"]
    if _publisher["loop"] is loop and task is not None and not task.done():
        return
    _publisher["loop"] = loop
    _publisher["task"] = loop.create_task(_publish_forever())


async def _publish_forever() -> None:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(_redis_url(), socket_connect_timeout=2, socket_timeout=2)
    try:
        while True:
            try:
                await client.set(KEY_PREFIX + PROCESS, json.dumps(FIGURES.snapshot()), ex=PUBLISH_TTL)
            except Exception:
                logger.info("could not publish this process's metrics; trying again", exc_info=True)
            await asyncio.sleep(settings.METRICS_PUBLISH_SECONDS)
    finally:
        await client.aclose()


def process_figures() -> dict[str, dict[str, int]]:
    """Every live process's figures (from Redis), this process's own taking precedence (they are fresher)."""
    figures: dict[str, dict[str, int]] = {}
    if _redis_url():
        import redis

        client = redis.Redis.from_url(_redis_url(), socket_connect_timeout=2, socket_timeout=2)
        try:
            keys = list(client.scan_iter(match=KEY_PREFIX + "*", count=500))
            for key, value in zip(keys, client.mget(keys) if keys else [], strict=True):
                if value is not None:
                    figures[key.decode().removeprefix(KEY_PREFIX)] = json.loads(value)
        finally:
            client.close()
    figures[PROCESS] = FIGURES.snapshot()
    return figures


class AtendeCollector:
    """Everything is computed when Prometheus asks: one aggregate per table, whatever the data size."""

    def collect(self):
        from tickets.models import WAITING_STATUSES, Message, Ticket, TranscriptOutbox

        now = timezone.now()
        messages = Message.objects.aggregate(last=Max("pk"))["last"] or 0
        queue = Ticket.objects.filter(status__in=WAITING_STATUSES).aggregate(
            waiting=Count("pk"), oldest=Min("opened_at")
        )
        outbox = TranscriptOutbox.objects.aggregate(
            pending=Count("pk", filter=Q(sent_at__isnull=True, failed_at__isnull=True)),
            failed=Count("pk", filter=Q(sent_at__isnull=True, failed_at__isnull=False)),
        )

        yield CounterMetricFamily(
            "atende_chat_messages",
            "Mensagens criadas (o maior id de mensagem; rate() dá mensagens por segundo).",
            messages,
        )
        yield GaugeMetricFamily("atende_chat_queue_waiting", "Atendimentos aguardando um atendente.", queue["waiting"])
        oldest = (now - queue["oldest"]).total_seconds() if queue["oldest"] else 0.0
        yield GaugeMetricFamily(
            "atende_chat_queue_oldest_wait_seconds", "Espera do atendimento mais antigo da fila, em segundos.", oldest
        )
        yield GaugeMetricFamily(
            "atende_chat_transcripts_pending", "E-mails de transcrição ainda não enviados.", outbox["pending"]
        )
        yield GaugeMetricFamily(
            "atende_chat_transcripts_failed", "E-mails de transcrição que falharam de vez.", outbox["failed"]
        )

        processes = process_figures()
        sockets = GaugeMetricFamily(
            "atende_chat_open_sockets", "Websockets abertos, por processo ASGI.", labels=["process"]
        )
        drops = CounterMetricFamily(
            "atende_chat_channel_layer_drops",
            "Eventos que a camada de canais não entregou (capacidade ou falha), por processo.",
            labels=["process"],
        )
        for name, figures in sorted(processes.items()):
            sockets.add_metric([name], figures.get("sockets", 0))
            drops.add_metric([name], figures.get("layer_drops", 0))
        yield sockets
        yield drops


def _allowed(request) -> bool:
    user = request.user
    if user.is_authenticated and user.is_active and user.is_superuser:
        return True
    token = getattr(settings, "METRICS_TOKEN", "")
    header = request.headers.get("Authorization", "")
    return bool(token) and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode())


@never_cache
@require_GET
def metrics(request):
    if not _allowed(request):
        return HttpResponse(_("Acesso restrito aos operadores."), status=403, content_type="text/plain; charset=utf-8")
    registry = CollectorRegistry(auto_describe=False)
    registry.register(AtendeCollector())
    started = time.monotonic()
    body = generate_latest(registry)
    logger.debug("metrics built in %.3f s", time.monotonic() - started)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
