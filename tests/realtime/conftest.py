"""Helpers for websocket tests: real session cookies, the real ASGI stack, a clean channel layer.

Tests are synchronous functions that run one async scenario with ``async_to_sync``: the consumers'
``database_sync_to_async`` calls then come back to the test's own thread and database connection.
"""

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from atende_chat.asgi import application

ORIGIN = b"http://testserver"


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
    headers = []
    if origin is not None:
        headers.append((b"origin", origin))
    if cookie is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


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


async def frames_until(socket: WebsocketCommunicator, kind: str, wait: float = 3) -> list[dict[str, Any]]:
    """Every frame up to and including the first of the given type."""
    frames = []
    while True:
        frame = await socket.receive_json_from(timeout=wait)
        frames.append(frame)
        if frame["type"] == kind:
            return frames


async def next_output(socket: WebsocketCommunicator, wait: float = 3) -> dict[str, Any]:
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
