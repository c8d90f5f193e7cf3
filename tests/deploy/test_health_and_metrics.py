"""Operations (issue 16, points 4 and 5): the health endpoint, the Prometheus metrics and JSON logs.

The balancer and the compose health checks ask /saude/; it must say 503 when any part a request needs
is down, and say which. /metrics is for the operators only and reports figures that match the data.
"""

import asyncio
import json
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.request import urlopen

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.test import Client
from django.utils import timezone
from websockets.asyncio.client import connect

from atende_chat import metrics
from tests.conftest import login
from tests.factories import UserFactory
from tests.faults.conftest import ThrowawayRedis
from tests.realtime.conftest import Daphne, session_cookie
from tests.support.nginx import free_port
from tickets import services
from tickets.models import Message, Status, Ticket, TranscriptOutbox

ROOT = Path(__file__).resolve().parents[2]


def metric(text: str, name: str, labels: str = "") -> float:
    """The value of one sample in Prometheus's text format."""
    pattern = rf"^{re.escape(name)}{re.escape(labels)} (\S+)$" if labels else rf"^{re.escape(name)} (\S+)$"
    found = re.search(pattern, text, re.MULTILINE)
    assert found, f"{name}{labels} not in:\n{text}"
    return float(found.group(1))


# --- health ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_is_200_when_database_cache_and_channel_layer_answer():
    response = Client().get("/saude/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "channel_layer": "ok"},
    }
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_is_503_naming_the_cache_and_layer_when_redis_is_down(settings):
    server = ThrowawayRedis()
    server.start()
    layer = settings.CHANNEL_LAYERS["default"]
    host = {**layer["CONFIG"]["hosts"][0], "address": server.url, "socket_connect_timeout": 0.5}
    settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": {**layer["CONFIG"], "hosts": [host]}}}
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": server.url}}
    try:
        assert Client().get("/saude/").status_code == 200
        server.stop()
        response = Client().get("/saude/")
    finally:
        server.stop()
    assert response.status_code == 503
    body = response.json()
    assert body == {"status": "erro", "checks": {"database": "ok", "cache": "erro", "channel_layer": "erro"}}
    # Nothing of the failure itself (addresses, exception text) reaches an anonymous caller.
    assert str(server.port) not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_health_is_503_naming_the_database_when_postgresql_is_unreachable():
    """A real server process whose database address answers nothing."""
    server = Daphne(env={"DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/atende_nada"})
    server.start()
    try:
        with pytest.raises(Exception) as answer:  # urllib raises HTTPError for a 503
            urlopen(f"http://{server.address}/saude/", timeout=30)  # noqa: S310 (loopback)
        assert answer.value.code == 503
        body = json.loads(answer.value.read())
    finally:
        server.stop()
    assert body == {"status": "erro", "checks": {"database": "erro", "cache": "ok", "channel_layer": "ok"}}


# --- metrics --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_are_for_operators_only(settings, person, attendant):
    settings.METRICS_TOKEN = "um-token-de-operador-bem-longo"
    for client in (Client(), login(Client(), person.user), login(Client(), attendant)):
        response = client.get("/metrics")
        assert response.status_code == 403
        assert response.content.decode() == "Acesso restrito aos operadores."
    assert Client(headers={"Authorization": "Bearer outro-token"}).get("/metrics").status_code == 403
    assert Client(headers={"Authorization": "Bearer um-token-de-operador-bem-longo"}).get("/metrics").status_code == 200
    superuser = UserFactory(is_staff=True, is_superuser=True)
    assert login(Client(), superuser).get("/metrics").status_code == 200


@pytest.mark.django_db
def test_without_a_token_configured_no_bearer_gets_in(settings):
    settings.METRICS_TOKEN = ""
    assert Client(headers={"Authorization": "Bearer "}).get("/metrics").status_code == 403


@pytest.mark.django_db
def test_metrics_match_the_queue_the_messages_and_the_outbox(settings, person, other_person, attendant, open_ticket):
    settings.METRICS_TOKEN = "token-de-teste-das-metricas"
    first = open_ticket(person)
    open_ticket(other_person)
    taken = open_ticket(person, reason="Outro assunto")
    services.ticket_take(ticket=taken, attendant=attendant)
    Ticket.objects.filter(pk=first.pk).update(opened_at=timezone.now() - timedelta(minutes=30))
    concluded = open_ticket(other_person, reason="Já resolvido")
    failed = open_ticket(person, reason="E-mail que falhou")
    for ticket in (concluded, failed):
        services.ticket_take(ticket=ticket, attendant=attendant)
        services.ticket_status_change(ticket=ticket, attendant=attendant, status=Status.CONCLUIDO)
    TranscriptOutbox.objects.filter(ticket=failed).update(failed_at=timezone.now(), last_error="SMTP recusou")
    TranscriptOutbox.objects.filter(ticket=concluded).update(sent_at=None, failed_at=None)

    client = Client(headers={"Authorization": "Bearer token-de-teste-das-metricas"})
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()

    assert metric(text, "atende_chat_messages_total") == Message.objects.order_by("-pk").first().pk
    assert metric(text, "atende_chat_queue_waiting") == 2
    assert 30 * 60 - 5 <= metric(text, "atende_chat_queue_oldest_wait_seconds") <= 30 * 60 + 120
    assert metric(text, "atende_chat_transcripts_pending") == 1
    assert metric(text, "atende_chat_transcripts_failed") == 1
    assert f'atende_chat_open_sockets{{process="{metrics.PROCESS}"}}' in text


