"""A send in flight on a process that dies is retried by the client with its key and saved once (issue 16, point 2).

Debian's nginx with the repository's configuration in front of three daphne processes, as in
test_load_balancer.py. A requester's page sends a message as static/js/send.js does (POST to
/chat/atendimentos/<n>/ with X-Requested-With, JSON back, a client-made ``client_key``); the process
that took it is SIGKILLed before it answers. nginx does not replay a POST that reached a process
(deploy/nginx/atende_chat.conf): the page gets 502 and shows "Não enviado." with "Tentar novamente",
which sends the same key again, through nginx, to a live process. Whatever the dead process had
done, the database ends with that message exactly once and the retry answers with it:

- killed inside the transaction (the row written but not committed): PostgreSQL rolls it back when
  the connection dies, and the retry saves the message;
- killed after the commit, before answering: the retry finds the key and answers with the saved
  message, saving nothing again.

Nothing in the product waits for a test: the first case holds the dead process's transaction with a
table lock taken by the test; the second starts the processes with a test settings module that
holds the first send after its view (tests/support/held_send.py).
"""

import concurrent.futures
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection

from tests.deploy.test_load_balancer import serve_behind_proxy
from tests.realtime.conftest import Daphne, session_cookie
from tests.support.nginx import Nginx
from tickets.models import Message

pytestmark = pytest.mark.django_db(transaction=True)

PROCESSES = 3
CSRF = "Xq7vT2mLr9KpA4sW8dZ3nB6cY1fH5jGe"  # a CSRF secret of the page (32 characters), in its cookie


class Balanced:
    def __init__(self, env: dict[str, str]) -> None:
        self.servers = [Daphne(env=env) for _ in range(PROCESSES)]
        for number, server in enumerate(self.servers):
            # Each process names its database connections, so a test can tell which one holds a transaction.
            server.env["DATABASE_URL"] += f"?application_name=atende-web-{number}"
            serve_behind_proxy(server)
            server.start()
        self.nginx = Nginx([server.port for server in self.servers])

    def stop(self) -> None:
        self.nginx.stop()
        for server in self.servers:
            server.stop(grace=2)
            server.log.close()

    def logs(self) -> str:
        return "\n---\n".join([self.nginx.error_log()[-2000:], *(s.read_log()[-2000:] for s in self.servers)])


def send(address: str, *, number: int, cookie: str, body: str, key: str) -> tuple[int, dict]:
    """The page's send (send.js): the form's fields, the CSRF token, X-Requested-With; JSON back."""
    request = urllib.request.Request(
        f"http://{address}/chat/atendimentos/{number}/",
        data=urllib.parse.urlencode({"body": body, "client_key": key, "csrfmiddlewaretoken": CSRF}).encode(),
        headers={
            "Cookie": f"{django_settings.SESSION_COOKIE_NAME}={cookie}; {django_settings.CSRF_COOKIE_NAME}={CSRF}",
            "X-Requested-With": "XMLHttpRequest",
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=90) as answer:  # noqa: S310 (loopback)
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


def retry_until_answered(address: str, **send_args) -> dict:
    """ "Tentar novamente", pressed until the answer comes (the same key every time)."""
    for _attempt in range(5):
        status, answer = send(address, **send_args)
        if status == 200:
            return answer
    raise AssertionError(f"no answer to the retries (last status {status})")


def kill(server: Daphne) -> None:
    server.process.kill()  # SIGKILL: no goodbye to anybody
    server.process.wait(timeout=10)


def database_params() -> dict:
    db = django_settings.DATABASES["default"]
    return {
        "host": db["HOST"],
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
        "dbname": connection.settings_dict["NAME"],
    }


def backend_waiting_to_insert_a_message(within: float = 60) -> str:
    """The application_name of the process whose insert of a message waits for the test's lock."""
    deadline = time.monotonic() + within
    with psycopg.connect(**database_params(), autocommit=True) as watcher:
        while True:
            row = watcher.execute(
                "SELECT application_name FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO \"tickets_message\"%'"
            ).fetchone()
            if row:
                return row[0]
            assert time.monotonic() < deadline, "no process is inserting the message"
            time.sleep(0.05)


@pytest.fixture
def requester(person, open_ticket):
    return person, open_ticket(person), session_cookie(person.user)


def test_a_send_killed_inside_its_transaction_is_saved_once_by_the_retry(requester):
    person, ticket, cookie = requester
    balanced = Balanced({"BEHIND_PROXY": "true"})
    key = str(uuid.uuid4())
    message = {"number": ticket.number, "cookie": cookie, "body": "Segue a nota fiscal.", "key": key}
    try:
        with (
            psycopg.connect(**database_params()) as blocker,
            concurrent.futures.ThreadPoolExecutor(1) as pool,
        ):
            # Reads go on; the insert of any message waits: the send stops in the middle of its transaction,
            # with the ticket's row locked and nothing committed.
            blocker.execute("LOCK TABLE tickets_message IN SHARE MODE")
            first = pool.submit(send, balanced.nginx.address, **message)
            holder = backend_waiting_to_insert_a_message()
            victim = balanced.servers[int(holder.rsplit("-", 1)[1])]
            kill(victim)
            status, _ = first.result(timeout=60)
            assert status == 502, balanced.logs()
            blocker.rollback()
        assert not Message.objects.filter(client_key=key).exists()

        answer = retry_until_answered(balanced.nginx.address, **message)

        saved = list(Message.objects.filter(ticket=ticket, client_key=key))
        assert len(saved) == 1 and saved[0].body == "Segue a nota fiscal."
        assert [line["id"] for line in answer["messages"]] == [saved[0].pk]
        assert victim.process.poll() is not None  # answered by another process
    finally:
        balanced.stop()


def test_a_send_killed_after_its_commit_is_answered_by_the_retry_without_a_duplicate(requester, tmp_path):
    person, ticket, cookie = requester
    hold = tmp_path / "hold"
    hold.mkdir()
    held = {"DJANGO_SETTINGS_MODULE": "tests.support.held_send_settings", "HELD_SEND_DIR": str(hold)}
    balanced = Balanced({"BEHIND_PROXY": "true", **held})
    key = str(uuid.uuid4())
    message = {"number": ticket.number, "cookie": cookie, "body": "Já estava gravada?", "key": key}
    try:
        (hold / "armed").touch()
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            first = pool.submit(send, balanced.nginx.address, **message)
            deadline = time.monotonic() + 60
            while not (hold / "holding").exists():
                assert time.monotonic() < deadline and not first.done(), balanced.logs()
                time.sleep(0.05)
            pid = int((hold / "holding").read_text())
            [victim] = [server for server in balanced.servers if server.process.pid == pid]
            # The message is committed; its answer has not left the process.
            [saved] = Message.objects.filter(ticket=ticket, client_key=key)
            kill(victim)
            status, _ = first.result(timeout=60)
            assert status == 502, balanced.logs()

        answer = retry_until_answered(balanced.nginx.address, **message)

        assert [line["id"] for line in answer["messages"]] == [saved.pk]
        assert Message.objects.filter(ticket=ticket, client_key=key).count() == 1
        assert Message.objects.filter(ticket=ticket, body="Já estava gravada?").count() == 1
        assert os.path.exists(hold / "claimed")  # the retry went through, not held
    finally:
        (hold / "release").touch()
        balanced.stop()
