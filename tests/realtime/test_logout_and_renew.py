"""Sockets end with the session (channels issue 1324) and before the layer forgets their groups."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer

from tickets import services

from .conftest import communicator, frames_until, logged_client, next_output, open_socket, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def test_logging_out_closes_every_socket_of_that_session(ticket, person, attendant):
    """Threat: after logging out on a shared municipal computer, open pages keep receiving the chat."""
    client, cookie = logged_client(person.user)
    attendant_client, attendant_cookie = logged_client(attendant)

    async def scenario():
        sockets = [
            (await open_socket("/ws/toolbar/", cookie))[0],
            (await open_socket(f"/ws/tickets/{ticket.number}/", cookie))[0],
        ]
        queue, _ = await open_socket("/ws/queue/", attendant_cookie)
        response = await sync_to_async(client.post)("/accounts/logout/")
        assert response.status_code == 302
        for socket in sockets:
            assert await next_output(socket) == {"type": "websocket.close", "code": 4401}
        # Someone else's socket stays.
        assert await queue.receive_nothing(timeout=0.3)
        response = await sync_to_async(attendant_client.post)("/accounts/logout/")
        assert await next_output(queue) == {"type": "websocket.close", "code": 4401}

    async_to_sync(scenario)()


def test_logging_out_on_one_device_leaves_the_users_other_session_connected(ticket, person, attendant):
    phone, phone_cookie = logged_client(person.user)
    desktop_cookie = session_cookie(person.user)

    async def scenario():
        on_phone, _ = await open_socket(f"/ws/tickets/{ticket.number}/", phone_cookie)
        on_desktop, _ = await open_socket(f"/ws/tickets/{ticket.number}/", desktop_cookie)
        await sync_to_async(phone.post)("/accounts/logout/")
        assert await next_output(on_phone) == {"type": "websocket.close", "code": 4401}
        [reply] = await sync_to_async(services.ticket_message_create)(ticket=ticket, user=attendant, body="Oi")
        assert (await frames_until(on_desktop, "ticket.message"))[-1]["message"]["id"] == reply.pk
        await on_desktop.disconnect()

    async_to_sync(scenario)()


def test_a_logged_out_session_cannot_reconnect(person):
    client, cookie = logged_client(person.user)
    client.post("/accounts/logout/")

    async def scenario():
        socket = communicator("/ws/toolbar/", cookie)
        await socket.connect()
        assert await next_output(socket) == {"type": "websocket.close", "code": 4403}

    async_to_sync(scenario)()


def test_a_socket_renews_itself_before_the_layer_would_drop_it_from_its_groups(settings, person):
    """A socket older than group_expiry would stay open and hear nothing; it closes first (4000) to resume."""
    layers = {**settings.CHANNEL_LAYERS}
    layers["default"] = {**layers["default"], "CONFIG": {**layers["default"]["CONFIG"], "group_expiry": 2}}
    settings.CHANNEL_LAYERS = layers
    assert get_channel_layer().group_expiry == 2
    cookie = session_cookie(person.user)

    async def scenario():
        toolbar, _ = await open_socket("/ws/toolbar/", cookie)
        assert await next_output(toolbar, wait=3) == {"type": "websocket.close", "code": 4000}

    async_to_sync(scenario)()
