"""Helpers for websocket tests: real session cookies, the real ASGI stack, a clean channel layer.

Tests are synchronous functions that run one async scenario with ``async_to_sync``: the consumers'
``database_sync_to_async`` calls then come back to the test's own thread and database connection.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from atende_chat.asgi import application

ORIGIN = b"http://testserver"

# How long a test waits for a frame that must come. Channels' own default (1 s) failed on a loaded CI machine
# (test_frames, in a full run beside other work): waits for what must come are generous; waits proving that
# nothing comes (receive_nothing) stay short.
PATIENCE = 10.0


class PatientCommunicator(WebsocketCommunicator):
    """WebsocketCommunicator whose waits for an expected frame tolerate a busy machine."""

    async def connect(self, timeout=PATIENCE):  # noqa: ASYNC109 (Channels' own signature)
        return await super().connect(timeout=timeout)

    async def receive_output(self, timeout=PATIENCE):  # noqa: ASYNC109 (Channels' own signature)
        return await super().receive_output(timeout=timeout)

    async def receive_from(self, timeout=PATIENCE):  # noqa: ASYNC109 (Channels' own signature)
        return await super().receive_from(timeout=timeout)

    async def receive_json_from(self, timeout=PATIENCE):  # noqa: ASYNC109 (Channels' own signature)
        return await super().receive_json_from(timeout=timeout)


def session_cookie(user) -> str:
    """Log in for real (a session row) and return the cookie value the browser would send."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def logged_client(user) -> tuple[Client, str]:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def communicator(path: str, cookie: str | None = None, origin: bytes | None = ORIGIN) -> WebsocketCommunicator:
    """A websocket through the whole stack: origin check, cookies, session, auth, routing."""
    headers = [(b"host", b"testserver")]
    if origin is not None:
        headers.append((b"origin", origin))
    if cookie is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return PatientCommunicator(application, path, headers=headers)


async def open_socket(path: str, cookie: str, *, resume: int | None = 0) -> tuple[WebsocketCommunicator, dict]:
    """Connect, read the hello and, unless resume is None, resume from that id and read up to "resumed"."""
    socket = communicator(path, cookie)
    connected, _ = await socket.connect()
    assert connected
    hello = await socket.receive_json_from()
    assert hello["type"] == "hello", hello
    if resume is not None:
        await socket.send_json_to({"type": "resume", "last_id": resume})
        await frames_until(socket, "resumed")
    return socket, hello


async def frames_until(socket: WebsocketCommunicator, kind: str, wait: float = PATIENCE) -> list[dict[str, Any]]:
    """Every frame up to and including the first of the given type."""
    frames = []
    while True:
        frame = await socket.receive_json_from(timeout=wait)
        frames.append(frame)
        if frame["type"] == kind:
            return frames


async def next_output(socket: WebsocketCommunicator, wait: float = PATIENCE) -> dict[str, Any]:
    """The next raw ASGI message (a send or a close), decoded when it is a text frame."""
    output = await socket.receive_output(timeout=wait)
    if output["type"] == "websocket.send":
        return {"type": "websocket.send", **json.loads(output["text"])}
    return output


@pytest.fixture(autouse=True)
def clean_layer(transactional_db):
    """Nothing left in the layer (groups, queued events) from an earlier test."""
    async_to_sync(get_channel_layer().flush)()
    yield


class Daphne:
    """Another ASGI server process on the test database and the same Redis layer; it can be stopped and restarted."""

    def __init__(self, *, args: tuple[str, ...] = (), env: dict[str, str] | None = None) -> None:
        self.args = args
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.address = f"127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        # A file, not a pipe: a pipe nobody reads would block the server once full.
        self.log = tempfile.TemporaryFile()
        db = settings.DATABASES["default"]
        credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        self.env = {
            **os.environ,
            # The test database, where the test's committed rows are.
            "DATABASE_URL": f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "DJANGO_SETTINGS_MODULE": "atende_chat.settings",
            **(env or {}),
        }

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "daphne",
            *self.args,
            "-b",
            "127.0.0.1",
            "-p",
            str(self.port),
            "atende_chat.asgi:application",
        ]

    def read_log(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command(),
            cwd=Path(__file__).resolve().parents[2],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.process.kill()
                    self.log.seek(0)
                    raise RuntimeError(self.log.read().decode()) from None
                time.sleep(0.2)

    def stop(self, grace: float = 10) -> None:
        """SIGTERM, and SIGKILL after `grace` seconds, as docker stops a container."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def daphne(transactional_db):
    server = Daphne()
    server.start()
    yield server
    server.stop()
    server.log.close()
