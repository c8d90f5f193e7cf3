from django.http import HttpRequest

from .models import Person
from .selectors import person_chat_enabled, person_for_user


def request_person(request: HttpRequest) -> Person | None:
    """The person behind the logged user, looked up once per request."""
    if not hasattr(request, "_current_person"):
        user = getattr(request, "user", None)
        request._current_person = person_for_user(user=user) if user is not None else None
    return request._current_person


def current_person(request: HttpRequest) -> dict:
    """The person behind the logged user and whether the chat icon shows (S2), cached per request."""
    person = request_person(request)
    return {"current_person": person, "chat_enabled": person_chat_enabled(person=person)}
