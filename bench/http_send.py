"""Sends as the pages' script makes them (static/js/send.js): an HTTP POST with X-Requested-With, a fresh
client key, and JSON back. The staff page posts to /chat/atendimentos/<n>/, the attendant's conversation
to /admin/tickets/ticket/<n>/change/; both answer with the saved message's id.

One PageSender is one kept-alive loopback connection with one session, as one browser tab is; its
calls block, so the load client runs them in a thread (asyncio.to_thread).
"""

import http.client
import re
import time
import uuid
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from .context import NotAvailable

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
MESSAGE_ID = re.compile(rb'"id": ?(\d+)')


def staff_path(number: int) -> str:
    return f"/chat/atendimentos/{number}/"


def attendant_path(number: int) -> str:
    return f"/admin/tickets/ticket/{number}/change/"


class PageSender:
    def __init__(self, port: int, session: str) -> None:
        self.port, self.session = port, session
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.token: str | None = None
        self.csrf_cookie: str | None = None

    def _headers(self) -> dict[str, str]:
        cookie = f"sessionid={self.session}"
        if self.csrf_cookie:
            cookie += f"; csrftoken={self.csrf_cookie}"
        return {"Host": f"127.0.0.1:{self.port}", "Cookie": cookie}

    def prepare(self, path: str) -> None:
        """The form's token and the CSRF cookie, from the conversation page itself (one GET, as a page load)."""
        self.connection.request("GET", path, headers=self._headers())
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise NotAvailable(f"not available: GET {path} answered {response.status}")
        token = CSRF_INPUT.search(body)
        cookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie.load(header)
        if token is None or "csrftoken" not in cookie:
            raise NotAvailable(f"not available: no message form on {path}")
        self.token, self.csrf_cookie = token.group(1).decode(), cookie["csrftoken"].value

    def post(self, path: str, body: str) -> tuple[float, float, int]:
        """(monotonic time just before the request, seconds to the full JSON answer, the saved message's id)."""
        if self.token is None:
            self.prepare(path)
        form = urlencode({"csrfmiddlewaretoken": self.token, "client_key": str(uuid.uuid4()), "body": body})
        headers = {
            **self._headers(),
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Requested-With": "XMLHttpRequest",
            "Accept": "application/json",
        }
        t0 = time.monotonic()
        p0 = time.perf_counter()
        self.connection.request("POST", path, body=form, headers=headers)
        response = self.connection.getresponse()
        answer = response.read()
        elapsed = time.perf_counter() - p0
        if response.status != 200:
            raise RuntimeError(f"POST {path}: HTTP {response.status} {answer[:200]!r}")
        found = MESSAGE_ID.search(answer)
        if found is None:
            raise RuntimeError(f"POST {path}: no message id in {answer[:200]!r}")
        return t0, elapsed, int(found.group(1))

    def close(self) -> None:
        self.connection.close()
