"""Routing's sockets: a waiting requester hears their place change, throttled; an attendant hears offers
and overdue tickets; each socket only what it should (nothing typed by anyone travels on them)."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.utils import timezone

from routing import services
from tests.realtime.conftest import clean_layer, frames_until, open_socket, session_cookie  # noqa: F401
from tickets import services as tickets_services

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_waiting_requester_hears_their_place_move_when_the_ticket_ahead_is_taken(
    settings, person, other_person, attendant, open_ticket
):
    settings.ROUTING_POSITION_THROTTLE = 0.2
    ahead = open_ticket(other_person)
    mine = open_ticket(person)
    cookie = session_cookie(person.user)

    async def scenario():
        socket, hello = await open_socket("/ws/espera/", cookie, resume=None)
        [item] = hello["tickets"]
        assert (item["number"], item["position"], item["text"]) == (mine.pk, 2, "Você é o 2º da fila")
        assert item["estimate"] == f"previsão: cerca de {item['minutes']} min"
        await sync_to_async(tickets_services.ticket_take)(ticket=ahead, attendant=attendant)
        frames = await frames_until(socket, "routing.position")
        assert [(t["number"], t["position"], t["text"]) for t in frames[-1]["tickets"]] == [
            (mine.pk, 1, "Você é o 1º da fila")
        ]
        await sync_to_async(tickets_services.ticket_take)(ticket=mine, attendant=attendant)
        frames = await frames_until(socket, "routing.position")
        assert frames[-1]["tickets"] == []  # taken: nothing to show
        await socket.disconnect()

    async_to_sync(scenario)()


def test_an_attendant_hears_offers_and_overdue_tickets_and_a_requester_cannot_listen(
    settings, person, attendant, open_ticket
):
    settings.ROUTING_ENABLED = True
    settings.QUEUE_OVERDUE_SECONDS = 60
    old = open_ticket(person, now=timezone.now() - timedelta(minutes=10))
    requester_cookie, attendant_cookie = session_cookie(person.user), session_cookie(attendant)

    async def scenario():
        refused, _ = await open_socket_refused("/ws/roteamento/", requester_cookie)
        assert refused
        bar, _ = await open_socket("/ws/roteamento/", attendant_cookie, resume=None)
        await sync_to_async(services.attendant_availability_set)(user=attendant, available=True)
        frames = await frames_until(bar, "routing.offer")
        assert frames[-1]["ticket"] == old.pk
        await sync_to_async(services.overdue_alert_sweep)()
        frames = await frames_until(bar, "routing.overdue")
        assert frames[-1]["tickets"] == [old.pk]
        await bar.disconnect()

    async_to_sync(scenario)()


async def open_socket_refused(path: str, cookie: str):
    from tests.realtime.conftest import communicator, next_output

    socket = communicator(path, cookie)
    connected, _ = await socket.connect()
    closed = await next_output(socket)
    return connected and closed == {"type": "websocket.close", "code": 4403}, socket
