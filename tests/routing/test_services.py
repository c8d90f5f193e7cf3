"""Routing by capacity: who gets the offer, accept and its refusals, expiry, going away, overdue alerts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from routing import errors, services
from routing.models import AttendantState, Offer, OverdueAlert
from tickets import services as tickets_services
from tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db


def offers_of(ticket) -> list[tuple[str, str]]:
    return [(o.attendant.username, o.state) for o in Offer.objects.filter(ticket=ticket).order_by("id")]


@pytest.mark.parametrize("bad", [0, -1, "0", "-3", "", "abc", "2.5", 51, None, True])
def test_capacity_zero_negative_or_not_a_number_is_refused_and_nothing_saved(attendant, bad):
    services.attendant_capacity_set(user=attendant, capacity=4)
    with pytest.raises(errors.CapacityInvalid) as refused:
        services.attendant_capacity_set(user=attendant, capacity=bad)
    assert refused.value.message == "A capacidade deve ser um número inteiro entre 1 e 50."
    assert AttendantState.objects.get(user=attendant).capacity == 4


def test_capacity_in_the_admin_refuses_zero_with_the_message(admin_client, attendant):
    state = services.attendant_capacity_set(user=attendant, capacity=2)
    url = f"/admin/routing/attendantstate/{state.pk}/change/"
    response = admin_client.post(url, {"capacity": "0"})
    assert response.status_code == 200
    assert "A capacidade deve ser um número inteiro entre 1 e 50." in response.content.decode()
    assert AttendantState.objects.get(pk=state.pk).capacity == 2
    response = admin_client.post(url, {"capacity": "5"})
    assert response.status_code == 302
    assert AttendantState.objects.get(pk=state.pk).capacity == 5


def test_capacity_of_a_non_attendant_is_refused(person):
    with pytest.raises(errors.RoutingNotAllowed):
        services.attendant_capacity_set(user=person.user, capacity=2)
    assert not AttendantState.objects.exists()


def test_routing_off_offers_nothing(settings, attendant, available, person, open_ticket):
    settings.ROUTING_ENABLED = False
    available(attendant)
    open_ticket(person)
    assert services.routing_dispatch() == []
    assert not Offer.objects.exists()


def test_a_new_ticket_goes_to_the_available_attendant_with_most_free_capacity(
    routing_on, attendant, attendant2, attendant3, available, person, open_ticket, django_capture_on_commit_callbacks
):
    available(attendant, capacity=2)
    available(attendant2, capacity=5)
    services.attendant_capacity_set(user=attendant3, capacity=9)  # most room, but away
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(person)
    assert offers_of(ticket) == [("bruno", "pending")]


def test_ties_go_to_the_attendant_idle_longest(
    routing_on, attendant, attendant2, available, person, open_ticket, django_capture_on_commit_callbacks
):
    available(attendant, capacity=2)
    available(attendant2, capacity=2)
    AttendantState.objects.filter(user=attendant2).update(idle_since=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        first = open_ticket(person)
    with django_capture_on_commit_callbacks(execute=True):
        second = open_ticket(person)
    # Bruno idle longest gets the first; then Ana has more free capacity and gets the second.
    assert offers_of(first) == [("bruno", "pending")]
    assert offers_of(second) == [("ana", "pending")]


def test_full_attendants_get_nothing_and_the_queue_order_is_kept(
    routing_on, attendant, available, person, other_person, open_ticket
):
    first, second, third = open_ticket(person), open_ticket(other_person), open_ticket(person)
    available(attendant, capacity=2)
    assert [o.ticket_id for o in Offer.objects.order_by("id")] == [first.pk, second.pk]
    assert offers_of(third) == []


def test_accept_gives_the_ticket_to_the_attendant(routing_on, attendant, available, person, open_ticket):
    ticket = open_ticket(person)
    available(attendant)
    offer = Offer.objects.get(ticket=ticket)
    taken = services.offer_accept(offer_id=offer.pk, user=attendant)
    assert taken.pk == ticket.pk
    ticket.refresh_from_db()
    assert (ticket.status, ticket.attendant) == (Status.EM_ATENDIMENTO, attendant)
    assert offers_of(ticket) == [("ana", "accepted")]


def test_an_offer_accepted_by_someone_else_is_refused(
    routing_on, attendant, attendant2, available, person, open_ticket
):
    ticket = open_ticket(person)
    available(attendant)
    offer = Offer.objects.get(ticket=ticket)
    with pytest.raises(errors.OfferRefused) as refused:
        services.offer_accept(offer_id=offer.pk, user=attendant2)
    assert refused.value.message == "Esta oferta não é sua."
    ticket.refresh_from_db()
    assert ticket.attendant is None and ticket.status == Status.NAO_INICIADO


def test_an_offer_accepted_after_it_expired_is_refused_and_goes_to_the_next(
    routing_on, attendant, attendant2, available, person, open_ticket, django_capture_on_commit_callbacks
):
    ticket = open_ticket(person)
    available(attendant, capacity=3)
    available(attendant2, capacity=1)
    offer = Offer.objects.get(ticket=ticket)
    assert offer.attendant == attendant
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(errors.OfferRefused) as refused:
        services.offer_accept(offer_id=offer.pk, user=attendant)
    assert refused.value.message == "Esta oferta expirou; o atendimento voltou para a fila."
    # The refusal expired it; the next dispatch offers the ticket to the other attendant.
    services.routing_dispatch()
    assert offers_of(ticket) == [("ana", "expired"), ("bruno", "pending")]
    ticket.refresh_from_db()
    assert ticket.attendant is None


def test_the_expiry_task_is_idempotent_and_leaves_an_accepted_offer_alone(
    routing_on, attendant, attendant2, available, person, open_ticket
):
    ticket = open_ticket(person)
    available(attendant)
    offer = Offer.objects.get(ticket=ticket)
    assert services.offer_expire(offer_id=offer.pk) is False  # not due yet
    services.offer_accept(offer_id=offer.pk, user=attendant)
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.offer_expire(offer_id=offer.pk) is False
    assert offers_of(ticket) == [("ana", "accepted")]


def test_expired_offer_moves_on_and_comes_back_only_when_everyone_let_it_expire(
    routing_on, attendant, attendant2, available, person, open_ticket, django_capture_on_commit_callbacks
):
    ticket = open_ticket(person)
    available(attendant)
    available(attendant2)
    for _ in range(3):
        Offer.objects.filter(state=Offer.State.PENDING).update(expires_at=timezone.now() - timedelta(seconds=1))
        pending = Offer.objects.get(state=Offer.State.PENDING)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.offer_expire(offer_id=pending.pk) is True
        assert services.offer_expire(offer_id=pending.pk) is False  # a second delivery changes nothing
    assert [name for name, _ in offers_of(ticket)] == ["ana", "bruno", "ana", "bruno"]


def test_a_ticket_taken_by_hand_withdraws_its_offer_and_the_late_accept_is_refused(
    routing_on, attendant, attendant2, available, person, open_ticket
):
    ticket = open_ticket(person)
    available(attendant)
    offer = Offer.objects.get(ticket=ticket)
    tickets_services.ticket_take_next(attendant=attendant2)
    with pytest.raises(errors.OfferRefused) as refused:
        services.offer_accept(offer_id=offer.pk, user=attendant)
    assert refused.value.message == "Este atendimento já foi assumido por outro atendente."
    ticket.refresh_from_db()
    assert ticket.attendant == attendant2


def test_going_away_returns_unanswered_tickets_in_their_original_order(
    routing_on, attendant, attendant2, person, other_person, open_ticket
):
    routing_on.ROUTING_ENABLED = False
    tickets = [open_ticket(person), open_ticket(other_person), open_ticket(person), open_ticket(other_person)]
    services.attendant_availability_set(user=attendant, available=True)
    for _ in tickets[:3]:
        tickets_services.ticket_take_next(attendant=attendant)
    tickets_services.ticket_message_create(ticket=tickets[1], user=attendant, body="Já respondi este.")
    tickets_services.ticket_take_next(attendant=attendant2)  # the fourth, someone else's

    services.attendant_availability_set(user=attendant, available=False)

    waiting = list(Ticket.objects.filter(status=Status.NAO_INICIADO).order_by("priority", "opened_at", "id"))
    assert [t.pk for t in waiting] == [tickets[0].pk, tickets[2].pk]
    assert all(t.attendant_id is None and t.taken_at is None for t in waiting)
    tickets[1].refresh_from_db()
    assert tickets[1].attendant == attendant  # answered: stays with them
    # The returned ones come first again, in their order, before anything opened later.
    later = open_ticket(other_person)
    assert tickets_services.ticket_take_next(attendant=attendant2).pk == tickets[0].pk
    assert tickets_services.ticket_take_next(attendant=attendant2).pk == tickets[2].pk
    assert tickets_services.ticket_take_next(attendant=attendant2).pk == later.pk


def test_logging_out_makes_the_attendant_away_and_withdraws_offers(
    routing_on, attendant, attendant_client, available, person, open_ticket
):
    ticket = open_ticket(person)
    available(attendant)
    assert offers_of(ticket) == [("ana", "pending")]
    assert attendant_client.post("/admin/logout/").status_code == 302
    assert AttendantState.objects.get(user=attendant).available is False
    assert offers_of(ticket) == [("ana", "withdrawn")]


def test_overdue_tickets_alert_once(settings, attendant, person, open_ticket, django_capture_on_commit_callbacks):
    settings.QUEUE_OVERDUE_SECONDS = 60
    old = open_ticket(person, now=timezone.now() - timedelta(minutes=5))
    open_ticket(person)  # recent: not overdue
    with django_capture_on_commit_callbacks(execute=True):
        assert services.overdue_alert_sweep() == [old.pk]
    assert services.overdue_alert_sweep() == []
    assert list(OverdueAlert.objects.values_list("ticket_id", flat=True)) == [old.pk]


def test_overdue_ticket_is_marked_in_the_queue(settings, attendant_client, person, open_ticket):
    settings.QUEUE_OVERDUE_SECONDS = 60
    open_ticket(person, now=timezone.now() - timedelta(minutes=5))
    open_ticket(person)
    page = attendant_client.get("/admin/tickets/ticket/").content.decode()
    assert page.count('class="queue-overdue"') == 1
    assert page.count("(atrasado)") == 1


def test_a_reply_or_a_read_mark_leaves_routing_alone_while_taking_the_ticket_wakes_it(
    routing_on, attendant, available, person, open_ticket, django_capture_on_commit_callbacks
):
    """Only a change of status, attendant or priority moves the queue, ends offers or frees capacity:
    at hundreds of messages a second a dispatch, an offer lookup and a place recomputation for every
    waiting page on each one would be most of the chat's cost (issue 16, point 6)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def routing_statements(action) -> list[str]:
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            action()
        return [q["sql"] for q in queries.captured_queries if "routing_" in q["sql"]]

    available(attendant, capacity=3)
    ticket = open_ticket(person)
    taking = routing_statements(lambda: tickets_services.ticket_take(ticket=ticket, attendant=attendant))
    assert any("routing_offer" in sql for sql in taking)  # its offer ends, and a dispatch follows

    def reply() -> None:
        current = Ticket.objects.select_related("requester").get(pk=ticket.pk)
        tickets_services.ticket_message_create(ticket=current, user=attendant, body="Resposta.")

    assert routing_statements(reply) == []
    reading = Ticket.objects.select_related("requester").get(pk=ticket.pk)
    tickets_services.ticket_message_create(ticket=reading, user=person.user, body="Pergunta.")
    reading = Ticket.objects.select_related("requester").get(pk=ticket.pk)
    assert routing_statements(lambda: tickets_services.ticket_mark_read(ticket=reading, user=attendant)) == []
