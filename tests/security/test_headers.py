"""Security headers and cookies of the production settings, and pages that need no inline script.

Threats: script injected into a page runs (CSP without 'unsafe-inline' stops it); the site is framed
for clickjacking (X-Frame-Options DENY, frame-ancestors 'none'); cookies travel over plain HTTP or
are read by script (Secure, HttpOnly); the browser is downgraded to HTTP (HSTS, redirect); the
conversation's URL leaks to other sites (Referrer-Policy); content is sniffed into HTML (nosniff).
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import login
from tests.factories import UserFactory
from tickets import services
from tickets.permissions import ATTENDANTS_GROUP

from .html import inspect

ROOT = Path(__file__).resolve().parents[2]
HOST = "chat.ipm.com.br"

#: Runs in a fresh process with the production environment: only what the settings module does counts.
PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="%(host)s")
plain = client.get("/accounts/login/")
page = client.get("/accounts/login/", secure=True)
logged = client.post("/accounts/login/", {"username": "%(user)s", "password": "senha-de-teste"}, secure=True)
def cookie(response, name):
    morsel = response.cookies.get(name)
    return None if morsel is None else {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
                                        "samesite": morsel["samesite"]}
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "headers": dict(page.headers),
    "login": logged.status_code,
    "csrf": cookie(page, "csrftoken"),
    "session": cookie(logged, "sessionid"),
}))
"""


@pytest.mark.django_db(transaction=True)
def test_production_settings_send_every_security_header_and_secure_cookies():
    user = UserFactory(username="producao")
    # The production hashers, not the tests' fast one (a low count: the login upgrades it).
    user.password = PBKDF2PasswordHasher().encode("senha-de-teste", "sal-de-teste", iterations=1000)
    user.save(update_fields=["password"])
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS"}
    }
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": "x" * 60 + "production-like-secret-key-0123456789",
            "ALLOWED_HOSTS": HOST,
            "DATABASE_URL": f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
            "DJANGO_SETTINGS_MODULE": "atende_chat.settings",
            "LOG_LEVEL": "WARNING",
        }
    )
    out = subprocess.run(
        [sys.executable, "-c", PROBE % {"host": HOST, "user": user.username}],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["plain"] == [301, f"https://{HOST}/accounts/login/"]
    headers = found["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert_strict_csp(headers["Content-Security-Policy"])
    assert found["login"] == 302
    assert found["csrf"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert found["session"] == {"secure": True, "httponly": True, "samesite": "Lax"}


def assert_strict_csp(policy: str) -> None:
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"], policy
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy and "*" not in policy


@pytest.fixture
def pages(person, attendant, ticket, settings, tmp_path):
    """Every kind of page: staff, admin (queue, conversation, forms, other models), errors and logins."""
    settings.MEDIA_ROOT = str(tmp_path)
    services.ticket_message_create(
        ticket=ticket,
        user=attendant,
        body="Segue",
        files=[SimpleUploadedFile("a.txt", b"texto\n", content_type="text/plain")],
    )
    n = ticket.number
    superuser = UserFactory(username="ipm-admin", is_staff=True, is_superuser=True)
    group = Group.objects.get(name=ATTENDANTS_GROUP).pk
    return {
        person.user: [
            "/",
            "/chat/",
            "/chat/painel/",
            "/chat/atendimento-on-line/",
            "/chat/novo/",
            "/chat/meus-dados/",
            "/cadastro/",
            f"/chat/atendimentos/{n}/",
            f"/chat/atendimentos/{n}/informacoes/",
            "/chat/atendimentos/999999/",
        ],
        attendant: [
            "/admin/",
            "/admin/tickets/ticket/",
            f"/admin/tickets/ticket/{n}/change/",
            "/admin/tickets/ticket/add/",
            f"/admin/people/person/{person.pk}/change/",
            "/admin/tickets/transcriptoutbox/",
            "/admin/password_change/",
        ],
        superuser: [
            f"/admin/people/person/{person.pk}/change/",
            "/admin/people/person/add/",
            "/admin/people/entity/",
            f"/admin/auth/group/{group}/change/",
            f"/admin/auth/user/{attendant.pk}/change/",
            "/admin/tickets/attendanceperiod/add/",
        ],
        None: ["/accounts/login/", "/admin/login/"],
    }


def test_every_page_carries_the_strict_csp_and_no_inline_script_or_handler(pages):
    """script-src 'self' holds only if no page needs inline code, the Django admin's included."""
    for user, urls in pages.items():
        client = Client() if user is None else login(Client(), user)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 404), url
            assert_strict_csp(response["Content-Security-Policy"])
            assert response["X-Frame-Options"] == "DENY"
            found = inspect(response.content)
            assert found.live_code == [], f"{url}: {found.live_code}"


def test_the_csrf_error_page_carries_the_headers_too(db):
    csrf = Client(enforce_csrf_checks=True).post("/accounts/login/", {})
    assert csrf.status_code == 403
    assert_strict_csp(csrf["Content-Security-Policy"])
    assert inspect(csrf.content).live_code == []


def test_the_page_inspection_finds_what_a_browser_would_run():
    """The checks above can fail: inline scripts, handlers and javascript: URLs are all found."""
    found = inspect(
        '<script>alert(1)</script><script src="/a.js"></script><script type="application/json">{"a": 1}</script>'
        '<div onclick="x()"></div><IMG SRC=x OnError=y><a href=" JaVaScRiPt:alert(1)">a</a><svg/onload=z>'
    )
    assert found.inline_scripts == ["alert(1)"]
    assert len(found.handlers) == 3
    assert len(found.script_urls) == 1
    assert inspect("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>").live_code == []