@pytest.mark.django_db
def test_the_metrics_page_costs_the_same_queries_whatever_the_data(
    settings, person, open_ticket, django_assert_num_queries
):
    settings.METRICS_TOKEN = "token-de-teste-das-metricas"
    client = Client(headers={"Authorization": "Bearer token-de-teste-das-metricas"})
    open_ticket(person)
    with django_assert_num_queries(3):
        client.get("/metrics")
    for index in range(5):
        open_ticket(person, reason=f"Mais um {index}")
    with django_assert_num_queries(3):
        client.get("/metrics")


@pytest.mark.django_db(transaction=True)
def test_each_server_process_reports_its_own_open_sockets(settings, person):
    """Two ASGI processes, sockets on each: a scrape of either one reports both, per process."""
    settings.METRICS_TOKEN = "token-de-teste-das-metricas"
    env = {"METRICS_PUBLISH_SECONDS": "0.5", "METRICS_TOKEN": settings.METRICS_TOKEN}
    servers = [Daphne(env=env), Daphne(env=env)]
    for server in servers:
        server.start()
    cookie = session_cookie(person.user)
    name = settings.SESSION_COOKIE_NAME
    counts = {servers[0].address: 3, servers[1].address: 2}

    def scrape(address: str) -> str:
        request = f"http://{address}/metrics"
        from urllib.request import Request

        with urlopen(  # noqa: S310 (loopback)
            Request(request, headers={"Authorization": f"Bearer {settings.METRICS_TOKEN}"}), timeout=30
        ) as answer:
            return answer.read().decode()

    def per_process(text: str) -> list[float]:
        return sorted(float(v) for v in re.findall(r'^atende_chat_open_sockets\{process="[^"]+"\} (\S+)$', text, re.M))

    async def scenario():
        sockets = []
        for address, count in counts.items():
            for _ in range(count):
                ws = await connect(
                    f"ws://{address}/ws/toolbar/",
                    origin=f"http://{address}",
                    additional_headers={"Cookie": f"{name}={cookie}"},
                )
                assert json.loads(await asyncio.wait_for(ws.recv(), timeout=10))["type"] == "hello"
                sockets.append(ws)
        deadline = time.monotonic() + 30
        while True:
            texts = [await asyncio.to_thread(scrape, server.address) for server in servers]
            # The scraping process reports itself too (0 sockets of its own besides those above).
            if all([value for value in per_process(text) if value] == [2.0, 3.0] for text in texts):
                break
            assert time.monotonic() < deadline, texts
            await asyncio.sleep(0.2)
        for ws in sockets[:2]:
            await ws.close()
        while [value for value in per_process(await asyncio.to_thread(scrape, servers[1].address)) if value] != [
            1.0,
            2.0,
        ]:
            assert time.monotonic() < deadline + 30
            await asyncio.sleep(0.2)
        for ws in sockets[2:]:
            await ws.close()

    try:
        async_to_sync(scenario)()
    finally:
        for server in servers:
            server.stop()


@pytest.mark.django_db(transaction=True)
def test_channel_layer_drops_are_counted(settings):
    """A group whose member stopped reading: channels-redis drops over capacity, and the count shows it."""
    layer_settings = settings.CHANNEL_LAYERS["default"]
    settings.CHANNEL_LAYERS = {"default": {**layer_settings, "CONFIG": {**layer_settings["CONFIG"], "capacity": 2}}}
    before = metrics.FIGURES.snapshot()["layer_drops"]

    async def scenario():
        layer = get_channel_layer()
        await layer.flush()
        channel = await layer.new_channel()
        await layer.group_add("metricas-teste", channel)
        for number in range(5):
            await layer.group_send("metricas-teste", {"type": "x", "n": number})
        await layer.flush()

    async_to_sync(scenario)()
    assert metrics.FIGURES.snapshot()["layer_drops"] - before == 3


# --- logs -----------------------------------------------------------------------------------


def test_logs_are_one_json_object_per_line_when_asked(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "true",
        "LOG_FORMAT": "json",
        "VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "atende_chat.settings",
    }
    code = "import django, logging; django.setup(); logging.getLogger('tickets.services').warning('atendimento %s', 42)"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    # Every line is one JSON object (django-axes logs its start too); ours is the last.
    records = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    record = records[-1]
    assert record["level"] == "WARNING"
    assert record["logger"] == "tickets.services"
    assert record["message"] == "atendimento 42"
    assert isinstance(record["pid"], int) and record["time"]


def test_logs_stay_plain_text_by_default(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "true", "VAR_DIR": str(tmp_path)}
    code = "import django, logging; django.setup(); logging.getLogger('tickets.services').warning('atendimento 42')"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "atende_chat.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert re.search(r"WARNING tickets\.services atendimento 42$", result.stderr.strip())
    assert not result.stderr.lstrip().startswith("{")
