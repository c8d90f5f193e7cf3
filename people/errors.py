from django.utils.translation import gettext_lazy as _

from atende_chat.errors import ApplicationError

DOCUMENT_TAKEN = _(
    "Este CPF/CNPJ já está cadastrado para outra pessoa. Se ele é seu, procure o administrador da sua entidade."
)

CONTACTS_MISSING_CODE = "EST-000206"
CONTACTS_MISSING = (
    "Para utilizar o Chat de Atendimento On-line é necessário ter ao menos um endereço de e-mail e um "
    "telefone para contato em seu cadastro no sistema. Por favor, informe ao menos um endereço de e-mail e "
    "um telefone para contato e tente novamente."
)


class ContactsMissing(ApplicationError):
    """S5: the chat needs at least one e-mail and one phone."""

    code = CONTACTS_MISSING_CODE

    def __init__(self) -> None:
        super().__init__(CONTACTS_MISSING)
