"""The load client's websockets: many sockets in one asyncio loop, each with a reader task.

Every received frame is timestamped with time.monotonic() the moment it is read and handed to the
socket's listeners; `expect()` registers a listener *before* the action that should trigger the
event, so nothing can slip between the action and the wait.
"""

import asyncio
import contextlib
import json
import time
from collections.abc import Callable

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

Listener = Callable[[float, dict], None]


class Refused(Exception):
    """The server refused the handshake (HTTP 403: no such route, not allowed, or a stub consumer)."""


class Sock:
    def __init__(self, url: str, *, origin: str, session: str | None = None, label: object = None) -> None:
        self.url, self.origin, self.session, self.label = url, origin, session, label
        self.ws = None
        self.reader: asyncio.Task | None = None
        self.listeners: list[Listener] = []
        self.received = 0
        self.closed = asyncio.Event()

    async def open(self, open_timeout: float = 30.0) -> None:
        headers = {"Cookie": f"sessionid={self.session}"} if self.session else None
        try:
            self.ws = await connect(
                self.url,
                origin=self.origin,
                additional_headers=headers,
                open_timeout=open_timeout,
                ping_interval=None,
                close_timeout=2,
                max_queue=None,
            )
        except InvalidStatus as error:
            raise Refused(f"{self.url}: HTTP {error.response.status_code}") from None
        self.closed = asyncio.Event()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        # A dropped connection ends the reader; the measurement decides what that means.
        try:
            with contextlib.suppress(Exception):
                async for raw in self.ws:
                    t = time.monotonic()
                    self.received += 1
                    try:
                        message = json.loads(raw)
                    except ValueError:
                        message = {"raw": raw}
                    for listener in list(self.listeners):
                        listener(t, message)
        finally:
            self.closed.set()

    def expect(self, predicate: Callable[[dict], bool]) -> asyncio.Future:
        """A future resolved with (time, message) by the first message matching predicate from now on."""
        future = asyncio.get_running_loop().create_future()

        def listener(t: float, message: dict) -> None:
            if not future.done() and predicate(message):
                future.set_result((t, message))

        self.listeners.append(listener)
        future.add_done_callback(lambda _: self.listeners.remove(listener) if listener in self.listeners else None)
        return future

    async def send_json(self, data: dict) -> None:
        await self.ws.send(json.dumps(data))

    async def send_text(self, text: str) -> None:
        await self.ws.send(text)

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):  # already gone is as good as closed
                await asyncio.wait_for(self.ws.close(), 3)
        if self.reader is not None:
            self.reader.cancel()


async def open_all(socks: list[Sock], *, concurrency: int = 50, limit: float = 120.0) -> None:
    """Open sockets a few at a time (a listen backlog of 50 would drop a burst of SYNs and stall 1 s each)."""
    gate = asyncio.Semaphore(concurrency)

    async def one(sock: Sock) -> None:
        async with gate:
            await sock.open()

    results = await asyncio.wait_for(asyncio.gather(*(one(s) for s in socks), return_exceptions=True), limit)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        raise errors[0]


async def close_all(socks: list[Sock]) -> None:
    await asyncio.gather(*(s.close() for s in socks), return_exceptions=True)


def ws_url(port: int, path: str) -> str:
    return f"ws://127.0.0.1:{port}{path}"


def origin(port: int) -> str:
    return f"http://127.0.0.1:{port}"
