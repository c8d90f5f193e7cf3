"""Refusals of the ticket services; the texts are what users read."""

from django.utils.translation import gettext_lazy as _

from atende_chat.errors import ApplicationError

REASON_EMPTY = "Digite o motivo do atendimento."
REASON_TOO_LONG = "O motivo do atendimento deve ter no máximo {limit} caracteres."
MESSAGE_EMPTY = "Digite uma mensagem ou anexe um arquivo."
MESSAGE_TOO_LONG = "A mensagem deve ter no máximo {limit} caracteres."
MODULE_INVALID = "Selecione um módulo válido."
TICKET_CLOSED = "Este atendimento já foi encerrado e não aceita novas mensagens."
TRANSITION_NOT_ALLOWED = "Não é possível passar o atendimento de \u201c{current}\u201d para \u201c{target}\u201d."
NOT_YOUR_TICKET = "Este atendimento está com outro atendente ({name}). Assuma-o antes de responder."
NOT_AN_ATTENDANT = "{name} não é um atendente."
QUEUE_EMPTY = "Não há atendimentos aguardando na fila."
ALREADY_TAKEN = "Este atendimento já foi assumido por {name}."
SCHEDULE_REQUIRED = "Informe a data e a hora do agendamento."
SCHEDULE_IN_PAST = "A data do agendamento deve estar no futuro."
TOO_MANY_OPEN_TICKETS = _(
    "Você já tem {limit} atendimentos em aberto. Conclua um deles (ou aguarde a conclusão) para abrir um novo."
)
TOO_MANY_OPEN_TICKETS_PHONE = _(
    "{name} já tem {limit} atendimentos em aberto. Conclua um deles antes de registrar outro."
)
SCHEDULE_TOO_FAR = _("A data do agendamento deve estar dentro de {days} dias a partir de hoje.")
RATE_LIMITED = "Você enviou muitas mensagens em pouco tempo. Aguarde um minuto e tente novamente."


class TicketError(ApplicationError):
    pass


class InvalidInput(TicketError):
    code = "invalid"


class TicketClosed(TicketError):
    code = "closed"

    def __init__(self) -> None:
        super().__init__(TICKET_CLOSED)


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
