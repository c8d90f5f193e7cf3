"""The CPF masked where the whole number is not needed, "Mostrar" behind a permission, every access recorded.

Threat: an attendant (or anyone looking at their screen) reads a person's whole CPF and contacts
without needing them, and nobody can tell afterwards who looked.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from privacy import services
from privacy.models import AccessLog
from tests.conftest import login
from tests.factories import UserFactory

from .conftest import CPF, CPF_DISPLAY, CPF_MASKED, EMAIL, PHONE, grant


def test_a_cpf_is_masked_the_government_way_and_a_cnpj_is_not():
    from people.models import Contact, Person

    assert Person(document="52998224725").document_masked == "***.982.247-**"
    assert Person(document="11222333000181").document_masked == "11.222.333/0001-81"
    assert Contact(kind="email", value="maria@riodosul.sc.gov.br").masked == "m***@riodosul.sc.gov.br"
    assert Contact(kind="phone", value="(48) 99876-5432").masked == "(**) *****-5432"


@pytest.fixture
def superuser_client(db):
    return login(Client(), UserFactory(username="root-mask", is_staff=True, is_superuser=True))


@pytest.mark.django_db
def test_the_people_admin_list_and_change_pages_show_the_cpf_masked(subject, superuser_client):
    listing = superuser_client.get("/admin/people/person/").content.decode()
    change = superuser_client.get(f"/admin/people/person/{subject.person.pk}/change/").content.decode()
    for page in (listing, change):
        assert CPF_MASKED in page
        assert CPF not in page and CPF_DISPLAY not in page
    # Searching by the whole number still finds the person.
    found = superuser_client.get("/admin/people/person/", {"q": CPF_DISPLAY}).content.decode()
    assert subject.person.name in found


@pytest.mark.django_db
def test_the_read_only_person_page_of_an_attendant_shows_the_cpf_masked(subject, attendant_client):
    page = attendant_client.get(f"/admin/people/person/{subject.person.pk}/change/").content.decode()
    assert CPF_MASKED in page and CPF not in page and CPF_DISPLAY not in page


def conversation(client, ticket) -> str:
    return client.get(f"/admin/tickets/ticket/{ticket.pk}/change/").content.decode()


@pytest.mark.django_db
def test_mais_informacoes_masks_cpf_and_contacts_and_hides_mostrar_without_the_permission(subject, attendant_client):
    page = conversation(attendant_client, subject.tickets[1])
    assert CPF_MASKED in page and "m***@riodosul.sc.gov.br" in page and "(**) *****-5432" in page
    for whole in (CPF, CPF_DISPLAY, EMAIL, PHONE):
        assert whole not in page
    assert "data-reveal-form" not in page and ">Mostrar</button>" not in page
    response = attendant_client.post(f"/privacidade/atendimentos/{subject.tickets[1].pk}/mostrar/")
    assert response.status_code == 403
    assert not AccessLog.objects.filter(action=AccessLog.Action.VIEW).exists()


@pytest.mark.django_db
def test_mostrar_with_the_permission_shows_everything_and_is_recorded(subject, attendant):
    user = grant(attendant, "view_full_cpf")
    client = login(Client(), user)
    ticket = subject.tickets[1]
    assert "data-reveal-form" in conversation(client, ticket)

    response = client.post(f"/privacidade/atendimentos/{ticket.pk}/mostrar/")

    page = response.content.decode()
    assert response.status_code == 200
    assert CPF_DISPLAY in page and EMAIL in page and PHONE in page
    entry = AccessLog.objects.get(action=AccessLog.Action.VIEW)
    assert (entry.actor, entry.person, entry.ticket_number) == (user, subject.person, ticket.pk)
    assert client.get(f"/privacidade/atendimentos/{ticket.pk}/mostrar/").status_code == 405


@pytest.mark.django_db
def test_the_mask_and_mostrar_cost_the_conversation_page_no_query(subject, attendant, attendant2):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/admin/tickets/ticket/{subject.tickets[1].pk}/change/"
    counts = []
    for user in (attendant2, grant(attendant, "view_full_cpf")):
        client = login(Client(), user)
        client.get(url)  # the first visit marks the dialog read
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        counts.append(len(queries))
    assert "data-reveal-form" in page
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_changing_a_person_is_recorded_with_who_did_it_and_kept_in_the_row_history(subject):
    client = login(Client(), subject.person.user)
    response = client.post(
        "/cadastro/",
        {"kind": "F", "name": "MARIA DA GLORIA TESTEMUNHA", "document": CPF_DISPLAY, "country": "Brasil"},
    )
    assert response.status_code == 302
    entry = AccessLog.objects.get(action=AccessLog.Action.CHANGE, person=subject.person, actor=subject.person.user)
    assert entry.detail == "person:~"
    names = list(subject.person.history.order_by("history_id").values_list("name", "history_user"))
    assert names[-1] == ("MARIA DA GLORIA TESTEMUNHA", subject.person.user.pk)


@pytest.mark.django_db
def test_the_access_log_is_read_only_in_the_admin(subject, ipm_admin_client, ipm_admin):
    entry = services.access_log_record(actor=ipm_admin, action=AccessLog.Action.EXPORT, person=subject.person)
    assert ipm_admin_client.get("/admin/privacy/accesslog/").status_code == 200
    assert ipm_admin_client.get("/admin/privacy/accesslog/add/").status_code == 403
    assert ipm_admin_client.get(f"/admin/privacy/accesslog/{entry.pk}/delete/").status_code == 403
    page = ipm_admin_client.get(f"/admin/privacy/accesslog/{entry.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    assert ipm_admin_client.post(f"/admin/privacy/accesslog/{entry.pk}/change/", {}).status_code == 403
    superuser = login(Client(), UserFactory(username="root-log", is_staff=True, is_superuser=True))
    assert superuser.get("/admin/privacy/accesslog/add/").status_code == 403
    assert superuser.post(f"/admin/privacy/accesslog/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AccessLog.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_the_log_is_purged_after_its_retention_time_only(subject, settings):
    settings.PRIVACY_LOG_RETENTION_DAYS = 30
    now = timezone.now()
    old = AccessLog.objects.create(at=now - timedelta(days=31), action=AccessLog.Action.VIEW)
    recent = AccessLog.objects.create(at=now - timedelta(days=29), action=AccessLog.Action.VIEW)

    assert services.access_log_purge(now=now) >= 1
    assert not AccessLog.objects.filter(pk=old.pk).exists()
    assert AccessLog.objects.filter(pk=recent.pk).exists()


def test_the_default_retention_of_the_log_is_five_years():
    from django.conf import settings

    assert settings.PRIVACY_LOG_RETENTION_DAYS == 5 * 365
    assert settings.CELERY_BEAT_SCHEDULE["privacy-log-purge"]["task"] == "privacy.log_purge"
