"""Real parts for the e-mail tests: an SMTP server on loopback (aiosmtpd) and Celery workers in subprocesses.

The workers run `celery -A atende_chat worker` with the test process's environment, pointed at the
pytest test database (tests using them need django_db(transaction=True) so they see committed rows),
at the Redis of the tests as broker, and at the loopback SMTP server.
"""

import asyncio
import email
import email.policy
import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def wait_until(predicate: Callable[[], object], timeout: float = 20.0, interval: float = 0.05) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPHandler:
    """Accepts messages and keeps them; can refuse the next ones or hold one until released.

    A long Message-ID is folded onto a continuation line on the wire: compare it stripped.
    """

    def __init__(self) -> None:
        self.received: list[email.message.EmailMessage] = []
        self.envelopes: list[list[str]] = []
        self.refusals: list[str] = []
        self.attempts = 0
        self.hold_next = False
        self.holding = threading.Event()
        self.released = threading.Event()
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self.received.clear()
            self.envelopes.clear()
            self.refusals.clear()
            self.attempts = 0
            self.hold_next = False
            self.holding.clear()
            self.released.clear()

    def refuse_next(self, count: int, reply: str = "451 4.3.0 Falha temporaria, tente mais tarde") -> None:
        with self._lock:
            self.refusals.extend([reply] * count)

    def hold_next_message(self) -> None:
        """The next DATA gets no answer until release(); it is then refused, so it was never accepted."""
        self.hold_next = True

    def release(self) -> None:
        self.released.set()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self._lock:
            self.attempts += 1
            hold, self.hold_next = self.hold_next, False
            refusal = self.refusals.pop(0) if self.refusals else None
        if hold:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.released.wait)
            return "421 4.3.2 Servico indisponivel"
        if refusal:
            return refusal
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._lock:
            self.received.append(message)
            self.envelopes.append(list(envelope.rcpt_tos))
        return "250 2.0.0 Mensagem aceita"


@contextmanager
def running_smtp_server() -> Iterator[tuple[SMTPHandler, int]]:
    """A real SMTP server on a free loopback port; yields (handler, port)."""
    handler = SMTPHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, server_hostname="smtp.teste.local")
    controller.start()
    try:
        yield handler, port
    finally:
        handler.release()
        controller.stop()


@pytest.fixture
def smtp_server():
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def smtp_mailer(settings, smtp_server):
    """This process sends through the loopback SMTP server (instead of the tests' locmem outbox)."""
    handler, port = smtp_server
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    return handler


def text_upload(name: str = "relatorio.txt", text: str = "Nota 123 rejeitada pela SEFAZ.\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def png_upload(name: str = "tela.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (11, 79, 138)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def database_url_for_subprocess() -> str:
    """The URL of the pytest test database, for processes started by the tests."""
    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "")
    password = db.get("PASSWORD") or ""
    credentials = f"{user}:{quote(password)}@" if password else (f"{user}@" if user else "")
    return f"postgres://{credentials}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def purge_broker() -> None:
    """Drop tasks other tests left in the broker, so a worker starts on an empty queue."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")


class Worker:
    """`celery -A atende_chat worker` in a subprocess of its own session (so SIGKILL takes it whole)."""

    def __init__(self, log: Path, smtp_port: int, **env: str) -> None:
        self.log = log
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "atende_chat.settings",
            "DATABASE_URL": database_url_for_subprocess(),
            "REDIS_URL": settings.REDIS_URL,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "EMAIL_TIMEOUT": "10",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "TRANSCRIPT_RETRY_BACKOFF": "1",
            "TRANSCRIPT_RETRY_BACKOFF_MAX": "1",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        name = f"email-test-{uuid.uuid4().hex[:8]}@%h"
        command = [sys.executable, "-m", "celery", "-A", "atende_chat", "worker", "-P", "solo", "-n", name]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            wait_until(lambda: " ready." in self.output() or self.process.poll() is not None, timeout=30)
        except AssertionError:
            self.stop()
            raise AssertionError("worker did not start:\n" + self.output()) from None
        assert self.process.poll() is None, "worker exited:\n" + self.output()
        return self

    def output(self, since: int = 0) -> str:
        return self.log.read_text(errors="replace")[since:] if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, nothing acknowledged, as when a machine dies."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


@pytest.fixture
def start_worker(tmp_path, smtp_server):
    """Start workers (stopped at the end of the test) on an emptied queue."""
    _, port = smtp_server
    purge_broker()
    started: list[Worker] = []

    def _start(**env: str) -> Worker:
        worker = Worker(tmp_path / f"worker{len(started)}.log", port, **env)
        started.append(worker)
        return worker.start()

    yield _start
    for worker in started:
        worker.stop()


@pytest.fixture(scope="module")
def module_smtp_server():
    with running_smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def module_worker(django_db_setup, module_smtp_server, tmp_path_factory):
    """One worker for a whole test module: starting one costs seconds."""
    purge_broker()
    worker = Worker(tmp_path_factory.mktemp("worker") / "worker.log", module_smtp_server[1]).start()
    yield worker
    worker.stop()


@pytest.fixture
def worker(module_worker, module_smtp_server):
    """The module's worker and SMTP server, the server's record cleared; yields (worker, handler, log offset)."""
    handler, _ = module_smtp_server
    handler.reset()
    yield module_worker, handler, len(module_worker.output())


@pytest.fixture
def conversation(person, attendant, open_ticket):
    """A ticket with messages from both sides and files from both sides, concluded by the attendant."""
    from tickets import services
    from tickets.models import Status

    def _make(*, requester_reply: str = "Segue a tela do erro.", conclude: bool = True):
        ticket = open_ticket(
            person, reason="Boa tarde, a nota 123 foi rejeitada.\nPodem ajudar?", files=[text_upload()]
        )
        services.ticket_message_create(ticket=ticket, user=attendant, body="Olá, sou a Ana. Pode enviar a tela?")
        services.ticket_message_create(ticket=ticket, user=person.user, body=requester_reply, files=[png_upload()])
        services.ticket_message_create(
            ticket=ticket,
            user=attendant,
            body="Reenvie a nota, por favor.",
            files=[text_upload("passos.txt", "1. Reenviar\n")],
        )
        if conclude:
            services.ticket_status_change(ticket=ticket, attendant=attendant, status=Status.CONCLUIDO)
        ticket.refresh_from_db()
        return ticket

    return _make
