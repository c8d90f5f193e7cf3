"""Every URL refuses a POST that lacks the CSRF token, before anything is done.

Threat (CSRF): a page on another site makes a logged-in browser post to Atende Chat: open or answer
a ticket, conclude it, take or close tickets in the admin, change a person, log the user out or in
under another account. Django's CsrfViewMiddleware must answer 403 on every route, and only the
missing token may be what stops the request.
"""

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from tests.conftest import login
from tests.factories import UserFactory
from tickets.models import Message, Ticket

from .conftest import World
from .test_authorisation import HTTP_TABLE, _concrete_url

TOKEN = "a" * 32


@pytest.fixture
def superuser(db):
    return UserFactory(username="ipm-admin", is_staff=True, is_superuser=True)


def _poster(route: str, world: World, superuser) -> Client:
    """Who would be allowed to post there: the requester on the staff pages, a superuser in the admin."""
    client = Client(enforce_csrf_checks=True)
    if route.startswith("admin/"):
        return login(client, superuser)
    if route.startswith(("accounts/login", "i18n/")):
        return client
    return login(client, world.owner.user)


def _form(route: str, world: World, module) -> dict:
    entry = HTTP_TABLE[route]
    return {k: v.format(module=module.pk) for k, v in (entry.data or {}).items()}


def _state(world: World) -> tuple:
    return Ticket.objects.count(), Message.objects.count(), Ticket.objects.get(pk=world.ticket.pk).status


def _post_rolled_back(client: Client, url: str, data: dict) -> int:
    with transaction.atomic():
        status = client.post(url, data).status_code
        transaction.set_rollback(True)
    return status


@pytest.mark.parametrize("route", sorted(HTTP_TABLE))
def test_a_post_without_the_csrf_token_is_refused_on_every_route(route, world, module, superuser):
    url = _concrete_url(route, HTTP_TABLE[route], world)
    data = _form(route, world, module)
    before = _state(world)
    response = _poster(route, world, superuser).post(url, data)
    assert response.status_code == 403, f"POST {url}: {response.status_code}"
    assert "A sessão do formulário expirou (CSRF)" in response.content.decode()
    assert _state(world) == before
    # Only the token made the difference: with it, the answer is the one a client exempt from the check gets.
    with_token = _poster(route, world, superuser)
    with_token.cookies[settings.CSRF_COOKIE_NAME] = TOKEN
    unchecked = _poster(route, world, superuser)
    unchecked.handler.enforce_csrf_checks = False
    data["csrfmiddlewaretoken"] = TOKEN
    assert _post_rolled_back(with_token, url, data) == _post_rolled_back(unchecked, url, data)


def test_login_and_logout_forms_need_the_token_too(world):
    """Login CSRF (the victim is logged into the attacker's account) and forced logout."""
    anonymous = Client(enforce_csrf_checks=True)
    response = anonymous.post("/accounts/login/", {"username": world.owner.user.username, "password": "senha-de-teste"})
    assert response.status_code == 403
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    logged = login(Client(enforce_csrf_checks=True), world.owner.user)
    assert logged.post("/accounts/logout/").status_code == 403
    assert logged.get("/chat/").status_code == 200
