"""After a logout in another tab (or an expired session) the login page says the session ended (issue 13)."""

import pytest
from django.test import Client

from tests.conftest import login

SESSION_ENDED = "Sua sessão foi encerrada. Entre novamente para continuar."


@pytest.mark.django_db
def test_a_fresh_login_page_says_nothing_about_a_session():
    assert SESSION_ENDED not in Client().get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_after_logout_the_next_action_lands_on_a_login_page_that_says_the_session_ended(person):
    browser = login(Client(), person.user)
    assert browser.get("/chat/novo/").status_code == 200
    browser.post("/accounts/logout/")
    response = browser.get("/chat/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/chat/"
    assert SESSION_ENDED in response.content.decode()


@pytest.mark.django_db
def test_a_request_still_carrying_an_ended_session_is_told_so(person, settings):
    """The other tab's request left before the logout's response removed the cookie: it still carries it."""
    tab = login(Client(), person.user)
    stale = tab.cookies[settings.SESSION_COOKIE_NAME].value
    other_tab = Client()
    other_tab.cookies[settings.SESSION_COOKIE_NAME] = stale
    tab.post("/accounts/logout/")  # the session ends; other_tab never saw the logout's response
    response = other_tab.get("/chat/novo/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert response.cookies["session_ended"].value == "1"
    assert SESSION_ENDED in other_tab.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_an_anonymous_visitor_sent_to_log_in_is_not_told_a_session_ended():
    response = Client().get("/chat/novo/")
    assert response.status_code == 302 and "session_ended" not in response.cookies


@pytest.mark.django_db
def test_logging_in_again_clears_the_message(person):
    person.user.set_password("senha-forte-123")
    person.user.save()
    browser = login(Client(), person.user)
    browser.post("/accounts/logout/")
    assert SESSION_ENDED in browser.get("/accounts/login/").content.decode()
    response = browser.post("/accounts/login/", {"username": person.user.username, "password": "senha-forte-123"})
    assert response.status_code == 302
    assert response.cookies["session_ended"].value == ""
