"""Staff-side pages of the chat. Thin: parse, call a service or selector, render."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from people.selectors import person_chat_enabled, person_for_user


@login_required
def chat_window(request: HttpRequest) -> HttpResponse:
    person = person_for_user(user=request.user)
    if not person_chat_enabled(person=person):
        raise Http404
    return render(request, "tickets/chat.html", {"person": person})
