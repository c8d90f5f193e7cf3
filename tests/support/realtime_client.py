"""A websocket client that behaves as static/js/realtime.js does, for tests with real server processes.

It connects, reads "hello", resumes from the highest message id it holds, and on any close comes back
with realtime.js's back-off. It records every message id received, and any id received twice.
"""

import asyncio
import json
import random
from dataclasses import dataclass, field

from django.conf import settings
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus


async def open_ws(address: str, path: str, cookie: str):
    """A websocket to ws://address/path with the session cookie and the page's own Origin."""
    return await connect(
        f"ws://{address}{path}",
        origin=f"http://{address}",
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
        open_timeout=30,
    )


@dataclass
class LiveClient:
    """One page's socket: a conversation (ticket_id set) or a toolbar (the badge)."""

    path: str
    cookie: str
    ticket_id: int | None = None
    ids: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    badge: int | None = None
    connections: int = 0
    resumed: asyncio.Event = field(default_factory=asyncio.Event)
    errors: list[str] = field(default_factory=list)

    @property
    def last_id(self) -> int:
        return self.ids[-1] if self.ids else 0

    async def run(self, address: str, stop: asyncio.Event) -> None:
        # realtime.js's back-off: 1 s doubling (capped here at 8 s to keep tests short), half random.
        backoff = 1.0
        while not stop.is_set():
            try:
                async with await open_ws(address, self.path, self.cookie) as ws:
                    self.connections += 1
                    backoff = 1.0
                    await self._session(ws, stop)
            except (ConnectionClosed, OSError, InvalidStatus, TimeoutError) as error:
                self.errors.append(repr(error)[:300])
            if not stop.is_set():
                await asyncio.sleep(backoff * random.uniform(0.5, 1.0))
                backoff = min(backoff * 2, 8.0)

    async def _session(self, ws, stop: asyncio.Event) -> None:
        hello = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
        assert hello["type"] == "hello", hello
        await ws.send(json.dumps({"type": "resume", "last_id": self.last_id}))
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
            except TimeoutError:
                continue
            frame = json.loads(raw)
            if frame["type"] == "ticket.message":
                number = frame["message"]["id"]
                if number <= self.last_id:
                    self.duplicates.append(number)
                else:
                    self.ids.append(number)
            elif frame["type"] == "person.badge":
                self.badge = frame["unread"]
            elif frame["type"] == "resumed":
                if frame.get("more"):
                    await ws.send(json.dumps({"type": "resume", "last_id": self.last_id}))
                else:
                    self.resumed.set()
