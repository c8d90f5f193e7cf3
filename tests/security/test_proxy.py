"""Behind a real nginx on loopback, the login lock counts the address nginx saw (issue 15, point 7).

Threat: behind a proxy every request comes from the proxy's address, so a lock per address would
lock a user out for everybody; and an address taken from a header the client sends lets an
attacker rotate addresses (never locked) or claim the victim's (locking them out).
"""

import http.client
import re
import sys
from http.cookies import SimpleCookie

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from atende_chat.serve import daphne_arguments
from tests.realtime.conftest import Daphne
from tests.support.nginx import CONF, Nginx

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "uma-senha-boa-e-longa"  # noqa: S105


class Browser:
    """A client with cookies, connecting from a chosen loopback address (127.0.0.x)."""

    def __init__(self, port: int, source: str) -> None:
        self.port, self.source, self.cookies = port, source, {}

    def request(self, method: str, path: str, body: str = "", headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60, source_address=(self.source, 0))
        all_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        if body:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body.encode(), headers=all_headers)
        response = conn.getresponse()
        content = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            self.cookies.update({key: morsel.value for key, morsel in cookie.items()})
        conn.close()
        return response.status, content

    def login(self, username: str, password: str, headers: dict | None = None) -> int:
        _, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            body=f"csrfmiddlewaretoken={token}&username={username}&password={password}",
            headers=headers,
        )
        return status


@pytest.fixture
def proxied():
    server = Daphne(env={"BEHIND_PROXY": "true"})
    # Started as docker-compose starts it: the launcher adds --proxy-headers because BEHIND_PROXY is on.
    server.command = lambda: [
        sys.executable,
        "-m",
        "atende_chat.serve",
        "-b",
        "127.0.0.1",
        "-p",
        str(server.port),
    ]
    server.start()
    nginx = Nginx(server.port)
    yield nginx
    nginx.stop()
    server.stop()
    server.log.close()


@pytest.fixture
def victim(settings, person):
    # The daphne process uses the production hashers, not the test's fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    person.user.set_password(PASSWORD)
    person.user.save()
    return person.user


def test_an_attacker_behind_the_proxy_locks_only_themselves_whatever_address_they_claim(proxied, victim):
    attacker = Browser(proxied.port, "127.0.0.1")
    for n in range(settings.AXES_FAILURE_LIMIT):
        # Each try claims another address, and the last one claims the victim's.
        claimed = "127.0.0.2" if n == settings.AXES_FAILURE_LIMIT - 1 else f"198.51.100.{n + 1}"
        attacker.login(victim.username, "errada", headers={"X-Forwarded-For": claimed})
    # The claims were ignored: all failures count against the attacker's real address, which is locked.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
    assert attacker.login(victim.username, PASSWORD) == 429
    # The victim, at another address behind the same proxy, logs in.
    assert Browser(proxied.port, "127.0.0.2").login(victim.username, PASSWORD) == 302


def test_the_launcher_starts_daphne_with_proxy_headers_only_behind_a_proxy(settings):
    settings.BEHIND_PROXY = True
    assert daphne_arguments(["-p", "8000"])[0] == "--proxy-headers"
    settings.BEHIND_PROXY = False
    assert "--proxy-headers" not in daphne_arguments(["-p", "8000"])


def test_the_proxy_takes_the_largest_body_a_route_accepts():
    """The proxy's own cap must not cut an upload the application would accept (one source: the settings)."""
    size = re.search(r"^client_max_body_size (\d+)m;", CONF.read_text(), re.MULTILINE).group(1)
    assert int(size) * 1024 * 1024 >= settings.ATTACHMENT_REQUEST_MAX_BYTES
