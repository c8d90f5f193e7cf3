"""The attendants' console, part A (issue 14): whose ticket, take-over and the request for a transfer, the
transfer with a hand-off note, the safe final steps, presence. Refusals: a clear message, the status code it
deserves, nothing saved."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from routing import services as routing_services
from routing.models import AttendantState
from tests.conftest import login
from tests.factories import AttendantFactory, UserFactory
from tickets import errors, services
from tickets.admin.forms import STATUS_REQUIRED
from tickets.models import Handoff, Message, Status, Ticket, TranscriptOutbox

pytestmark = pytest.mark.django_db


def url(name: str, ticket: Ticket) -> str:
    return reverse(f"admin:tickets_ticket_{name}", args=[ticket.pk])


def shown(response) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in get_messages(response.wsgi_request)]


def snapshot(ticket: Ticket) -> dict:
    fresh = Ticket.objects.get(pk=ticket.pk)
    return {field.attname: getattr(fresh, field.attname) for field in Ticket._meta.concrete_fields}


@pytest.fixture
def available(django_capture_on_commit_callbacks):
    def _make(user):
        with django_capture_on_commit_callbacks(execute=True):
            routing_services.attendant_availability_set(user=user, available=True)

    return _make


@pytest.fixture
def held(ticket, attendant2):
    """The ticket, taken by Bruno."""
    services.ticket_take(ticket=ticket, attendant=attendant2)
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def supervisor(db):
    user = AttendantFactory(username="sara", first_name="Sara", last_name="Supervisora")
    user.user_permissions.add(Permission.objects.get(codename="take_over_ticket"))
    return user


# --- point 9: whose ticket ---------------------------------------------------------------------


def test_a_colleagues_ticket_says_who_holds_it_and_offers_to_request_the_transfer(attendant_client, held):
    page = attendant_client.get(url("change", held)).content.decode()
    assert "Este atendimento está com Bruno Kowalski." in page
    assert 'id="request-transfer"' in page and "Solicitar transferência" in page
    assert 'id="take-over"' not in page and 'id="message-form"' not in page


def test_with_the_permission_the_page_offers_assumir_and_taking_over_tells_the_previous_holder(
    supervisor, held, attendant2
):
    client = login(Client(), supervisor)
    page = client.get(url("change", held)).content.decode()
    assert 'id="take-over"' in page and 'id="request-transfer"' not in page

    response = client.post(url("take_over", held))

    assert response.status_code == 302 and response.url == url("change", held)
    held.refresh_from_db()
    assert held.attendant == supervisor and held.status == Status.EM_ATENDIMENTO
    line = held.messages.order_by("id").last()
    assert line.body == "Atendimento transferido de Bruno Kowalski para Sara Supervisora"
    told = Handoff.objects.get(ticket=held)
    assert (told.kind, told.by, told.to) == (Handoff.Kind.TAKE_OVER, supervisor, attendant2)


def test_a_take_over_without_the_permission_is_refused_with_403_and_nothing_saved(attendant_client, held):
    before = snapshot(held)
    response = attendant_client.post(url("take_over", held))
    assert response.status_code == 403
    assert shown(response) == [("error", errors.TAKE_OVER_NOT_ALLOWED.format(name="Bruno Kowalski"))]
    assert snapshot(held) == before and not Handoff.objects.exists()


def test_requesting_the_transfer_tells_the_holder_once_on_their_bar(attendant_client, attendant, attendant2, held):
    response = attendant_client.post(url("request_transfer", held))
    assert response.status_code == 302
    request = Handoff.objects.get()
    assert (request.kind, request.by, request.to, request.seen_at) == (
        Handoff.Kind.REQUEST,
        attendant,
        attendant2,
        None,
    )

    again = attendant_client.post(url("request_transfer", held))
    assert again.status_code == 400 and Handoff.objects.count() == 1

    bruno = login(Client(), attendant2)
    bar = bruno.get(reverse("admin:routing_bar")).content.decode()
    assert f"Ana Paula Schmitt pede a transferência do atendimento {held.pk}." in bar
    # Opening the ticket is seeing the request: it leaves the bar.
    bruno.get(url("change", held))
    assert "pede a transferência" not in bruno.get(reverse("admin:routing_bar")).content.decode()


def test_only_the_holders_reading_marks_the_requesters_messages_read(
    attendant, attendant2, held, person, django_capture_on_commit_callbacks
):
    services.ticket_message_create(ticket=held, user=person.user, body="Alguém aí?")
    held.refresh_from_db()
    assert held.unread_for_attendant

    # Another attendant's page (GET) and socket ("read" frame, the same service) leave it unread for Bruno.
    login(Client(), attendant).get(url("change", held))
    services.ticket_mark_read(ticket=Ticket.objects.get(pk=held.pk), user=attendant, up_to=10**9)
    assert Ticket.objects.get(pk=held.pk).unread_for_attendant

    services.ticket_mark_read(ticket=Ticket.objects.get(pk=held.pk), user=attendant2)
    assert not Ticket.objects.get(pk=held.pk).unread_for_attendant


# --- point 8: transfer with a hand-off note ------------------------------------------------------


def test_a_transfer_carries_a_note_for_attendants_only(
    attendant_client, attendant, attendant2, ticket, person, available, person_client
):
    services.ticket_take(ticket=ticket, attendant=attendant)
    available(attendant2)

    response = attendant_client.post(
        url("transfer", ticket), {"to": attendant2.pk, "note": "Já pedi o XML; falta conferir a série."}
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.attendant == attendant2
    handoff = Handoff.objects.get()
    assert (handoff.kind, handoff.to, handoff.note) == (
        Handoff.Kind.TRANSFER,
        attendant2,
        "Já pedi o XML; falta conferir a série.",
    )
    # The requester reads the system line, never the note.
    assert "Já pedi o XML" not in person_client.get(reverse("chat-ticket", args=[ticket.pk])).content.decode()
    assert not Message.objects.filter(body__contains="Já pedi o XML").exists()
    # The receiver: on their bar until they open the ticket, and on the conversation page.
    bruno = login(Client(), attendant2)
    bar = bruno.get(reverse("admin:routing_bar")).content.decode()
    assert f"Ana Paula Schmitt transferiu o atendimento {ticket.pk} para você." in bar and "Já pedi o XML" in bar
    page = bruno.get(url("change", ticket)).content.decode()
    assert "Nota de transferência" in page and "Já pedi o XML; falta conferir a série." in page
    assert Handoff.objects.get().seen_at is not None


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("", errors.HANDOFF_NOTE_EMPTY),
        ("   \u200b ", errors.HANDOFF_NOTE_EMPTY),
        ("x" * 1001, errors.HANDOFF_NOTE_TOO_LONG.format(limit=1000)),
        ("<b>urgente</b>", errors.HANDOFF_NOTE_MARKUP),
        ("veja <script>alert(1)</script>", errors.HANDOFF_NOTE_MARKUP),
    ],
)
def test_a_bad_hand_off_note_is_refused_and_kept_in_the_form(
    attendant_client, attendant, attendant2, ticket, available, note, message
):
    services.ticket_take(ticket=ticket, attendant=attendant)
    available(attendant2)
    before = snapshot(ticket)

    response = attendant_client.post(url("transfer", ticket), {"to": attendant2.pk, "note": note})

    assert response.status_code == 400
    assert shown(response) == [("error", message)]
    assert snapshot(ticket) == before and not Handoff.objects.exists()


def test_a_transfer_to_an_absent_attendant_is_refused(attendant_client, attendant, attendant2, ticket):
    services.ticket_take(ticket=ticket, attendant=attendant)
    before = snapshot(ticket)

    response = attendant_client.post(url("transfer", ticket), {"to": attendant2.pk, "note": "Segue com você."})

    assert response.status_code == 400
    assert shown(response) == [("error", errors.TRANSFER_TO_ABSENT.format(name="Bruno Kowalski"))]
    assert snapshot(ticket) == before and not Handoff.objects.exists()
    assert "Segue com você." in response.content.decode()  # the note typed is kept


def test_a_transfer_to_a_non_attendant_is_refused(attendant_client, attendant, ticket, person):
    services.ticket_take(ticket=ticket, attendant=attendant)
    staff = UserFactory(username="carla", first_name="Carla", is_staff=True)
    AttendantState.objects.create(user=staff, available=True)
    before = snapshot(ticket)
    for target in (person.user, staff):
        response = attendant_client.post(url("transfer", ticket), {"to": target.pk, "note": "Com você."})
        assert response.status_code == 400
        (level, text), *_ = shown(response)
        assert level == "error" and text.endswith("não é um atendente.")
    assert snapshot(ticket) == before and not Handoff.objects.exists()


def test_the_transfer_list_says_who_is_available(attendant_client, attendant, attendant2, ticket, available):
    services.ticket_take(ticket=ticket, attendant=attendant)
    carla = AttendantFactory(username="carla", first_name="Carla", last_name="Souza")
    available(attendant2)
    page = attendant_client.get(url("change", ticket)).content.decode()
    assert f'<option value="{attendant2.pk}">Bruno Kowalski — Disponível</option>' in page
    assert f'<option value="{carla.pk}" disabled>Carla Souza — Ausente</option>' in page


# --- point 10: safe final steps ------------------------------------------------------------------


def test_alterar_situacao_starts_with_no_status_and_none_chosen_is_refused(attendant_client, attendant, ticket):
    services.ticket_take(ticket=ticket, attendant=attendant)
    page = attendant_client.get(url("change", ticket)).content.decode()
    assert '<option value="" selected>Escolha a nova situação</option>' in page
    before = snapshot(ticket)

    response = attendant_client.post(url("status", ticket), {"status": ""})

    assert response.status_code == 400 and shown(response) == [("error", STATUS_REQUIRED)]
    assert snapshot(ticket) == before


def test_concluding_asks_first_and_says_the_transcript_goes_to_the_requester(attendant_client, attendant, ticket):
    services.ticket_take(ticket=ticket, attendant=attendant)
    before = snapshot(ticket)

    asked = attendant_client.post(url("status", ticket), {"status": Status.CONCLUIDO})

    assert asked.status_code == 200
    page = asked.content.decode()
    assert "A transcrição da conversa será enviada por e-mail ao solicitante, HAUANA ANDRADE NEGHERBON." in page
    assert 'name="confirmed"' in page
    assert snapshot(ticket) == before and not TranscriptOutbox.objects.exists()

    done = attendant_client.post(url("status", ticket), {"status": Status.CONCLUIDO, "confirmed": "on"})

    assert done.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CONCLUIDO
    assert TranscriptOutbox.objects.filter(ticket=ticket).exists()


def test_the_confirmation_is_not_shown_to_who_may_not_conclude(attendant_client, held):
    response = attendant_client.post(url("status", held), {"status": Status.CONCLUIDO})
    assert response.status_code == 403
    assert "transcrição" not in response.content.decode().split('id="content-main"')[0]


# --- point 7: presence ---------------------------------------------------------------------------


def test_the_queue_summary_counts_the_available_attendants(attendant_client, attendant, attendant2, available):
    available(attendant2)
    page = attendant_client.get(reverse("admin:tickets_ticket_changelist")).content.decode()
    assert '<dd data-summary="available" class="queue-presence">1</dd>' in page


def test_an_idle_attendant_becomes_ausente_and_an_active_one_stays(settings, attendant, attendant2, available):
    from datetime import timedelta

    from django.utils import timezone

    settings.ATTENDANT_IDLE_SECONDS = 600
    available(attendant)
    available(attendant2)
    now = timezone.now()
    routing_services.attendant_activity_record(user_id=attendant.pk, now=now - timedelta(minutes=11))
    routing_services.attendant_activity_record(user_id=attendant2.pk, now=now - timedelta(minutes=9))

    assert routing_services.attendants_idle_away(now=now) == [attendant.pk]

    assert AttendantState.objects.get(user=attendant).available is False
    assert AttendantState.objects.get(user=attendant2).available is True


def test_closing_the_last_tab_makes_the_attendant_ausente(attendant, available):
    available(attendant)
    routing_services.attendant_socket_opened(user_id=attendant.pk)
    routing_services.attendant_socket_opened(user_id=attendant.pk)
    assert routing_services.attendant_socket_closed(user_id=attendant.pk) == 1
    assert routing_services.attendant_away_if_gone(user=attendant) is False
    assert routing_services.attendant_socket_closed(user_id=attendant.pk) == 0
    assert routing_services.attendant_away_if_gone(user=attendant) is True
    assert AttendantState.objects.get(user=attendant).available is False


def test_the_conversation_costs_the_same_with_one_hand_off_or_many(attendant, attendant2, ticket, available):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.ticket_take(ticket=ticket, attendant=attendant)
    available(attendant)
    available(attendant2)
    client = login(Client(), attendant)

    def cost() -> int:
        client.get(url("change", ticket))  # the first view marks what is unseen
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("change", ticket)).status_code == 200
        return len(queries)

    services.ticket_transfer(ticket=ticket, attendant=attendant, to=attendant2, note="Primeira.")
    services.ticket_transfer(ticket=Ticket.objects.get(pk=ticket.pk), attendant=attendant2, to=attendant, note="Volta.")
    one_round = cost()
    for index in range(10):
        services.ticket_transfer(ticket=ticket, attendant=attendant, to=attendant2, note=f"Ida {index}.")
        services.ticket_transfer(ticket=ticket, attendant=attendant2, to=attendant, note=f"Volta {index}.")
    assert cost() == one_round
