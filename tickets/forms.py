"""Forms of the staff chat: they only parse; the services validate and refuse in Portuguese.

The fields are lenient on purpose (no `required`, no `max_length` check): a too long or
empty reason reaches the service, whose messages are the ones users read and tests assert.
The browser still gets `maxlength` and `required` as hints.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Module
from .services import MESSAGE_MAX_LENGTH, REASON_MAX_LENGTH


class TicketOpenForm(forms.Form):
    """ "Novo Atendimento" (S7)."""

    module = forms.CharField(label=_("Módulo:"), required=False, widget=forms.Select(attrs={"required": True}))
    reason = forms.CharField(
        label=_("Digite o motivo do atendimento:"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": REASON_MAX_LENGTH, "required": True}),
    )

    def __init__(self, *args, modules: list[Module], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["module"].widget.choices = [("", _("Selecione o módulo")), *((m.pk, m.name) for m in modules)]


class MessageForm(forms.Form):
    """The answer box of a conversation (S15); files come from the drop zone, outside the form class."""

    body = forms.CharField(
        label=_("Mensagem:"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MESSAGE_MAX_LENGTH}),
    )

    def __init__(self, *args, waiting: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if waiting:
            # While nobody has answered yet the box still reads as in "Novo Atendimento" (guide, fig. 05).
            self.fields["body"].label = _("Digite o motivo do atendimento:")
