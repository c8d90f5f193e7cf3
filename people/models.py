"""People: municipalities (entities), the person registry ("Cadastros Únicos") and contacts.

The contact gate of the chat (S5) reads the contacts kept here.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import to_python as phone_to_python

from .text import has_visible_text, name_clean
from .validators import only_digits, validate_cnpj, validate_cpf, validate_document

NAME_REQUIRED = _("Informe o nome.")
EMAIL_NOT_DELIVERABLE = _(
    "Informe um endereço de e-mail de um provedor de e-mail (por exemplo, nome@prefeitura.sc.gov.br). "
    "Endereços sem um domínio com ponto, ou com um IP entre colchetes, não são aceitos."
)


class Entity(models.Model):
    """A municipality (or other public body) that uses the ERP."""

    name = models.CharField(_("nome"), max_length=200)
    cnpj = models.CharField(_("CNPJ"), max_length=14, unique=True, validators=[validate_cnpj])
    online_chat_enabled = models.BooleanField(
        _("atendimento on-line liberado"),
        default=False,
        help_text=_("Quando marcado, o ícone “Atendimento On-line” aparece para as pessoas desta entidade."),
    )

    class Meta:
        verbose_name = _("entidade")
        verbose_name_plural = _("entidades")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.cnpj = only_digits(self.cnpj)


class Person(models.Model):
    """A person of the registry; a staff member logs in as one."""

    class Kind(models.TextChoices):
        FISICA = "F", _("Física")
        JURIDICA = "J", _("Jurídica")

    code = models.PositiveIntegerField(_("código"), unique=True, editable=False)
    kind = models.CharField(_("tipo pessoa"), max_length=1, choices=Kind.choices, default=Kind.FISICA)
    name = models.CharField(_("nome"), max_length=200)
    document = models.CharField(_("CPF/CNPJ"), max_length=14, blank=True, validators=[validate_document])
    entity = models.ForeignKey(Entity, verbose_name=_("entidade"), on_delete=models.PROTECT, related_name="people")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("usuário"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    cep = models.CharField(_("CEP"), max_length=9, blank=True)
    country = models.CharField(_("país"), max_length=60, blank=True, default="Brasil")
    state = models.CharField(_("estado"), max_length=2, blank=True)
    city = models.CharField(_("cidade"), max_length=100, blank=True)
    district = models.CharField(_("bairro"), max_length=100, blank=True)
    street = models.CharField(_("logradouro"), max_length=200, blank=True)
    number = models.CharField(_("número"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("criado em"), auto_now_add=True)

    class Meta:
        verbose_name = _("pessoa")
        verbose_name_plural = _("pessoas")
        ordering = ["name"]
        indexes = [models.Index(fields=["document"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = name_clean(self.name)
        if not has_visible_text(self.name):
            raise ValidationError({"name": NAME_REQUIRED})
        self.document = only_digits(self.document)
        if not self.document:
            return
        if self.kind == self.Kind.FISICA:
            try:
                validate_cpf(self.document)
            except ValidationError as error:
                raise ValidationError({"document": error}) from None
        else:
            try:
                validate_cnpj(self.document)
            except ValidationError as error:
                raise ValidationError({"document": error}) from None

    @property
    def document_display(self) -> str:
        digits = self.document
        if len(digits) == 11:
            return f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"
        if len(digits) == 14:
            return f"{digits[:2]}.{digits[2:5]}.{digits[5:8]}/{digits[8:12]}-{digits[12:]}"
        return digits

    @property
    def document_masked(self) -> str:
        """A CPF as the government masks it (***.456.789-**); a CNPJ (a company's) is shown whole."""
        digits = self.document
        if len(digits) == 11:
            return f"***.{digits[3:6]}.{digits[6:9]}-**"
        return self.document_display


class Contact(models.Model):
    """One e-mail address or phone number of a person; a person may have several of each."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Telefone")

    person = models.ForeignKey(Person, verbose_name=_("pessoa"), on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("tipo"), max_length=5, choices=Kind.choices)
    value = models.CharField(_("contato"), max_length=254)
    # E-mail only: when the person opened the verification link sent to this address. The transcript
    # goes only to confirmed addresses; phones are not verified (the field stays empty).
    confirmed_at = models.DateTimeField(_("confirmado em"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("contato")
        verbose_name_plural = _("contatos")
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "value"], name="contact_unique_per_person"),
        ]

    def __str__(self) -> str:
        return self.value

    def clean(self) -> None:
        value = (self.value or "").strip()
        if self.kind == self.Kind.EMAIL:
            try:
                validate_email(value)
            except ValidationError:
                raise ValidationError({"value": gettext("Informe um endereço de e-mail válido.")}) from None
            if not email_domain_is_public(value):
                raise ValidationError({"value": EMAIL_NOT_DELIVERABLE})
            self.value = value.lower()
        elif self.kind == self.Kind.PHONE:
            number = phone_to_python(value, region="BR")
            if number is None or not number.is_valid():
                raise ValidationError({"value": gettext("Informe um telefone válido, com DDD (ex.: 47 3531-1500).")})
            self.value = number.as_national

    @property
    def is_email(self) -> bool:
        return self.kind == self.Kind.EMAIL

    @property
    def masked(self) -> str:
        """Enough to recognise an address or a phone without disclosing it: m***@dominio, (**) ****-1500."""
        if self.is_email:
            local, _at, domain = self.value.partition("@")
            return f"{local[:1]}***@{domain}"
        shown = 4
        digits = sum(char.isdigit() for char in self.value)
        out, seen = [], 0
        for char in self.value:
            if char.isdigit():
                seen += 1
                out.append(char if seen > digits - shown else "*")
            else:
                out.append(char)
        return "".join(out)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


def email_domain_is_public(address: str) -> bool:
    """A domain a mail provider would issue: a name with a dot, not an address literal ([127.0.0.1]).

    Django's validate_email accepts "nome@localhost" and "nome@[10.0.0.1]": valid syntax, but mail to
    them would stay on (or probe) the server's own network.
    """
    domain = address.rpartition("@")[2].strip().rstrip(".")
    if domain.startswith("[") or "." not in domain:
        return False
    top = domain.rpartition(".")[2]
    return bool(top) and not top.isdigit()


class UserPreference(models.Model):
    """What a user chose for themselves, kept on the account: for now, the language of the pages and e-mails.

    Keyed by the user, not the person: attendants and administrators have no Person but choose a language too.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("usuário"), on_delete=models.CASCADE, related_name="preference"
    )
    language = models.CharField(_("idioma"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("preferência do usuário")
        verbose_name_plural = _("preferências dos usuários")

    def __str__(self) -> str:
        return str(self.user)
