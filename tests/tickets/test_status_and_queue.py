"""The ten statuses (S19), the one table of allowed transitions, and the queue order (S8, B4)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets import errors, services
from tickets.models import Channel, Status, Ticket
from tickets.selectors import queue_waiting
from tickets.services import ALLOWED_TRANSITIONS, REQUESTER_ONLY, transition_allowed

S19 = [
    "Agendado",
    "Aguardando Retorno Cliente",
    "Atendimento Não Iniciado",
    "Cancelado",
    "Chat Concluído pelo Usuário",
    "Chat Off-Line",
    "Concluído",
    "Em Atendimento",
    "Em desenvolvimento \u2013 Fábrica",
    "Finalizado Fábrica",
]

ALLOWED = sorted((current, target) for current, targets in ALLOWED_TRANSITIONS.items() for target in targets)
FORBIDDEN_SAMPLE = [
    (Status.NAO_INICIADO, Status.CONCLUIDO),
    (Status.NAO_INICIADO, Status.EM_DESENVOLVIMENTO),
    (Status.NAO_INICIADO, Status.FINALIZADO_FABRICA),
    (Status.NAO_INICIADO, Status.AGUARDANDO_RETORNO),
    (Status.OFFLINE, Status.CONCLUIDO),
    (Status.EM_ATENDIMENTO, Status.EM_ATENDIMENTO),
    (Status.EM_ATENDIMENTO, Status.NAO_INICIADO),
    (Status.EM_ATENDIMENTO, Status.OFFLINE),
    (Status.AGUARDANDO_RETORNO, Status.EM_DESENVOLVIMENTO),
    (Status.EM_DESENVOLVIMENTO, Status.CONCLUIDO),
    (Status.FINALIZADO_FABRICA, Status.EM_DESENVOLVIMENTO),
    (Status.CANCELADO, Status.EM_ATENDIMENTO),
    (Status.CONCLUIDO, Status.EM_ATENDIMENTO),
    (Status.CONCLUIDO, Status.CANCELADO),
    (Status.CONCLUIDO_USUARIO, Status.EM_ATENDIMENTO),
    (Status.CONCLUIDO_USUARIO, Status.CONCLUIDO),
]


def put(ticket: Ticket, status: str, attendant=None) -> Ticket:
    """Test set-up only: place the ticket in a status without going through the table under test."""
    Ticket.objects.filter(pk=ticket.pk).update(status=status, attendant=attendant, closed_at=None)
    ticket.refresh_from_db()
    return ticket


def test_the_ten_statuses_are_spelled_as_in_the_guide():
    assert sorted(Status.labels) == sorted(S19)
    assert len(Status.values) == 10


def test_the_table_covers_every_status_and_closed_ones_are_final():
    assert set(ALLOWED_TRANSITIONS) == set(Status.values)
    for final in (Status.CANCELADO, Status.CONCLUIDO, Status.CONCLUIDO_USUARIO):
        assert ALLOWED_TRANSITIONS[final] == frozenset()
    for targets in ALLOWED_TRANSITIONS.values():
        assert targets <= set(Status.values)


@pytest.mark.parametrize(("current", "target"), ALLOWED, ids=[f"{c}->{t}" for c, t in ALLOWED])
def test_every_allowed_transition_goes_through_for_whoever_may_ask(ticket, attendant, current, target):
    assert transition_allowed(current=current, target=target)
    ticket = put(ticket, current, attendant=attendant)
    if target in REQUESTER_ONLY:
        services.ticket_conclude_by_requester(ticket=ticket, user=ticket.requester.user)
    else:
        scheduled = timezone.now() + timedelta(days=1) if target == Status.AGENDADO else None
        services.ticket_status_change(ticket=ticket, attendant=attendant, status=target, scheduled_for=scheduled)
    ticket.refresh_from_db()
    assert ticket.status == target
    assert (ticket.closed_at is not None) == ticket.is_closed


@pytest.mark.parametrize(("current", "target"), FORBIDDEN_SAMPLE, ids=[f"{c}->{t}" for c, t in FORBIDDEN_SAMPLE])
def test_a_forbidden_transition_is_refused_with_a_clear_message_and_nothing_changes(ticket, attendant, current, target):
    assert not transition_allowed(current=current, target=target)
    ticket = put(ticket, current, attendant=attendant)
    messages_before = ticket.messages.count()
    with pytest.raises(errors.TransitionNotAllowed) as refused:
        services.ticket_status_change(ticket=ticket, attendant=attendant, status=target)
    assert refused.value.message == errors.TRANSITION_NOT_ALLOWED.format(
        current=Status(current).label, target=Status(target).label
    )
    ticket.refresh_from_db()
    assert ticket.status == current and ticket.messages.count() == messages_before


@pytest.mark.parametrize("current", [s for s in Status.values if Status.CONCLUIDO_USUARIO in ALLOWED_TRANSITIONS[s]])
def test_an_attendant_cannot_conclude_in_the_users_name(ticket, attendant, current):
    """Threat: an attendant closing a ticket as if the user had concluded it ("Chat Concluído pelo Usuário")."""
    ticket = put(ticket, current, attendant=attendant)
    with pytest.raises(errors.TransitionNotAllowed):
        services.ticket_status_change(ticket=ticket, attendant=attendant, status=Status.CONCLUIDO_USUARIO)
    ticket.refresh_from_db()
    assert ticket.status == current


def test_a_requester_cannot_use_the_attendants_status_change(ticket, person):
    """Threat: a staff member moving their own ticket along the attendants' table."""
    with pytest.raises(errors.NotAllowed):
        services.ticket_status_change(ticket=ticket, attendant=person.user, status=Status.EM_ATENDIMENTO)
    ticket.refresh_from_db()
    assert ticket.status == Status.NAO_INICIADO


