"""Refusals of routing, in Portuguese (translated where shown)."""

from django.utils.translation import gettext_noop

from atende_chat.errors import ApplicationError

OFFER_EXPIRED = gettext_noop("Esta oferta expirou; o atendimento voltou para a fila.")
OFFER_NOT_YOURS = gettext_noop("Esta oferta não é sua.")
OFFER_GONE = gettext_noop("Este atendimento já foi assumido por outro atendente.")
NOT_AN_ATTENDANT = gettext_noop("Somente atendentes podem receber atendimentos.")
CAPACITY_INVALID = gettext_noop("A capacidade deve ser um número inteiro entre 1 e 50.")


class OfferRefused(ApplicationError):
    code = "offer_refused"


class RoutingNotAllowed(ApplicationError):
    code = "not_allowed"


class CapacityInvalid(ApplicationError):
    code = "capacity_invalid"
