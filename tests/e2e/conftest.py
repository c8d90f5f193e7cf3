"""The production shape on loopback, for the browser journeys.

A session-wide stack: its own PostgreSQL database (migrated, demo data loaded), a daphne ASGI
server (HTTP and websockets) on the real Redis channel layer, a real Celery worker on the Redis
broker, and a real SMTP server (aiosmtpd) whose mailbox the tests read. The tests only use the
browser and the mailbox: they see what a user sees.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import psycopg.sql
import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        with self._lock:
            # The modern policy decodes headers (RFC 2047): tests compare subjects as users read them.
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def wait_for(self, predicate, timeout: float = 30.0) -> Message:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for message in self.messages:
                    if predicate(message):
                        return message
            time.sleep(0.2)
        raise AssertionError("the e-mail did not arrive in time")


@dataclass
class Stack:
    base_url: str
    mailbox: Mailbox
    env: dict
    media_root: Path
    processes: list = field(default_factory=list)

    def manage(self, *args: str) -> str:
        out = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, check=True
        )
        return out.stdout


def _database_url(name: str) -> str:
    base = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/atende_chat"))
    return base._replace(path=f"/{name}").geturl()


def _recreate_database(url: str) -> None:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(
            psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(name))
        )
        connection.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited early with code {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    db_name = f"{settings.DATABASES['default']['NAME']}_e2e".removeprefix("test_")
    var_dir = tmp_path_factory.mktemp("e2e-var")
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "e2e-only-secret-key-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": _database_url(db_name),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(var_dir / "private"),
        "AXES_FAILURE_LIMIT": "50",
        # One shared world for every browser test: "servidor" opens far more than 10 tickets over a full run,
        # and the per-person limit (tested in tests/tickets/test_open_limit.py) would refuse the later ones.
        "OPEN_TICKETS_MAX": "1000",
        "PYTHONUNBUFFERED": "1",
        # Demo users and known passwords are allowed on this throwaway stack only (seed_demo).
        "ALLOW_DEMO_DATA": "true",
        # Routing on (nobody is "Disponível" unless a test makes them so), offers short enough to watch expire.
        "ROUTING_ENABLED": "true",
        "ROUTING_OFFER_SECONDS": "15",
    }
    _recreate_database(env["DATABASE_URL"])
    stack = Stack(base_url=f"http://127.0.0.1:{port}", mailbox=mailbox, env=env, media_root=var_dir / "private")
    stack.manage("migrate", "--noinput")
    stack.manage("seed_demo")
    # Journeys run at any hour: attendance is always open here (off-line hours have their own tests).
    stack.manage("shell", "-c", "from tickets.models import AttendancePeriod; AttendancePeriod.objects.all().delete()")
    stack.manage("collectstatic", "--noinput")
    logs = var_dir / "logs"
    logs.mkdir()
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "atende_chat.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=(logs / "daphne.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "atende_chat", "worker", "--pool=solo", "--loglevel=INFO"],
        cwd=ROOT,
        env=env,
        stdout=(logs / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    stack.processes = [server, worker]
    try:
        _wait_for_port(port, server)
        yield stack
    finally:
        for process in stack.processes:
            _stop(process)
        smtp.stop()
        for name in ("daphne.log", "worker.log"):
            text = (logs / name).read_text(errors="replace")
            if "Traceback" in text:
                sys.stderr.write(f"\n--- {name} ---\n{text[-4000:]}\n")
        shutil.rmtree(var_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium não encontrado em {CHROMIUM}: instale com apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser: Browser, stack: Stack):
    contexts: list[BrowserContext] = []

    def _new(**kwargs) -> BrowserContext:
        context = browser.new_context(base_url=stack.base_url, locale="pt-BR", accept_downloads=True, **kwargs)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield _new
    for context in contexts:
        context.close()


def log_in(page: Page, username: str, password: str | None = None) -> Page:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password or username)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


@pytest.fixture
def login_as(new_context):
    def _login(username: str) -> Page:
        page = new_context().new_page()
        return log_in(page, username)

    return _login


@pytest.fixture(autouse=True)
def _always_open():
    """The journeys touch no test database: the stack has its own (see `stack`)."""


@pytest.fixture(autouse=True)
def _clear_cache():
    """Nothing cached in this process matters to the stack's server."""


@pytest.fixture(autouse=True)
def _fast_password_hasher():
    """The stack's server hashes with its own settings."""


CONTACTLESS_PERSON = """
from django.contrib.auth import get_user_model
from people.models import Entity
from people.services import person_create

user = get_user_model().objects.create_user({username!r}, password={username!r})
person_create(entity=Entity.objects.get(online_chat_enabled=True), name={name!r}, user=user)
"""


@pytest.fixture
def contactless_user(stack: Stack) -> str:
    """A new staff member of an entity with the chat on, with no e-mail and no phone (S5).

    Fresh each time: the demo `incompleto` stops being incomplete once a journey fills in the contacts.
    """
    username = f"semcontato{uuid.uuid4().hex[:8]}"
    stack.manage("shell", "-c", CONTACTLESS_PERSON.format(username=username, name="JOÃO PEDRO MARTINS"))
    return username
