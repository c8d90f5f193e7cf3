"""What every page around the chat shows: the badge count and the phone channel (S12, S22).

A context processor, so that pages of other apps (people's host shell and registration form)
show the badge without importing from ``tickets``. The count is lazy: a template that never
shows the badge costs no query.
"""

from functools import cache

from django.conf import settings
from django.http import HttpRequest

from people.context_processors import request_person
from people.selectors import person_chat_enabled

from .selectors import attendance_state, ticket_unread_count


def chat_shell(request: HttpRequest) -> dict:
    @cache
    def chat_unread() -> int:
        person = request_person(request)
        return ticket_unread_count(person_id=person.pk) if person_chat_enabled(person=person) else 0

    @cache
    def chat_attendance() -> dict:
        # Only the toolbar's chat icon asks (off-line state, issue 13): pages without it cost nothing.
        return attendance_state()

    return {"chat_unread": chat_unread, "chat_attendance": chat_attendance, "support_phone": settings.SUPPORT_PHONE}
