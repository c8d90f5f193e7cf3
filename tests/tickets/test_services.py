import pytest

from people.errors import ContactsMissing
from tests.factories import PersonFactory
from tickets import errors, services
from tickets.models import Message, Status, Ticket, TranscriptOutbox


@pytest.mark.django_db
def test_opening_a_ticket_registers_the_reason_as_first_message(person, ticket):
    assert ticket.status == Status.NAO_INICIADO
    assert ticket.number == ticket.pk
    assert ticket.entity_id == person.entity_id
    (message,) = ticket.messages.all()
    assert message.kind == Message.Kind.OPENING and message.author_name == person.name


@pytest.mark.django_db
def test_person_without_contacts_cannot_open(open_ticket):
    person = PersonFactory(contacts=False)
    with pytest.raises(ContactsMissing):
        open_ticket(person)
    assert Ticket.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("reason", "text"), [("   ", errors.REASON_EMPTY), ("x" * 5001, "no máximo 5000")])
def test_bad_reason_is_refused_and_nothing_saved(person, open_ticket, reason, text):
    with pytest.raises(errors.InvalidInput) as error:
        open_ticket(person, reason=reason)
    assert text in error.value.message
    assert Ticket.objects.count() == Message.objects.count() == 0


@pytest.mark.django_db
def test_attendant_reply_takes_ticket_sets_first_response_and_unread(ticket, attendant):
    services.ticket_message_create(ticket=ticket, user=attendant, body="Olá, em que posso ajudar?")
    ticket.refresh_from_db()
    assert ticket.status == Status.EM_ATENDIMENTO and ticket.attendant == attendant
    assert ticket.first_response_at is not None
    assert ticket.unread_for_requester
    services.ticket_mark_read(ticket=ticket, user=ticket.requester.user)
    ticket.refresh_from_db()
    assert not ticket.unread_for_requester


@pytest.mark.django_db
def test_conclusion_adds_system_message_outbox_and_blocks_messages(ticket, person):
    services.ticket_conclude_by_requester(ticket=ticket, user=person.user)
    ticket.refresh_from_db()
    assert ticket.status == Status.CONCLUIDO_USUARIO and ticket.closed_at
    assert ticket.messages.last().body == "* Chat Concluído pelo Usuário!"
    assert TranscriptOutbox.objects.filter(ticket=ticket).count() == 1
    with pytest.raises(errors.TicketClosed):
        services.ticket_message_create(ticket=ticket, user=person.user, body="mais uma")


@pytest.mark.django_db
def test_take_next_follows_priority_then_age(person, open_ticket, attendant):
    phone = services.ticket_register_phone(
        attendant=attendant, requester=person, module_id=open_ticket(person).module_id, reason="por telefone"
    )
    first_online = Ticket.objects.exclude(pk=phone.pk).get()
    assert services.ticket_take_next(attendant=attendant) == first_online
    assert services.ticket_take_next(attendant=attendant) == phone
