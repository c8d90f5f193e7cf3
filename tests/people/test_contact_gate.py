import pytest

from people.errors import CONTACTS_MISSING, CONTACTS_MISSING_CODE, ContactsMissing
from people.models import Contact
from people.selectors import person_has_required_contacts
from people.services import contact_add, person_check_contacts
from tests.factories import PersonFactory


@pytest.mark.django_db
def test_person_with_email_and_phone_passes_the_gate():
    person = PersonFactory()
    assert person_has_required_contacts(person=person)
    person_check_contacts(person=person)


@pytest.mark.django_db
@pytest.mark.parametrize("kinds", [(), (Contact.Kind.EMAIL,), (Contact.Kind.PHONE,)])
def test_gate_needs_one_email_and_one_phone(kinds):
    person = PersonFactory(contacts=False)
    for kind in kinds:
        contact_add(person=person, kind=kind, value="a@b.com.br" if kind == Contact.Kind.EMAIL else "(47) 3531-1500")
    assert not person_has_required_contacts(person=person)
    with pytest.raises(ContactsMissing) as error:
        person_check_contacts(person=person)
    assert error.value.code == CONTACTS_MISSING_CODE == "EST-000206"
    assert error.value.message == CONTACTS_MISSING


@pytest.mark.django_db
def test_two_emails_without_a_phone_still_fail_the_gate():
    person = PersonFactory(contacts=False)
    contact_add(person=person, kind=Contact.Kind.EMAIL, value="um@b.com.br")
    contact_add(person=person, kind=Contact.Kind.EMAIL, value="dois@b.com.br")
    assert not person_has_required_contacts(person=person)
