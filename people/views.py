"""Pages of people: the ERP host shell, the registration form ("Cadastro de pessoa"), logout.

The badge around these pages comes from ``tickets.context_processors.chat_shell``; what ``tickets``
does when a session ends (closing its sockets) it does in its own receivers (tickets/receivers.py).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from atende_chat.errors import ApplicationError

from . import errors, services
from .context_processors import request_person
from .forms import RegistrationForm
from .middleware import SESSION_LANGUAGE_KEY
from .models import Contact
from .selectors import person_has_required_contacts
from .services import user_language_set
from .session_ended import session_ended, session_ended_clear, session_ended_mark


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The ERP host shell (S1): toolbar, module title, search box, and the chat icon when enabled."""
    return render(request, "people/shell.html")


@never_cache
@login_required
def registration(request: HttpRequest) -> HttpResponse:
    person = request_person(request)
    if person is None:
        return render(request, "people/no_person.html", status=404)
    form = RegistrationForm(request.POST if request.method == "POST" else None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            form.save(base_url=request.build_absolute_uri("/"))
        except ValidationError:
            pass
        else:
            messages.success(request, _("Cadastro atualizado."))
            if form.cleaned_data.get("new_email"):
                address = form.cleaned_data["new_email"]
                if not person.contacts.filter(kind=Contact.Kind.EMAIL, value=address, confirmed_at__isnull=False):
                    messages.info(request, errors.VERIFICATION_SENT.format(address=address))
            return redirect("person-registration")
    contacts = list(person.contacts.all())
    context = {
        "form": form,
        "person": person,
        "contacts": contacts,
        "unconfirmed": [c for c in contacts if c.is_email and not c.is_confirmed],
        "has_contacts": person_has_required_contacts(person=person),
        "max_emails": settings.CONTACT_MAX_EMAILS,
        "max_phones": settings.CONTACT_MAX_PHONES,
    }
    return render(request, "people/registration.html", context, status=400 if form.errors else 200)


@require_POST
@login_required
def email_resend(request: HttpRequest) -> HttpResponse:
    """ "Reenviar link de confirmação" for one of the person's unconfirmed addresses."""
    person = request_person(request)
    if person is None:
        return render(request, "people/no_person.html", status=404)
    try:
        contact = services.email_verification_resend(
            person=person, contact_id=request.POST.get("contact", ""), base_url=request.build_absolute_uri("/")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.info(request, errors.VERIFICATION_SENT.format(address=contact.value))
    return redirect("person-registration")


@never_cache
@require_GET
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the verification e-mail: opening it proves the person reads that mailbox (no login needed)."""
    try:
        contact = services.email_confirm(token=token)
    except ApplicationError as error:
        return render(request, "people/email_confirm.html", {"error": error.message}, status=400)
    message = errors.EMAIL_CONFIRMED.format(address=contact.value)
    return render(request, "people/email_confirm.html", {"message": message})


def language_set(request: HttpRequest) -> HttpResponse:
    """The language switch: Django's set_language (cookie, safe "next"), then kept on the account (issue 18)."""
    response = set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    if (
        request.user.is_authenticated
        and language in dict(settings.LANGUAGES)
        and translation.check_for_language(language)
    ):
        user_language_set(user=request.user, language=language)
        request.session[SESSION_LANGUAGE_KEY] = language
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    response = redirect("login")
    # The browser's other tabs still show pages of this session: their next action says why (issue 13).
    session_ended_mark(response)
    return response


class LoginView(auth_views.LoginView):
    """Django's login, saying "Sua sessão foi encerrada" after a logout (in this tab or another)."""

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["session_ended"] = session_ended(self.request)
        return context

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        session_ended_clear(response)
        return response
