"""Identity (issue 15, point 11).

Threat: a logged-in person types a colleague's (or the mayor's) CPF into "Cadastro de pessoa" and
from then on appears, in the attendants' queue and the admin search, as that person.
"""

import pytest

from people.errors import DOCUMENT_TAKEN
from people.models import Person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_a_document_registered_to_another_person_cannot_be_claimed(person_client, person, other_person):
    mine = person.document
    for typed in (other_person.document, other_person.document_display):
        response = person_client.post("/cadastro/", {"kind": "F", "name": person.name, "document": typed})
        assert response.status_code == 400
        assert str(DOCUMENT_TAKEN) in response.content.decode()
        person.refresh_from_db()
        assert person.document == mine


def test_a_cnpj_of_another_person_cannot_be_claimed_either(person_client, person, entity):
    company = PersonFactory(entity=entity, kind=Person.Kind.JURIDICA, document="83102855000150", name="EMPRESA")
    response = person_client.post("/cadastro/", {"kind": "J", "name": person.name, "document": company.document})
    assert response.status_code == 400
    assert str(DOCUMENT_TAKEN) in response.content.decode()


def test_keeping_or_taking_a_free_document_still_works(person_client, person):
    response = person_client.post("/cadastro/", {"kind": "F", "name": person.name, "document": person.document})
    assert response.status_code == 302
    response = person_client.post("/cadastro/", {"kind": "F", "name": person.name, "document": "111.444.777-35"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.document == "11144477735"
