from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from atende_chat.errors import ApplicationError

DOCUMENT_TAKEN = _(
    "Este CPF/CNPJ já está cadastrado para outra pessoa. Se ele é seu, procure o administrador da sua entidade."
)

CONTACTS_MISSING_CODE = "EST-000206"
CONTACTS_MISSING = gettext_noop(
    "Para utilizar o Chat de Atendimento On-line é necessário ter ao menos um endereço de e-mail e um "
    "telefone para contato em seu cadastro no sistema. Por favor, informe ao menos um endereço de e-mail e "
    "um telefone para contato e tente novamente."
)


class ContactsMissing(ApplicationError):
    """S5: the chat needs at least one e-mail and one phone."""

    code = CONTACTS_MISSING_CODE

    def __init__(self) -> None:
        super().__init__(CONTACTS_MISSING)


TOO_MANY_EMAILS = _("Cada pessoa pode ter no máximo {limit} endereços de e-mail.")
TOO_MANY_PHONES = _("Cada pessoa pode ter no máximo {limit} telefones.")
LINK_INVALID = _(
    "Este link de confirmação não é válido (ou o endereço foi alterado). Peça um novo link em “Cadastro de pessoa”."
)
LINK_EXPIRED = _("Este link de confirmação expirou. Peça um novo link em “Cadastro de pessoa”.")
EMAIL_CONFIRMED = _("Endereço de e-mail {address} confirmado. Obrigado!")
ALREADY_CONFIRMED = _("O endereço {address} já está confirmado.")
VERIFICATION_NOT_FOUND = _("Endereço de e-mail não encontrado no seu cadastro.")
RESEND_TOO_SOON = _("Um link de confirmação acabou de ser enviado. Aguarde um minuto para pedir outro.")
VERIFICATION_SENT = _("Enviamos um link de confirmação para {address}. Abra-o para confirmar o endereço.")


class VerificationRefused(ApplicationError):
    code = "verification"
