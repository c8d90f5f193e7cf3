"""The transcript goes only to addresses the person proved they own (issue 15, point 3).

Threat: anybody who can edit "Cadastro de pessoa" (or a typo) adds somebody else's address, and from
then on every transcript (names, CPF, the whole conversation, the attached files) is mailed to a stranger;
or an address literal / local name (nome@[10.0.0.5], nome@localhost) makes the server send mail into
its own network. A new address gets a signed, expiring link bound to the contact row and the address;
only confirmed addresses receive transcripts.
"""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from people import errors
from people.models import EMAIL_NOT_DELIVERABLE, Contact
from people.services import email_verification_link
from people.verification import SALT
from tests.conftest import login
from tests.factories import PersonFactory
from tickets import services
from tickets.models import TranscriptOutbox
from tickets.transcript import (
    NO_CONFIRMED_RECIPIENT_ERROR,
    SENT,
    UNCONFIRMED,
    WAITING_CONFIRMATION,
    transcript_send,
)

pytestmark = pytest.mark.django_db

NEW_ADDRESS = "nova.caixa@riodosul.sc.gov.br"
LINK = re.compile(r"https?://\S+/cadastro/confirmar-email/[^/\s]+/")


@pytest.fixture
def register_email(django_capture_on_commit_callbacks):
    """Post "Cadastro de pessoa" with a new address; the link is sent after the commit, so run that too."""

    def register(client: Client, person, address: str = NEW_ADDRESS, **extra):
        data = {"kind": "F", "name": person.name, "document": person.document, "new_email": address, **extra}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/cadastro/", data, follow=True)

    return register


def link_in(message) -> str:
    return LINK.search(message.body).group(0)


def test_a_new_address_gets_a_link_and_stays_unconfirmed_until_it_is_opened(
    person_client, person, mailoutbox, register_email
):
    page = register_email(person_client, person).content.decode()
    contact = person.contacts.get(value=NEW_ADDRESS)
    assert contact.confirmed_at is None
    assert "Confirme seu e-mail" in page and "não confirmado" in page and "Reenviar link de confirmação" in page
    assert str(errors.VERIFICATION_SENT.format(address=NEW_ADDRESS)) in page
    (message,) = mailoutbox
    assert message.to == [NEW_ADDRESS]
    assert message.subject == "Confirme seu endereço de e-mail – Atende Chat"
    link = link_in(message)
    assert link in next(body for body, kind in message.alternatives if kind == "text/html")
    # "Meus Dados" says it too.
    assert "não confirmado" in person_client.get("/chat/meus-dados/").content.decode()

    # Whoever reads that mailbox opens the link, logged in or not.
    response = Client().get(path_of(link))
    assert response.status_code == 200
    assert str(errors.EMAIL_CONFIRMED.format(address=NEW_ADDRESS)) in response.content.decode()
    contact.refresh_from_db()
    assert contact.confirmed_at is not None
    assert "não confirmado" not in person_client.get("/cadastro/").content.decode()


