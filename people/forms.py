"""The person's own registration form ("Cadastro de pessoa")."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Contact, Person
from .services import person_update_registration

ADDRESS_FIELDS = ["cep", "country", "state", "city", "district", "street", "number"]


class RegistrationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Tipo Pessoa"), choices=Person.Kind.choices)
    name = forms.CharField(label=_("Nome"), max_length=200)
    document = forms.CharField(label=_("CPF/CNPJ"), max_length=18, required=False)
    new_email = forms.CharField(label=_("Novo endereço de e-mail"), max_length=254, required=False)
    new_phone = forms.CharField(label=_("Novo telefone"), max_length=30, required=False)
    cep = forms.CharField(label=_("CEP"), max_length=9, required=False)
    country = forms.CharField(label=_("País"), max_length=60, required=False)
    state = forms.CharField(label=_("Estado"), max_length=2, required=False)
    city = forms.CharField(label=_("Cidade"), max_length=100, required=False)
    district = forms.CharField(label=_("Bairro"), max_length=100, required=False)
    street = forms.CharField(label=_("Logradouro"), max_length=200, required=False)
    number = forms.CharField(label=_("Número"), max_length=20, required=False)

    def __init__(self, *args, person: Person, **kwargs) -> None:
        self.person = person
        initial = {field: getattr(person, field) for field in ["kind", "name", "document", *ADDRESS_FIELDS]}
        initial["document"] = person.document_display
        super().__init__(*args, initial=initial, **kwargs)

    def clean(self) -> dict:
        data = super().clean()
        for field, kind in (("new_email", Contact.Kind.EMAIL), ("new_phone", Contact.Kind.PHONE)):
            value = (data.get(field) or "").strip()
            if value:
                contact = Contact(person=self.person, kind=kind, value=value)
                try:
                    contact.clean()
                except ValidationError as error:
                    self.add_error(field, error.message_dict["value"])
                else:
                    data[field] = contact.value
        return data

    def save(self, *, base_url: str = "") -> Person:
        data = self.cleaned_data
        fields = {field: data.get(field, "") for field in ["kind", "name", "document", *ADDRESS_FIELDS]}
        try:
            return person_update_registration(
                person=self.person,
                data=fields,
                new_email=data.get("new_email", ""),
                new_phone=data.get("new_phone", ""),
                base_url=base_url,
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
            raise
