"""The satisfaction survey pages: the chat window form (the requester) and the e-mail link (no login)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from atende_chat.errors import ApplicationError
from people.models import Person
from tickets.views import _own_ticket, chat_page

from . import errors, services
from .models import SatisfactionAnswer
from .selectors import survey_context

THANKS = gettext_noop("Obrigado pela sua avaliação!")


@require_POST
@chat_page()
def answer_in_chat(request: HttpRequest, person: Person, number: int) -> HttpResponse:
    """The form under a concluded conversation: the requester rates their own ticket."""
    ticket = _own_ticket(request, person, number)
    try:
        services.csat_answer(
            ticket=ticket,
            score=request.POST.get("score"),
            comment=request.POST.get("comment", ""),
            via=SatisfactionAnswer.Via.CHAT,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext(THANKS))
    return redirect("chat-ticket", number=ticket.number)


@never_cache
@require_http_methods(["GET", "POST"])
def answer_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """The transcript e-mail's link: signed, bound to the ticket, no login; a bad or expired link gets a clear page."""
    try:
        ticket = services.csat_ticket_from_token(token=token)
    except errors.LinkExpired as error:
        return render(request, "csat/answer_page.html", {"link_error": error.message}, status=410)
    except ApplicationError as error:
        return render(request, "csat/answer_page.html", {"link_error": error.message}, status=400)
    error = ""
    status = 200
    values = None
    if request.method == "POST":
        values = {"score": request.POST.get("score", ""), "comment": request.POST.get("comment", "")}
        try:
            services.csat_answer(
                ticket=ticket, score=values["score"], comment=values["comment"], via=SatisfactionAnswer.Via.EMAIL
            )
        except ApplicationError as exc:
            error, status = exc.message, 400
        else:
            messages.success(request, gettext(THANKS))
            return redirect("csat-link", token=token)
    context = survey_context(ticket=ticket, action=request.path, error=error, values=values)
    return render(request, "csat/answer_page.html", context, status=status)
