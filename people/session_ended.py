"""The login page says "Sua sessão foi encerrada" when the session ended meanwhile (issue 13).

A logout in one tab leaves the browser's other tabs showing pages of the session that ended: their next
action (or their socket, which hears the logout and reloads) lands on the login page. Two ways mark it:
the logout itself (a short-lived cookie on its response), and a request that still carried the session
cookie of a session that no longer exists (ended in another tab a moment before its response came back,
or expired) and is being sent to log in. The login page reads the mark; logging in clears it.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url

COOKIE = "session_ended"
MAX_AGE = 12 * 60 * 60


def session_ended_mark(response: HttpResponse) -> None:
    response.set_cookie(
        COOKIE, "1", max_age=MAX_AGE, httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE
    )


def session_ended_clear(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE, samesite="Lax")


def session_ended(request: HttpRequest) -> bool:
    return request.COOKIES.get(COOKIE) == "1"


class SessionEndedMiddleware:
    """After AuthenticationMiddleware: marks a redirect to the login page of a request whose session is gone.

    Costs nothing on other responses: the session is only looked at for a redirect to the login page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 302
            and response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL))
            and settings.SESSION_COOKIE_NAME in request.COOKIES
            and not request.user.is_authenticated
        ):
            session_ended_mark(response)
        return response
