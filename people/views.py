"""Pages of people: the ERP host shell, the registration form ("Cadastro de pessoa"), logout."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from tickets.realtime import close_user_sockets
from tickets.views import request_person, shell_context

from .forms import RegistrationForm
from .middleware import SESSION_LANGUAGE_KEY
from .selectors import person_has_required_contacts
from .services import user_language_set


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The ERP host shell (S1): toolbar, module title, search box, and the chat icon when enabled."""
    return render(request, "people/shell.html", shell_context(request, {}))


@login_required
def registration(request: HttpRequest) -> HttpResponse:
    person = request_person(request)
    if person is None:
        return render(request, "people/no_person.html", status=404)
    form = RegistrationForm(request.POST if request.method == "POST" else None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except ValidationError:
            pass
        else:
            messages.success(request, _("Cadastro atualizado."))
            return redirect("person-registration")
    context = {"form": form, "person": person, "has_contacts": person_has_required_contacts(person=person)}
    return render(
        request, "people/registration.html", shell_context(request, context), status=400 if form.errors else 200
    )


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
    user_id = request.user.pk if request.user.is_authenticated else None
    logout(request)
    if user_id is not None:
        close_user_sockets(user_id)
    return redirect("login")
