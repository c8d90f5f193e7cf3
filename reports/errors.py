"""Refusals of the report filters; the texts are what managers read."""

from django.utils.translation import gettext_noop

from atende_chat.errors import ApplicationError

DATE_INVALID = gettext_noop("Informe as datas no formato dd/mm/aaaa.")
RANGE_REVERSED = gettext_noop("A data final deve ser igual ou posterior à data inicial.")
RANGE_TOO_LONG = gettext_noop("O período deve ter no máximo {days} dias. Escolha um intervalo menor.")
TABLE_UNKNOWN = gettext_noop("Esta tabela não existe.")


class ReportError(ApplicationError):
    code = "invalid"
