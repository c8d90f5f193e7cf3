"""Who may do what in the admin: attendants work tickets, IPM administrators manage the rest."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from people.models import Entity, Person
from tests.conftest import login
from tests.factories import UserFactory
from tickets.models import Status, Ticket
from tickets.selectors import user_is_attendant

QUEUE_URL = reverse("admin:tickets_ticket_changelist")


@pytest.fixture
def staff_client(db):
    """A staff user outside the "Atendentes" group (say, someone from another IPM team)."""
    return login(Client(), UserFactory(username="staff", is_staff=True))


@pytest.fixture
def superuser_client(db):
    return login(Client(), UserFactory(username="ipm-admin", is_staff=True, is_superuser=True))


def ticket_pages(ticket: Ticket) -> list[str]:
    return [
        QUEUE_URL,
        reverse("admin:tickets_ticket_change", args=[ticket.pk]),
        reverse("admin:tickets_ticket_add"),
        reverse("admin:tickets_ticket_history", args=[ticket.pk]),
    ]


@pytest.mark.django_db
def test_staff_outside_the_group_sees_no_ticket_page(staff_client, ticket):
    """Threat: any staff login (not an attendant) reads the municipalities' conversations (B5)."""
    for url in ticket_pages(ticket):
        assert staff_client.get(url).status_code == 403, url
    index = staff_client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert QUEUE_URL not in index.content.decode()


@pytest.mark.django_db
def test_staff_outside_the_group_cannot_take_reply_or_change_tickets(staff_client, ticket):
    """Threat: a staff login outside the group acts on tickets through the admin's POST URLs."""
    before = Ticket.objects.values().get(pk=ticket.pk)
    posts = [
        (reverse("admin:tickets_ticket_take_next"), {}),
        (reverse("admin:tickets_ticket_take", args=[ticket.pk]), {}),
        (reverse("admin:tickets_ticket_status", args=[ticket.pk]), {"status": Status.CANCELADO}),
        (reverse("admin:tickets_ticket_transfer", args=[ticket.pk]), {"to": 1}),
        (reverse("admin:tickets_ticket_change", args=[ticket.pk]), {"body": "oi"}),
    ]
    for url, data in posts:
        assert staff_client.post(url, data).status_code == 403, url
    assert Ticket.objects.values().get(pk=ticket.pk) == before
    assert ticket.messages.count() == 1


@pytest.mark.django_db
def test_a_requester_without_staff_status_is_sent_to_the_admin_login(person_client, ticket):
    for url in ticket_pages(ticket):
        response = person_client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response.url


@pytest.mark.django_db
def test_the_attendants_group_grants_attending_and_nothing_else(attendant):
    assert user_is_attendant(user=attendant)
    assert not attendant.is_superuser
    for permission in [
        "people.change_entity",
        "people.add_entity",
        "people.change_person",
        "people.add_person",
        "people.delete_person",
        "people.change_contact",
        "auth.view_user",
        "auth.change_user",
        "auth.change_group",
        "tickets.add_module",
        "tickets.change_module",
        "tickets.change_attendanceperiod",
        "tickets.delete_ticket",
    ]:
        assert not attendant.has_perm(permission), permission


@pytest.mark.django_db
def test_attendant_cannot_edit_entities(attendant_client, entity):
    """Threat: an attendant switches the chat of a municipality on or off (S2 is IPM administrators' call)."""
    url = reverse("admin:people_entity_change", args=[entity.pk])

    response = attendant_client.post(url, {"name": "Outra", "cnpj": entity.cnpj})
    changelist = attendant_client.post(
        reverse("admin:people_entity_changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": entity.pk,
            "form-0-online_chat_enabled": "",
            "_save": "Salvar",
        },
    )

    assert response.status_code == 403
    assert changelist.status_code == 403
    entity.refresh_from_db()
    assert entity.name == "Prefeitura Municipal de Rio do Sul" and entity.online_chat_enabled
    assert attendant_client.get(reverse("admin:people_entity_add")).status_code == 403
    assert (
        'name="form-0-online_chat_enabled"'
        not in attendant_client.get(reverse("admin:people_entity_changelist")).content.decode()
    )


@pytest.mark.django_db
def test_attendant_cannot_edit_people(attendant_client, person):
    """Threat: an attendant rewrites a requester's registry (name, CPF, contacts)."""
    url = reverse("admin:people_person_change", args=[person.pk])

    response = attendant_client.post(url, {"name": "NOME TROCADO", "kind": "F", "entity": person.entity_id})

    assert response.status_code == 403
    assert Person.objects.get(pk=person.pk).name == "HAUANA ANDRADE NEGHERBON"
    assert attendant_client.get(reverse("admin:people_person_add")).status_code == 403
    assert attendant_client.get(url).status_code == 200  # looking a person up is allowed


@pytest.mark.django_db
def test_attendant_cannot_see_or_edit_users(attendant_client, attendant):
    """Threat: an attendant grants themselves more rights or resets someone's password."""
    User = get_user_model()
    assert attendant_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    response = attendant_client.post(
        reverse("admin:auth_user_change", args=[attendant.pk]),
        {"username": "ana", "is_superuser": "on", "is_staff": "on"},
    )
    assert response.status_code == 403
    assert not User.objects.get(pk=attendant.pk).is_superuser
    assert attendant_client.get(reverse("admin:auth_group_changelist")).status_code == 403


@pytest.mark.django_db
def test_nobody_deletes_a_ticket_from_the_admin(superuser_client, ticket):
    """Threat: the record of a conversation (and its transcript) disappears."""
    url = reverse("admin:tickets_ticket_delete", args=[ticket.pk])
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    assert Ticket.objects.filter(pk=ticket.pk).exists()


@pytest.mark.django_db
def test_ipm_administrator_switches_the_chat_per_entity_and_works_the_queue(superuser_client, entity, ticket):
    response = superuser_client.post(
        reverse("admin:people_entity_changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": entity.pk,
            "_save": "Salvar",
        },
    )

    assert response.status_code == 302
    assert not Entity.objects.get(pk=entity.pk).online_chat_enabled
    assert superuser_client.get(QUEUE_URL).status_code == 200
    assert superuser_client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["digits", "formatted", "name"])
def test_person_search_finds_by_cpf_with_or_without_punctuation(attendant_client, person, other_person, how):
    term = {"digits": person.document, "formatted": person.document_display, "name": "hauana"}[how]

    response = attendant_client.get(reverse("admin:people_person_changelist"), {"q": term})

    assert list(response.context["cl"].result_list) == [person]


@pytest.mark.django_db
def test_phone_form_requester_search_finds_people_by_formatted_cpf(attendant_client, person, other_person):
    response = attendant_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "tickets", "model_name": "ticket", "field_name": "requester", "term": person.document_display},
    )

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(person.pk)]
