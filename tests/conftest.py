"""Shared fixtures: people, attendants, modules and tickets made through the real services."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tickets import services
from tickets.models import AttendancePeriod

from .factories import AttendantFactory, EntityFactory, ModuleFactory, PersonFactory


@pytest.fixture(autouse=True)
def _always_open(db):
    """Tests run at any hour: attendance is open unless a test sets periods itself."""
    AttendancePeriod.objects.all().delete()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Factories set passwords for every user; the production hasher is slow by design."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in pt-BR: a request in English must not leave its language to the next test's code."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def entity(db):
    return EntityFactory(name="Prefeitura Municipal de Rio do Sul")


@pytest.fixture
def person(entity):
    return PersonFactory(entity=entity, name="HAUANA ANDRADE NEGHERBON")


@pytest.fixture
def other_person(entity):
    return PersonFactory(entity=entity, name="OUTRO SERVIDOR")


@pytest.fixture
def foreign_person(db):
    return PersonFactory(name="SERVIDOR DE OUTRA ENTIDADE")


@pytest.fixture
def attendant(db):
    return AttendantFactory(username="ana", first_name="Ana Paula", last_name="Schmitt")


@pytest.fixture
def attendant2(db):
    return AttendantFactory(username="bruno", first_name="Bruno", last_name="Kowalski")


@pytest.fixture
def module(db):
    return ModuleFactory()


@pytest.fixture
def open_ticket(module):
    """Open a ticket as the requester would, through the service."""

    def _open(requester, reason="Boa tarde, podem por favor me auxiliar?", files=(), **kwargs):
        return services.ticket_open(requester=requester, module_id=module.pk, reason=reason, files=files, **kwargs)

    return _open


@pytest.fixture
def ticket(person, open_ticket):
    return open_ticket(person)


def login(client: Client, user) -> Client:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def person_client(person):
    return login(Client(), person.user)


@pytest.fixture
def attendant_client(attendant):
    return login(Client(), attendant)
