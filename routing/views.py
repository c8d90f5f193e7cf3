"""The requester's side of routing: the e-mail notice switch in "Meus Dados"."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from people.models import Person
from tickets.views import chat_page

from . import services


@require_POST
@chat_page()
def notice_preference(request: HttpRequest, person: Person) -> HttpResponse:
    enabled = request.POST.get("reply_email") == "1"
    services.notice_preference_set(user=request.user, reply_email=enabled)
    messages.success(
        request,
        gettext("Você receberá um e-mail quando uma resposta ficar sem leitura.")
        if enabled
        else gettext("Você não receberá e-mails sobre respostas não lidas."),
    )
    return redirect("chat-my-data")
