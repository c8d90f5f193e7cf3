"""Idle soak: many websockets held open on a real daphne and the real Redis layer, then one event to all.

Passes when no socket closed by itself (no 1011, nothing at all while idle), every socket still hears
the event at the end, and the server log has no "Exception inside application".

The suite runs a short version (tests/security/test_soak.py). The long one is a command:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/atende_soak REDIS_URL=redis://127.0.0.1:6379/7 \\
    DEBUG=false SECRET_KEY=soak ALLOWED_HOSTS=127.0.0.1,localhost \\
        .venv/bin/python -m tests.security.soak --minutes 10 --sockets 300

It creates a throwaway test database next to DATABASE_URL's (test_<name>), starts its own daphne on
it, and drops the database at the end. Use a Redis db nobody else uses: the layer is flushed.
"""

import argparse
import asyncio
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

#: What each route hears when the attendant answers the requester's ticket.
EXPECTED_EVENT = {"toolbar": "person.badge", "ticket": "ticket.message", "queue": "queue.changed"}


@dataclass
class SocketRecord:
    route: str
    frames: list[dict] = field(default_factory=list)
    closed_with: int | None = None
    heard: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class SoakResult:
    sockets: int
    idle_seconds: float
    closed_while_idle: Counter
    deaf: Counter
    server_errors: list[str]

    @property
    def ok(self) -> bool:
        return not self.closed_while_idle and not self.deaf and not self.server_errors

    def summary(self) -> str:
        return (
            f"{self.sockets} sockets idle {self.idle_seconds:.0f} s: closed while idle {dict(self.closed_while_idle)}, "
            f"deaf at the end {dict(self.deaf)}, server errors {len(self.server_errors)}"
        )


async def _hold(ws, record: SocketRecord) -> None:
    try:
        async for raw in ws:
            frame = json.loads(raw)
            record.frames.append(frame)
            if frame.get("type") == EXPECTED_EVENT[record.route]:
                record.heard.set()
    except ConnectionClosed as closed:
        record.closed_with = closed.rcvd.code if closed.rcvd else 1006
    else:
        record.closed_with = ws.close_code


async def soak(
    *,
    address: str,
    routes: dict[str, str],
    cookie_for: dict[str, str],
    sockets: int,
    seconds: float,
    trigger,
    server_log,
) -> SoakResult:
    """Open `sockets` websockets spread over `routes`, idle `seconds`, call `trigger()` (sync), check all heard it."""
    names = list(routes)
    records: list[SocketRecord] = []
    connections = []
    tasks = []
    for i in range(sockets):
        route = names[i % len(names)]
        ws = await connect(
            f"ws://{address}{routes[route]}",
            origin=f"http://{address}",
            additional_headers={"Cookie": cookie_for[route]},
            open_timeout=30,
        )
        hello = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
        assert hello["type"] == "hello", hello
        if route == "ticket":
            await ws.send(json.dumps({"type": "resume", "last_id": 0}))
        record = SocketRecord(route)
        records.append(record)
        connections.append(ws)
        tasks.append(asyncio.create_task(_hold(ws, record)))
    started = time.monotonic()
    await asyncio.sleep(seconds)
    idle = time.monotonic() - started
    closed_while_idle = Counter(f"{r.route}:{r.closed_with}" for r in records if r.closed_with is not None)
    await asyncio.to_thread(trigger)
    deadline = time.monotonic() + 15
    for record in records:
        if record.closed_with is None:
            try:
                await asyncio.wait_for(record.heard.wait(), timeout=max(0.1, deadline - time.monotonic()))
            except TimeoutError:
                pass
    deaf = Counter(r.route for r in records if not r.heard.is_set() and r.closed_with is None)
    for ws in connections:
        await ws.close()
    await asyncio.gather(*tasks, return_exceptions=True)
    log = server_log()
    errors = [line for line in log.splitlines() if "Exception inside application" in line or " 1011" in line]
    return SoakResult(sockets, idle, closed_while_idle, deaf, errors)


def prepare_world():
    """A requester with a ticket, an attendant, and their session cookies (call with Django set up)."""
    from django.conf import settings

    from tests.factories import AttendantFactory, EntityFactory, ModuleFactory, PersonFactory
    from tests.realtime.conftest import session_cookie
    from tickets import services

    person = PersonFactory(entity=EntityFactory(), name="SERVIDOR DO SOAK")
    attendant = AttendantFactory(username="atendente-soak")
    ticket = services.ticket_open(requester=person, module_id=ModuleFactory().pk, reason="Soak")
    name = settings.SESSION_COOKIE_NAME
    person_cookie = f"{name}={session_cookie(person.user)}"
    routes = {"toolbar": "/ws/toolbar/", "ticket": f"/ws/tickets/{ticket.number}/", "queue": "/ws/queue/"}
    cookies = {"toolbar": person_cookie, "ticket": person_cookie, "queue": f"{name}={session_cookie(attendant)}"}

    def trigger():
        from django.db import connection

        try:
            services.ticket_message_create(ticket=ticket, user=attendant, body="Ainda aí?")
        finally:
            # Runs in a worker thread: its connection would otherwise hold the database open.
            connection.close()

    return routes, cookies, trigger


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--sockets", type=int, default=300)
    args = parser.parse_args(argv)
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("set DATABASE_URL (PostgreSQL) and REDIS_URL: the soak runs on the real layer")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atende_chat.settings")

    import django

    django.setup()
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer
    from django.conf import settings
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    from tests.realtime.conftest import Daphne

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every event of the soak comes from one attendant in a burst: the per-user limit is not what is measured.
    settings.MESSAGE_RATE_LIMIT = 0
    setup_test_environment()
    databases = setup_databases(verbosity=1, interactive=False)
    server = Daphne()
    try:
        async_to_sync(get_channel_layer().flush)()
        routes, cookies, trigger = prepare_world()
        server.start()

        def log() -> str:
            server.log.seek(0)
            return server.log.read().decode(errors="replace")

        result = asyncio.run(
            soak(
                address=server.address,
                routes=routes,
                cookie_for=cookies,
                sockets=args.sockets,
                seconds=args.minutes * 60,
                trigger=trigger,
                server_log=log,
            )
        )
    finally:
        server.stop()
        teardown_databases(databases, verbosity=1)
    print(result.summary())
    for line in result.server_errors[:20]:
        print("  server:", line)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
