"""CPF and CNPJ check digits (validate-docbr) and the shared clean-up of documents."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_noop
from validate_docbr import CNPJ, CPF

INVALID_CPF = gettext_noop("CPF inválido: confira os dígitos verificadores.")
INVALID_CNPJ = gettext_noop("CNPJ inválido: confira os dígitos verificadores.")
INVALID_DOCUMENT = gettext_noop("Informe um CPF (11 dígitos) ou um CNPJ (14 dígitos) válido.")

_CPF = CPF()
_CNPJ = CNPJ()


def only_digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def validate_cpf(value: str) -> None:
    digits = only_digits(value)
    if len(digits) != 11 or not _CPF.validate(digits):
        raise ValidationError(INVALID_CPF, code="invalid_cpf")


def validate_cnpj(value: str) -> None:
    digits = only_digits(value)
    if len(digits) != 14 or not _CNPJ.validate(digits):
        raise ValidationError(INVALID_CNPJ, code="invalid_cnpj")


def validate_document(value: str) -> None:
    """A CPF or a CNPJ, formatted or bare."""
    digits = only_digits(value)
    if len(digits) == 11:
        validate_cpf(digits)
    elif len(digits) == 14:
        validate_cnpj(digits)
    elif digits or (value or "").strip():
        raise ValidationError(INVALID_DOCUMENT, code="invalid_document")
