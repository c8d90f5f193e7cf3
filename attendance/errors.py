"""Refusals of the calendar's services; the texts are what administrators read."""

from django.utils.translation import gettext_noop

from atende_chat.errors import ApplicationError

ENDS_BEFORE_START = gettext_noop("A data final deve ser igual ou posterior à data inicial.")
HOURS_INCOMPLETE = gettext_noop("Informe o horário de abertura e o de fechamento, ou deixe os dois em branco.")
HOURS_REVERSED = gettext_noop("O horário de fechamento deve ser posterior ao de abertura.")
OVERLAPS = gettext_noop("Este período se sobrepõe a “{other}” ({starts} a {ends}).")
UNKNOWN_OPTIONAL = gettext_noop("“{name}” não é um ponto facultativo conhecido.")


class CalendarError(ApplicationError):
    code = "invalid"