@pytest.mark.parametrize("closed", [Status.CANCELADO, Status.CONCLUIDO, Status.CONCLUIDO_USUARIO])
def test_the_requester_cannot_conclude_a_closed_ticket_again(ticket, closed):
    ticket = put(ticket, closed)
    with pytest.raises(errors.TicketClosed):
        services.ticket_conclude_by_requester(ticket=ticket, user=ticket.requester.user)
    assert ticket.messages.count() == 1


def test_an_unknown_status_is_refused(ticket, attendant):
    with pytest.raises(errors.InvalidInput):
        services.ticket_status_change(ticket=ticket, attendant=attendant, status="resolvido")
    ticket.refresh_from_db()
    assert ticket.status == Status.NAO_INICIADO


def test_agendado_needs_a_future_date(ticket, attendant):
    with pytest.raises(errors.InvalidInput) as refused:
        services.ticket_status_change(ticket=ticket, attendant=attendant, status=Status.AGENDADO)
    assert refused.value.message == errors.SCHEDULE_REQUIRED
    past = timezone.now() - timedelta(minutes=1)
    with pytest.raises(errors.InvalidInput) as refused:
        services.ticket_status_change(ticket=ticket, attendant=attendant, status=Status.AGENDADO, scheduled_for=past)
    assert refused.value.message == errors.SCHEDULE_IN_PAST


# --- queue order (S8, B4) ------------------------------------------------------------------------------


def test_queue_puts_on_line_before_phone_then_oldest_first(person, other_person, module):
    now = timezone.now()

    def opened(requester, minutes_ago, channel=Channel.ONLINE):
        return services.ticket_open(
            requester=requester,
            module_id=module.pk,
            reason="Ajuda",
            channel=channel,
            now=now - timedelta(minutes=minutes_ago),
        )

    phone_oldest = opened(other_person, 120, Channel.PHONE)
    phone_newer = opened(person, 5, Channel.PHONE)
    online_old = opened(person, 60)
    online_new = opened(other_person, 1)
    online_mid = opened(other_person, 30)
    assert [t.pk for t in queue_waiting()] == [
        online_old.pk,
        online_mid.pk,
        online_new.pk,
        phone_oldest.pk,
        phone_newer.pk,
    ]


def test_queue_holds_only_waiting_tickets_including_off_line_ones(person, open_ticket, attendant):
    waiting = open_ticket(person)
    offline = open_ticket(person)
    Ticket.objects.filter(pk=offline.pk).update(status=Status.OFFLINE)
    taken = open_ticket(person)
    services.ticket_take(ticket=taken, attendant=attendant)
    concluded = open_ticket(person)
    services.ticket_conclude_by_requester(ticket=concluded, user=person.user)
    assert {t.pk for t in queue_waiting()} == {waiting.pk, offline.pk}


def test_same_age_tickets_keep_a_stable_order_by_number(person, module):
    now = timezone.now()
    tickets = [
        services.ticket_open(requester=person, module_id=module.pk, reason=f"Pedido {n}", now=now) for n in range(3)
    ]
    assert [t.pk for t in queue_waiting()] == [t.pk for t in tickets]
