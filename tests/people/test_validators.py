import pytest
from django.core.exceptions import ValidationError

from people.models import Contact, Person
from people.validators import (
    INVALID_CNPJ,
    INVALID_CPF,
    INVALID_DOCUMENT,
    validate_cnpj,
    validate_cpf,
    validate_document,
)
from tests.factories import PersonFactory


@pytest.mark.parametrize("value", ["529.982.247-25", "52998224725", " 111.444.777-35 "])
def test_valid_cpf_formatted_or_bare_is_accepted(value):
    validate_cpf(value)
    validate_document(value)


@pytest.mark.parametrize("value", ["529.982.247-26", "11111111111", "1234567890", "abc"])
def test_invalid_cpf_is_refused_in_portuguese(value):
    with pytest.raises(ValidationError) as error:
        validate_cpf(value)
    assert error.value.messages == [INVALID_CPF]


@pytest.mark.parametrize("value", ["83.102.855/0001-50", "83102855000150"])
def test_valid_cnpj_formatted_or_bare_is_accepted(value):
    validate_cnpj(value)
    validate_document(value)


@pytest.mark.parametrize("value", ["83.102.855/0001-51", "00000000000000", "8310285500015"])
def test_invalid_cnpj_is_refused_in_portuguese(value):
    with pytest.raises(ValidationError) as error:
        validate_cnpj(value)
    assert error.value.messages == [INVALID_CNPJ]


def test_document_of_wrong_length_gets_its_own_message():
    with pytest.raises(ValidationError) as error:
        validate_document("123.456")
    assert error.value.messages == [INVALID_DOCUMENT]


@pytest.mark.django_db
def test_person_clean_checks_cpf_for_fisica_and_cnpj_for_juridica(entity):
    person = Person(entity=entity, name="X", kind=Person.Kind.FISICA, document="83102855000150", code=1)
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert error.value.message_dict["document"] == [INVALID_CPF]
    person.kind = Person.Kind.JURIDICA
    person.full_clean()
    assert person.document == "83102855000150"


@pytest.mark.parametrize("value", ["(47) 3531-1500", "47 99123-4567", "+55 47 3531 1500", "4735311500"])
@pytest.mark.django_db
def test_brazilian_phones_are_accepted_and_normalised(value):
    person = PersonFactory(contacts=False)
    contact = Contact(person=person, kind=Contact.Kind.PHONE, value=value)
    contact.full_clean()
    assert contact.value.startswith("(47)")


@pytest.mark.parametrize("value", ["123", "3531-1500", "(00) 0000-0000", "telefone"])
@pytest.mark.django_db
def test_invalid_phones_are_refused(value, person):
    contact = Contact(person=person, kind=Contact.Kind.PHONE, value=value)
    with pytest.raises(ValidationError) as error:
        contact.full_clean()
    assert "Informe um telefone válido" in error.value.message_dict["value"][0]


@pytest.mark.parametrize("value", ["sem-arroba", "a@", "@b.com", "a b@c.com"])
@pytest.mark.django_db
def test_invalid_emails_are_refused(value, person):
    contact = Contact(person=person, kind=Contact.Kind.EMAIL, value=value)
    with pytest.raises(ValidationError) as error:
        contact.full_clean()
    assert error.value.message_dict["value"] == ["Informe um endereço de e-mail válido."]
