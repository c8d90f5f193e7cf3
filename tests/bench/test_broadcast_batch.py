"""The broadcasts of one transaction leave together after the commit (the bench's fix for throughput, issue 9).

tickets.realtime collects the events of a transaction and sends them in one trip to the event loop.
These tests pin what must not change with it: order within a group, savepoints, nothing before
the commit, and one announcement per ticket change.
"""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from tickets import realtime, services

from ..realtime.conftest import frames_until, open_socket, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


class Rollback(Exception):
    pass


@pytest.fixture(autouse=True)
def clean_layer(transactional_db):
    async_to_sync(get_channel_layer().flush)()


def test_a_rolled_back_savepoint_drops_only_its_own_events(person, other_person, attendant, open_ticket):
    """Events published inside a savepoint that rolls back are never sent; the rest of the transaction's are."""
    kept, dropped = open_ticket(person), open_ticket(other_person)
    cookie = session_cookie(attendant)

    def publish_with_a_failed_savepoint() -> None:
        with transaction.atomic():
            realtime.publish_ticket_changed(kept)
            try:
                with transaction.atomic():
                    realtime.publish_ticket_changed(dropped)
                    raise Rollback
            except Rollback:
                pass
            realtime.publish_status(kept)

    async def scenario():
        queue, _ = await open_socket("/ws/queue/", cookie)
        await sync_to_async(publish_with_a_failed_savepoint)()
        assert await queue.receive_json_from() == {"type": "queue.changed", "ticket": kept.number}
        assert await queue.receive_nothing(timeout=0.5)
        await queue.disconnect()

    async_to_sync(scenario)()


def test_events_of_a_released_savepoint_are_sent_after_the_outer_commit(person, attendant, open_ticket):
    ticket = open_ticket(person)
    cookie = session_cookie(attendant)
    heard_before_commit = []

    async def scenario():
        queue, _ = await open_socket("/ws/queue/", cookie)

        def publish_nested() -> None:
            with transaction.atomic():
                with transaction.atomic():
                    realtime.publish_ticket_changed(ticket)
                heard_before_commit.append(async_to_sync(queue.receive_nothing)(timeout=0.3))

        await sync_to_async(publish_nested)()
        assert heard_before_commit == [True]  # nothing while the transaction was open
        assert await queue.receive_json_from() == {"type": "queue.changed", "ticket": ticket.number}
        assert await queue.receive_nothing(timeout=0.3)
        await queue.disconnect()

    async_to_sync(scenario)()


def test_a_reply_that_takes_the_ticket_announces_it_once_and_keeps_the_conversation_in_order(ticket, person, attendant):
    """Taking by replying used to announce the ticket twice; now once, after the status and the message."""
    cookies = {"person": session_cookie(person.user), "attendant": session_cookie(attendant)}

    async def scenario():
        queue, _ = await open_socket("/ws/queue/", cookies["attendant"])
        chat, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookies["person"])
        toolbar, _ = await open_socket("/ws/toolbar/", cookies["person"])
        [reply] = await sync_to_async(services.ticket_message_create)(ticket=ticket, user=attendant, body="Olá")

        assert await queue.receive_json_from() == {"type": "queue.changed", "ticket": ticket.number}
        assert await queue.receive_nothing(timeout=0.5)
        status, message = await chat.receive_json_from(), await chat.receive_json_from()
        assert (status["type"], status["ticket"]["status_display"]) == ("ticket.status", "Em Atendimento")
        assert (message["type"], message["message"]["id"]) == ("ticket.message", reply.pk)
        assert await chat.receive_nothing(timeout=0.1)
        frames = await frames_until(toolbar, "person.tickets")
        assert [frame["type"] for frame in frames] == ["person.badge", "person.tickets"]
        assert frames[0]["unread"] == 1
        assert await toolbar.receive_nothing(timeout=0.1)
        for socket in (queue, chat, toolbar):
            await socket.disconnect()

    async_to_sync(scenario)()
