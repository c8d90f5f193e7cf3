"""Login attempts are limited (django-axes): 5 failures for a user name from one address lock it for 15 minutes.

Threat: guessing a staff member's or an attendant's password by trying many in a row.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import AttendantFactory

LOCKED = "Muitas tentativas de login sem sucesso. Aguarde 15 minutos e tente novamente."


def attempt(client: Client, url: str, username: str, password: str):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR="203.0.113.7")


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_five_wrong_passwords_lock_the_login_for_fifteen_minutes_with_a_portuguese_page(url, person):
    client = Client()
    username = person.user.username
    for _ in range(4):
        assert attempt(client, url, username, "errada").status_code == 200
    locked = attempt(client, url, username, "errada")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Acesso bloqueado" in page and LOCKED in page
    assert '<html lang="pt-BR">' in page
    # Now even the right password is refused, and no session is opened.
    right = attempt(client, url, username, "senha-de-teste")
    assert right.status_code == 429 and LOCKED in right.content.decode()
    assert "sessionid" not in right.cookies


def test_after_fifteen_minutes_the_right_password_works_again(person):
    client = Client()
    username = person.user.username
    for _ in range(5):
        attempt(client, "/accounts/login/", username, "errada")
    assert attempt(client, "/accounts/login/", username, "senha-de-teste").status_code == 429
    # Fifteen minutes pass (the attempt is dated back, the clock is not faked).
    for row in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=row.pk).update(attempt_time=row.attempt_time - timedelta(minutes=16))
    response = attempt(client, "/accounts/login/", username, "senha-de-teste")
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_lock_is_per_user_name_and_address(person, other_person):
    """One person's lock does not lock the colleague at the same town hall (same address)."""
    client = Client()
    for _ in range(5):
        attempt(client, "/accounts/login/", person.user.username, "errada")
    assert attempt(client, "/accounts/login/", person.user.username, "senha-de-teste").status_code == 429
    colleague = attempt(Client(), "/accounts/login/", other_person.user.username, "senha-de-teste")
    assert colleague.status_code == 302


def test_an_attendant_is_locked_out_of_the_admin_too(db):
    attendant = AttendantFactory(username="ana")
    client = Client()
    for _ in range(5):
        attempt(client, "/admin/login/", attendant.username, "errada")
    response = attempt(client, "/admin/login/?next=/admin/", attendant.username, "senha-de-teste")
    assert response.status_code == 429 and LOCKED in response.content.decode()
