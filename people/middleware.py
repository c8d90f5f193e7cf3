"""The language a logged-in user chose, kept on their account, wins over the browser's (issue 18).

LocaleMiddleware has already picked the language from the cookie or Accept-Language (a first visit
follows the browser). At login, people.signals copies the account's choice into the session; this
middleware, after AuthenticationMiddleware, applies it on every request without a query.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

#: The session key holding the account's language.
SESSION_LANGUAGE_KEY = "account_language"


class AccountLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        language = session.get(SESSION_LANGUAGE_KEY) if session is not None else None
        if language and translation.check_for_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
