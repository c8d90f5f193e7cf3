"""A known data set for the privacy tests: one person with every kind of personal data the product keeps."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from people.models import Contact, Person
from tests.conftest import login
from tests.factories import PersonFactory, UserFactory
from tickets import services
from tickets.models import Status, Ticket, TranscriptOutbox

NAME = "MARIA DA GLÓRIA TESTEMUNHA"
CPF = "52998224725"
CPF_DISPLAY = "529.982.247-25"
CPF_MASKED = "***.982.247-**"
EMAIL = "maria.gloria.lgpd@riodosul.sc.gov.br"
EMAIL2 = "glorinha.lgpd@prefeitura.sc.gov.br"
PHONE = "(48) 99876-5432"
PHONE_DIGITS = "48998765432"


@dataclass
class Subject:
    person: Person
    tickets: list[Ticket]

    @property
    def terms(self) -> list[str]:
        """Every way the person's identity could be written down."""
        return [NAME, "Glória Testemunha", CPF, CPF_DISPLAY, EMAIL, EMAIL2, PHONE, PHONE_DIGITS]


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


@pytest.fixture
def subject(entity, attendant, module, media_root) -> Subject:
    """Maria: registration, two e-mails and a phone, two tickets with messages and files both ways."""
    # Her login is her e-mail address, as many ERPs do it.
    user = UserFactory(username=EMAIL, first_name="Maria da Glória", last_name="Testemunha", email=EMAIL)
    person = PersonFactory(entity=entity, name=NAME, document=CPF, user=user, contacts=False, street="Rua das Flores")
    Contact.objects.create(person=person, kind=Contact.Kind.EMAIL, value=EMAIL, confirmed_at=timezone.now())
    Contact.objects.create(person=person, kind=Contact.Kind.EMAIL, value=EMAIL2)
    Contact.objects.create(person=person, kind=Contact.Kind.PHONE, value=PHONE)
    first = services.ticket_open(
        requester=person,
        module_id=module.pk,
        reason=f"Sou {NAME}, CPF {CPF_DISPLAY}; me liguem no {PHONE}.",
        files=[upload(f"cpf-{CPF}.txt", f"Declaração de {NAME}, CPF {CPF_DISPLAY}\n")],
    )
    services.ticket_take(ticket=first, attendant=attendant)
    services.ticket_message_create(ticket=first, user=attendant, body="Olá, Maria da Glória Testemunha! Envie a tela.")
    services.ticket_message_create(
        ticket=first, user=person.user, body="Segue.", files=[upload("tela.txt", f"usuario {EMAIL}\n")]
    )
    services.ticket_message_create(
        ticket=first, user=attendant, body="Passos:", files=[upload("passos.txt", f"Para {EMAIL2}: reenviar\n")]
    )
    services.ticket_status_change(ticket=first, attendant=attendant, status=Status.CONCLUIDO)
    # An SMTP refusal kept on the outbox quotes the address.
    TranscriptOutbox.objects.filter(ticket=first).update(last_error=f"SMTPRecipientsRefused: {{'{EMAIL}': (550,)}}")
    second = services.ticket_open(requester=person, module_id=module.pk, reason="Outra dúvida sobre a nota.")
    return Subject(person=person, tickets=[first, second])


def grant(user, *codenames: str):
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="privacy", codename=codename))
    # The permission cache of the instance would keep the old answer.
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def ipm_admin(db):
    """An IPM administrator: staff with the privacy rights for every entity."""
    user = UserFactory(username="ipm-admin", is_staff=True)
    return grant(user, "export_person", "anonymise_person", "any_entity", "view_accesslog", "view_legalhold")


@pytest.fixture
def ipm_admin_client(ipm_admin) -> Client:
    return login(Client(), ipm_admin)