def path_of(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_forged_expired_or_outdated_links_confirm_nothing(person_client, person, mailoutbox, settings, register_email):
    register_email(person_client, person)
    contact = person.contacts.get(value=NEW_ADDRESS)
    link = path_of(link_in(mailoutbox[0]))
    token = link.rstrip("/").rsplit("/", 1)[1]
    other = PersonFactory(entity=person.entity)
    other_email = other.contacts.get(kind=Contact.Kind.EMAIL)
    other_email.confirmed_at = None
    other_email.save()

    forged = [
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # a changed signature
        signing.TimestampSigner(salt="outro-uso").sign_object({"c": other_email.pk, "e": other_email.value}),
        signing.TimestampSigner(salt=SALT, key="outra-chave").sign_object(
            {"c": other_email.pk, "e": other_email.value}
        ),
        "nada",
        "\u202e" * 10,
    ]
    for bad in forged:
        response = Client().get(reverse("email-confirm", args=[bad]))
        assert response.status_code == 400, bad
        assert str(errors.LINK_INVALID) in response.content.decode()
    # Expired: every link is older than a negative maximum age.
    settings.EMAIL_VERIFICATION_MAX_AGE = -1
    response = Client().get(link)
    assert response.status_code == 400 and str(errors.LINK_EXPIRED) in response.content.decode()
    settings.EMAIL_VERIFICATION_MAX_AGE = 3 * 24 * 3600
    # The address of the row changed since the link was sent: the old link proves nothing about the new one.
    Contact.objects.filter(pk=contact.pk).update(value="trocado@riodosul.sc.gov.br")
    response = Client().get(link)
    assert response.status_code == 400 and str(errors.LINK_INVALID) in response.content.decode()
    assert not Contact.objects.filter(confirmed_at__isnull=False, pk__in=[contact.pk, other_email.pk]).exists()


def test_the_transcript_goes_only_to_confirmed_addresses(person, attendant, ticket, mailoutbox):
    Contact.objects.create(person=person, kind=Contact.Kind.EMAIL, value=NEW_ADDRESS)  # not confirmed
    services.ticket_message_create(ticket=ticket, user=attendant, body="Resolvido.")
    services.ticket_conclude_by_requester(ticket=ticket, user=person.user)
    assert transcript_send(ticket_id=ticket.pk) == SENT
    (sent,) = mailoutbox
    assert sent.to == [f"pessoa{person.pk}@prefeitura.sc.gov.br"]


def test_with_no_confirmed_address_the_transcript_waits_and_then_says_why_in_the_admin(
    person, attendant, ticket, mailoutbox, settings, admin_client
):
    email = person.contacts.get(kind=Contact.Kind.EMAIL)
    email.confirmed_at = None
    email.save()
    services.ticket_conclude_by_requester(ticket=ticket, user=person.user)

    assert transcript_send(ticket_id=ticket.pk) == UNCONFIRMED
    outbox = TranscriptOutbox.objects.get(ticket=ticket)
    assert outbox.sent_at is None and outbox.failed_at is None  # pending: the sweep tries again
    assert outbox.last_error == str(WAITING_CONFIRMATION)
    assert mailoutbox == []

    # Confirmed in time: the next attempt sends it.
    Client().get(path_of(email_verification_link(contact=email, base_url="http://testserver/")))
    assert transcript_send(ticket_id=ticket.pk) == SENT
    assert mailoutbox[0].to == [email.value]


def test_never_confirmed_the_transcript_fails_visibly_without_a_crash(person, ticket, mailoutbox, admin_client):
    person.contacts.filter(kind=Contact.Kind.EMAIL).update(confirmed_at=None)
    services.ticket_conclude_by_requester(ticket=ticket, user=person.user)
    TranscriptOutbox.objects.filter(ticket=ticket).update(created_at=timezone.now() - timedelta(days=4))
    assert transcript_send(ticket_id=ticket.pk) == UNCONFIRMED
    outbox = TranscriptOutbox.objects.get(ticket=ticket)
    assert outbox.failed_at is not None and outbox.last_error == str(NO_CONFIRMED_RECIPIENT_ERROR)
    page = admin_client.get(reverse("admin:tickets_transcriptoutbox_changelist")).content.decode()
    assert "Falhou" in page and "não confirmou nenhum endereço de e-mail" in page
    assert mailoutbox == []


def test_an_unconfirmed_address_still_opens_the_chat(person_client, person):
    """The contact gate (EST-000206) counts it: the guide's journey works; only the transcript waits."""
    person.contacts.filter(kind=Contact.Kind.EMAIL).update(confirmed_at=None)
    assert person_client.get("/chat/").status_code == 200


def test_resend_only_for_own_unconfirmed_addresses_and_not_too_often(person_client, person, mailoutbox, register_email):
    register_email(person_client, person)
    contact = person.contacts.get(value=NEW_ADDRESS)
    page = person_client.post("/cadastro/reenviar-confirmacao/", {"contact": contact.pk}, follow=True)
    assert str(errors.RESEND_TOO_SOON) in page.content.decode()  # the first link went out just now
    assert len(mailoutbox) == 1
    cache.clear()  # a minute later
    page = person_client.post("/cadastro/reenviar-confirmacao/", {"contact": contact.pk}, follow=True)
    assert str(errors.VERIFICATION_SENT.format(address=NEW_ADDRESS)) in page.content.decode()
    assert len(mailoutbox) == 2 and mailoutbox[1].to == [NEW_ADDRESS]
    stranger = PersonFactory()
    for value, message in [
        (stranger.contacts.get(kind=Contact.Kind.EMAIL).pk, errors.VERIFICATION_NOT_FOUND),
        ("abc", errors.VERIFICATION_NOT_FOUND),
        ("9" * 30, errors.VERIFICATION_NOT_FOUND),
        (person.contacts.get(value=f"pessoa{person.pk}@prefeitura.sc.gov.br").pk, errors.ALREADY_CONFIRMED),
    ]:
        page = person_client.post("/cadastro/reenviar-confirmacao/", {"contact": value}, follow=True)
        assert page.status_code == 200
        expected = message.format(address=f"pessoa{person.pk}@prefeitura.sc.gov.br")
        assert str(expected) in page.content.decode()
    assert len(mailoutbox) == 2


@pytest.mark.parametrize(
    "address", ["nome@[127.0.0.1]", "nome@[IPv6:::1]", "nome@localhost", "nome@intranet", "nome@servidor."]
)
def test_addresses_no_mail_provider_would_issue_are_refused(person_client, person, mailoutbox, address, register_email):
    response = register_email(person_client, person, address)
    assert response.status_code == 400
    text = response.content.decode()
    assert str(EMAIL_NOT_DELIVERABLE) in text or "Informe um endereço de e-mail válido." in text
    assert not person.contacts.filter(value__icontains=address.split("@")[1].strip("[]")).exists()
    assert mailoutbox == []


def test_address_literals_are_refused_with_the_clear_message(person_client, person, register_email):
    for address in ("nome@[127.0.0.1]", "nome@localhost"):
        assert str(EMAIL_NOT_DELIVERABLE) in register_email(person_client, person, address).content.decode()


def test_at_most_three_addresses_and_three_phones(person_client, person, settings, mailoutbox, register_email):
    assert (settings.CONTACT_MAX_EMAILS, settings.CONTACT_MAX_PHONES) == (3, 3)
    for n in (2, 3):
        data = {"new_phone": f"(47) 3531-12{n}0"}
        assert register_email(person_client, person, f"caixa{n}@riodosul.sc.gov.br", **data).status_code == 200
    assert person.contacts.filter(kind=Contact.Kind.EMAIL).count() == 3
    assert person.contacts.filter(kind=Contact.Kind.PHONE).count() == 3
    response = register_email(person_client, person, "quarta@riodosul.sc.gov.br")
    assert response.status_code == 400
    assert str(errors.TOO_MANY_EMAILS.format(limit=3)) in response.content.decode()
    response = person_client.post(
        "/cadastro/", {"kind": "F", "name": person.name, "document": person.document, "new_phone": "(47) 3531-9999"}
    )
    assert response.status_code == 400
    assert str(errors.TOO_MANY_PHONES.format(limit=3)) in response.content.decode()
    assert person.contacts.count() == 6


def test_an_address_entered_in_the_admin_is_unconfirmed_and_gets_its_link(
    person, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    admin = UserFactory(username="ipm-admin", is_staff=True, is_superuser=True)
    client = login(Client(), admin)
    contacts = list(person.contacts.all())
    data = {
        "kind": person.kind,
        "name": person.name,
        "document": person.document,
        "entity": person.entity_id,
        "country": "Brasil",
        "contacts-TOTAL_FORMS": str(len(contacts) + 1),
        "contacts-INITIAL_FORMS": str(len(contacts)),
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
    }
    for index, contact in enumerate(contacts):
        data |= {
            f"contacts-{index}-id": contact.pk,
            f"contacts-{index}-person": person.pk,
            f"contacts-{index}-kind": contact.kind,
            f"contacts-{index}-value": contact.value,
        }
    index = len(contacts)
    data |= {
        f"contacts-{index}-person": person.pk,
        f"contacts-{index}-kind": "email",
        f"contacts-{index}-value": NEW_ADDRESS,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:people_person_change", args=[person.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    added = person.contacts.get(value=NEW_ADDRESS)
    assert added.confirmed_at is None
    assert [m.to for m in mailoutbox] == [[NEW_ADDRESS]]
    # A fourth address is one too many there as well.
    data["contacts-TOTAL_FORMS"] = str(index + 3)
    data |= {f"contacts-{index}-id": added.pk}
    for extra in (index + 1, index + 2):
        data |= {
            f"contacts-{extra}-person": person.pk,
            f"contacts-{extra}-kind": "email",
            f"contacts-{extra}-value": f"extra{extra}@riodosul.sc.gov.br",
        }
    response = client.post(reverse("admin:people_person_change", args=[person.pk]), data)
    assert response.status_code == 200
    assert str(errors.TOO_MANY_EMAILS.format(limit=3)) in response.content.decode()
    assert person.contacts.filter(kind=Contact.Kind.EMAIL).count() == 2


def test_addresses_that_existed_before_verification_are_marked_confirmed(person):
    """The data migration: rows that already received transcripts keep receiving them."""
    person.contacts.update(confirmed_at=None)
    migration = importlib.import_module("people.migrations.0002_contact_confirmed_at")
    migration.confirm_existing_emails(apps, None)
    assert person.contacts.get(kind=Contact.Kind.EMAIL).confirmed_at is not None
    assert person.contacts.get(kind=Contact.Kind.PHONE).confirmed_at is None
