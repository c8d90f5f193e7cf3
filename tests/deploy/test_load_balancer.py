"""The production shape behind a real load balancer (issue 16, points 1 and 2).

Debian's nginx with the repository's configuration in front of three daphne processes on one Redis
layer, as docker-compose.yml runs them. A few hundred staff and attendant sockets are spread over the
processes; one process is killed (SIGKILL), or all are restarted one at a time, while replies keep
coming. Every client must come back through nginx to a live process and end with every message of
its ticket, in order, none twice, and the right badge.
"""

import asyncio
import json
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.core.management import call_command

from tests.factories import AttendantFactory, PersonFactory
from tests.realtime.conftest import Daphne, session_cookie
from tests.support.nginx import Nginx
from tests.support.realtime_client import LiveClient, open_ws
from tickets import services
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db(transaction=True)

PROCESSES = 3
METRICS_TOKEN = "token-das-metricas-do-balanceador"


@dataclass
class Cluster:
    nginx: Nginx
    servers: list[Daphne]
    static_root: object

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(f"http://{self.nginx.address}{path}", headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()


def wait_healthy(server: Daphne, within: float = 60) -> None:
    """Until the process's own /saude/ answers 200, as the compose health check waits."""
    deadline = time.monotonic() + within
    while True:
        try:
            with urllib.request.urlopen(f"http://{server.address}/saude/", timeout=10) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            pass
        assert time.monotonic() < deadline, server.read_log()[-2000:]
        time.sleep(0.2)


def serve_behind_proxy(server: Daphne) -> None:
    """Started as docker-compose starts each web process."""
    server.command = lambda: [sys.executable, "-m", "atende_chat.serve", "-b", "127.0.0.1", "-p", str(server.port)]


@pytest.fixture
def cluster(settings, tmp_path):
    static_root = tmp_path / "static"
    settings.STATIC_ROOT = static_root
    call_command("collectstatic", "--noinput", verbosity=0)
    env = {"BEHIND_PROXY": "true", "METRICS_PUBLISH_SECONDS": "0.5", "METRICS_TOKEN": METRICS_TOKEN}
    servers = [Daphne(env=env) for _ in range(PROCESSES)]
    for server in servers:
        serve_behind_proxy(server)
        server.start()
    nginx = Nginx([server.port for server in servers], static_root=static_root)
    yield Cluster(nginx=nginx, servers=servers, static_root=static_root)
    nginx.stop()
    for server in servers:
        server.stop()
        server.log.close()


# --- HTTP through the balancer --------------------------------------------------------------


def test_pages_static_files_and_the_body_limit_through_nginx(cluster):
    status, _, page = cluster.get("/accounts/login/")
    assert status == 200 and b'name="csrfmiddlewaretoken"' in page

    # Static files come from collectstatic's directory, straight from nginx: they are served with
    # every application process down.
    for server in cluster.servers:
        server.stop()
    status, headers, body = cluster.get("/static/js/realtime.js")
    assert status == 200
    assert body == (cluster.static_root / "js" / "realtime.js").read_bytes()
    assert "public" in headers["Cache-Control"] and headers["X-Content-Type-Options"] == "nosniff"
    # A path that climbs out of the static root reaches no file of the project.
    status, _, body = cluster.get("/static/js/%2e%2e/%2e%2e/%2e%2e/atende_chat/settings.py")
    assert status != 200 and b"SECRET_KEY" not in body
    assert cluster.get("/accounts/login/")[0] == 502


def test_a_body_over_the_largest_route_limit_is_refused_by_nginx(cluster):
    request = urllib.request.Request(
        f"http://{cluster.nginx.address}/chat/novo/",
        data=b"x" * (22 * 1024 * 1024),
        headers={"Content-Type": "application/octet-stream"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)  # noqa: S310 (loopback)
    assert refused.value.code == 413


def test_sockets_are_spread_over_every_process(cluster, person):
    cookie = session_cookie(person.user)

    async def scenario():
        sockets = [await open_ws(cluster.nginx.address, "/ws/toolbar/", cookie) for _ in range(PROCESSES * 4)]
        for ws in sockets:
            assert json.loads(await asyncio.wait_for(ws.recv(), timeout=10))["type"] == "hello"
        deadline = time.monotonic() + 30
        while True:
            counts = await asyncio.to_thread(sockets_per_process, cluster)
            if len([count for count in counts.values() if count > 0]) == PROCESSES and sum(counts.values()) == len(
                sockets
            ):
                break
            assert time.monotonic() < deadline, counts
            await asyncio.sleep(0.2)
        for ws in sockets:
            await ws.close()

    async_to_sync(scenario)()


def sockets_per_process(cluster: Cluster) -> dict[str, float]:
    import re

    _, _, body = cluster.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    return {
        name: float(value)
        for name, value in re.findall(r'^atende_chat_open_sockets\{process="([^"]+)"\} (\S+)$', body.decode(), re.M)
    }


# --- losing a process ----------------------------------------------------------------------


def make_world(tickets: int):
    attendant = AttendantFactory(username="ana", first_name="Ana Paula", last_name="Schmitt")
    people = [PersonFactory() for _ in range(tickets)]
    from tests.factories import ModuleFactory

    module = ModuleFactory()
    opened = []
    for person in people:
        ticket = services.ticket_open(requester=person, module_id=module.pk, reason="Preciso de ajuda", files=())
        services.ticket_take(ticket=ticket, attendant=attendant)
        opened.append(ticket)
    attendant_cookie = session_cookie(attendant)
    clients = []
    for person, ticket in zip(people, opened, strict=True):
        cookie = session_cookie(person.user)
        clients.append(LiveClient(f"/ws/tickets/{ticket.number}/", cookie, ticket_id=ticket.pk))
        clients.append(LiveClient("/ws/toolbar/", cookie))
        clients.append(LiveClient(f"/ws/tickets/{ticket.number}/", attendant_cookie, ticket_id=ticket.pk))
    return attendant, opened, clients


def expected_ids() -> dict[int, list[int]]:
    expected: dict[int, list[int]] = {}
    for ticket_id, message_id in Message.objects.order_by("pk").values_list("ticket_id", "pk"):
        expected.setdefault(ticket_id, []).append(message_id)
    return expected


async def converge(clients: list[LiveClient], within: float = 150) -> None:
    """Every conversation holds every message of its ticket; every toolbar the server's count."""
    deadline = time.monotonic() + within
    while True:
        expected = await sync_to_async(expected_ids)()
        missing = [c for c in clients if c.ticket_id is not None and c.ids != expected.get(c.ticket_id, [])]
        badges_pending = [c for c in clients if c.ticket_id is None and c.badge != 1]
        if not missing and not badges_pending:
            return
        assert time.monotonic() < deadline, (
            f"{len(missing)} conversations and {len(badges_pending)} toolbars did not catch up; "
            f"e.g. {missing[:1]} {badges_pending[:1]}"
        )
        await asyncio.sleep(0.2)


def reply_to_all(attendant, tickets: list[Ticket], round_number: int) -> None:
    for ticket in tickets:
        services.ticket_message_create(ticket=ticket, user=attendant, body=f"Resposta {round_number}")


def run_with_failures(cluster: Cluster, clients: list[LiveClient], attendant, tickets, failure) -> None:
    async def scenario():
        stop = asyncio.Event()
        tasks = []
        try:
            # Pages open over time, not all in the same millisecond: batches of 50.
            for start in range(0, len(clients), 50):
                batch = clients[start : start + 50]
                tasks += [asyncio.create_task(client.run(cluster.nginx.address, stop)) for client in batch]
                await asyncio.wait_for(asyncio.gather(*(client.resumed.wait() for client in batch)), timeout=120)
            deadline = time.monotonic() + 120
            while not all(client.resumed.is_set() for client in clients):
                assert time.monotonic() < deadline, (
                    [(c.path, c.connections, c.errors[-1:]) for c in clients if not c.resumed.is_set()][:3],
                    cluster.nginx.error_log()[-3000:],
                    [server.read_log()[-3000:] for server in cluster.servers],
                )
                await asyncio.sleep(0.1)
            await sync_to_async(reply_to_all)(attendant, tickets, 1)
            await failure(cluster, lambda n: sync_to_async(reply_to_all)(attendant, tickets, n))
            await sync_to_async(reply_to_all)(attendant, tickets, 99)
            try:
                await converge(clients)
            except AssertionError as stuck:
                # What nginx and the servers said, for whoever reads the failure.
                alive = [server.process is not None and server.process.poll() is None for server in cluster.servers]
                logs = [
                    f"processes alive: {alive}",
                    cluster.nginx.error_log()[-3000:],
                    *(server.read_log()[-2000:] for server in cluster.servers),
                ]
                raise AssertionError(f"{stuck}\n--- logs ---\n" + "\n---\n".join(logs)) from None
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)

    async_to_sync(scenario)()


def test_killing_a_process_loses_no_message_and_sends_none_twice(cluster, settings):
    """SIGKILL one of three processes under ~300 sockets while replies keep coming."""
    settings.MESSAGE_RATE_LIMIT = 1_000_000
    attendant, tickets, clients = make_world(80)

    async def kill_one(cluster: Cluster, reply) -> None:
        victim = cluster.servers[0]
        victim.process.kill()  # SIGKILL: no goodbye to anybody
        victim.process.wait(timeout=10)
        await reply(2)
        await reply(3)

    run_with_failures(cluster, clients, attendant, tickets, kill_one)

    assert all(not client.duplicates for client in clients), [c.duplicates for c in clients if c.duplicates][:3]
    for client in clients:
        assert client.ids == sorted(client.ids)
    # The killed process's clients (about a third) came back through nginx to the others.
    reconnected = [client for client in clients if client.connections > 1]
    assert len(clients) // 6 <= len(reconnected) <= len(clients) // 2 + 20, len(reconnected)


def test_a_rolling_restart_of_every_process_loses_no_message(cluster, settings):
    """Each process stopped and started again in turn (as an upgrade does), replies coming all along."""
    settings.MESSAGE_RATE_LIMIT = 1_000_000
    attendant, tickets, clients = make_world(20)

    async def restart_each(cluster: Cluster, reply) -> None:
        # As docs/operations.md says: one at a time, the next only when this one is healthy again.
        for number, server in enumerate(cluster.servers, start=2):
            await asyncio.to_thread(server.stop, 30)
            await reply(number)
            await asyncio.to_thread(server.start)
            await asyncio.to_thread(wait_healthy, server)
            await converge(clients)

    run_with_failures(cluster, clients, attendant, tickets, restart_each)

    assert all(not client.duplicates for client in clients)
    # Every client was on a process that restarted: every one of them came back.
    assert all(client.connections >= 2 for client in clients)
