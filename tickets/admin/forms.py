"""Input of the attendants' actions; the rules themselves live in tickets.services."""

from datetime import datetime

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from people.models import Person

from .. import errors
from ..models import Status, Ticket
from ..selectors import module_list_active

TRANSFER_INVALID = gettext_noop("Selecione um atendente válido.")
STATUS_INVALID = gettext_noop("Selecione uma situação válida.")
STATUS_REQUIRED = gettext_noop("Escolha a nova situação.")


class TransferForm(forms.Form):
    # Any active user: the service is the one that refuses a non-attendant, with its own message.
    to = forms.ModelChoiceField(
        label=_("Transferir para"),
        queryset=get_user_model().objects.filter(is_active=True),
        error_messages={"required": TRANSFER_INVALID, "invalid_choice": TRANSFER_INVALID},
    )
    # Cleaned by the service (empty, too long, markup): one place for the rules, the same messages.
    note = forms.CharField(label=_("Nota para o atendente"), required=False, strip=False)


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Nova situação"),
        choices=Status.choices,
        error_messages={"required": STATUS_REQUIRED, "invalid_choice": STATUS_INVALID},
    )
    # "Concluir" asks first (the transcript goes to the requester): the confirmation page posts this back.
    confirmed = forms.BooleanField(required=False)
    scheduled_date = forms.DateField(
        label=_("Data do agendamento"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": errors.SCHEDULE_REQUIRED},
    )
    scheduled_time = forms.TimeField(
        label=_("Hora do agendamento"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": errors.SCHEDULE_REQUIRED},
    )

    def scheduled_for(self) -> datetime | None:
        """The date and time in the local time zone; None unless both were given (the service asks for them)."""
        day, time = self.cleaned_data.get("scheduled_date"), self.cleaned_data.get("scheduled_time")
        if day is None or time is None:
            return None
        return timezone.make_aware(datetime.combine(day, time))


class PhoneTicketForm(forms.Form):
    """S22: a ticket that came by phone (47 3531-1500), registered for a person of the registry."""

    requester = forms.ModelChoiceField(
        label=_("Solicitante"),
        queryset=Person.objects.all(),
        error_messages={
            "required": _("Selecione a pessoa que ligou."),
            "invalid_choice": _("Selecione uma pessoa válida."),
        },
    )
    module = forms.ModelChoiceField(
        label=_("Módulo"),
        queryset=module_list_active(),
        error_messages={"required": errors.MODULE_INVALID, "invalid_choice": errors.MODULE_INVALID},
    )
    reason = forms.CharField(
        label=_("Motivo do atendimento"),
        widget=forms.Textarea(attrs={"rows": 6}),
        strip=True,
        error_messages={"required": errors.REASON_EMPTY},
    )

    def __init__(self, *args, admin_site, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The registry may hold many thousand people: search them as you type instead of listing them all.
        requester = self.fields["requester"]
        requester.widget = AutocompleteSelect(Ticket._meta.get_field("requester"), admin_site)
        requester.widget.choices = requester.choices
