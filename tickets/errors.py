"""Refusals of the ticket services; the texts are what users read."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from atende_chat.errors import ApplicationError

REASON_EMPTY = gettext_noop("Digite o motivo do atendimento.")
REASON_TOO_LONG = gettext_noop("O motivo do atendimento deve ter no máximo {limit} caracteres.")
MESSAGE_EMPTY = gettext_noop("Digite uma mensagem ou anexe um arquivo.")
MESSAGE_TOO_LONG = gettext_noop("A mensagem deve ter no máximo {limit} caracteres.")
NOTE_EMPTY = gettext_noop("Escreva o texto da nota interna.")
NOTE_TOO_LONG = gettext_noop("A nota interna deve ter no máximo {limit} caracteres.")
NOTE_MARKUP = gettext_noop("A nota interna não pode conter marcação (HTML); escreva apenas texto.")
NOTE_NOT_ALLOWED = gettext_noop("Você não pode escrever notas internas neste atendimento.")
MODULE_INVALID = gettext_noop("Selecione um módulo válido.")
TICKET_CLOSED = gettext_noop("Este atendimento já foi encerrado e não aceita novas mensagens.")
TRANSITION_NOT_ALLOWED = gettext_noop("Não é possível passar o atendimento de “{current}” para “{target}”.")
NOT_YOUR_TICKET = gettext_noop("Este atendimento está com outro atendente ({name}). Assuma-o antes de responder.")
NOT_AN_ATTENDANT = gettext_noop("{name} não é um atendente.")
QUEUE_EMPTY = gettext_noop("Não há atendimentos aguardando na fila.")
ALREADY_TAKEN = gettext_noop("Este atendimento já foi assumido por {name}.")
ALREADY_YOURS = gettext_noop("Este atendimento já é seu.")
NOT_HELD_BY_ANOTHER = gettext_noop("Este atendimento não está com outro atendente.")
TAKE_OVER_NOT_ALLOWED = gettext_noop(
    "Você não tem permissão para assumir atendimentos de outros atendentes. Solicite a transferência a {name}."
)
REQUEST_NOT_NEEDED = gettext_noop(
    "Você pode assumir este atendimento diretamente; não é preciso pedir a transferência."
)
NO_STATUS_CHANGE = gettext_noop("A situação “{current}” não pode ser alterada pelo atendente.")
TRANSFER_TO_ABSENT = gettext_noop("{name} está ausente e não pode receber atendimentos agora.")
TRANSFER_TO_HOLDER = gettext_noop("Este atendimento já está com {name}.")
HANDOFF_NOTE_EMPTY = gettext_noop("Escreva uma nota para o atendente que vai receber o atendimento.")
HANDOFF_NOTE_TOO_LONG = gettext_noop("A nota de transferência deve ter no máximo {limit} caracteres.")
HANDOFF_NOTE_MARKUP = gettext_noop("A nota de transferência não pode conter marcação HTML (< >).")
TRANSFER_ALREADY_REQUESTED = gettext_noop(
    "Você já pediu a transferência deste atendimento; aguarde a resposta de {name}."
)
SCHEDULE_REQUIRED = gettext_noop("Informe a data e a hora do agendamento.")
SCHEDULE_IN_PAST = gettext_noop("A data do agendamento deve estar no futuro.")
KEY_INVALID = gettext_noop("A chave deste envio não é válida. Recarregue a página e envie de novo.")
KEY_OF_ANOTHER_TICKET = gettext_noop(
    "Este envio pertence a outro atendimento e não foi gravado neste. Recarregue a página e envie de novo."
)
RATE_LIMITED = gettext_noop("Você enviou muitas mensagens em pouco tempo. Aguarde um minuto e tente novamente.")
TOO_MANY_OPEN_TICKETS = _(
    "Você já tem {limit} atendimentos em aberto. Conclua um deles (ou aguarde a conclusão) para abrir um novo."
)
TOO_MANY_OPEN_TICKETS_PHONE = _(
    "{name} já tem {limit} atendimentos em aberto. Conclua um deles antes de registrar outro."
)
SCHEDULE_TOO_FAR = _("A data do agendamento deve estar dentro de {days} dias a partir de hoje.")


class TicketError(ApplicationError):
    pass


class InvalidInput(TicketError):
    code = "invalid"


class TicketClosed(TicketError):
    code = "closed"

    def __init__(self, message: str = TICKET_CLOSED) -> None:
        super().__init__(message)


class TransitionNotAllowed(TicketError):
    code = "transition"


class NotAllowed(TicketError):
    code = "not_allowed"


class RateLimited(TicketError):
    code = "rate_limited"

    def __init__(self) -> None:
        super().__init__(RATE_LIMITED)


class TooManyOpenTickets(TicketError):
    code = "too_many_open"
