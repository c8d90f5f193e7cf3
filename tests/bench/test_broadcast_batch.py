"""The broadcasts of one service call leave together after the commit (the bench's fix for throughput, issue 9).

tickets.realtime collects the events of a ``@realtime.batched`` service and sends them in one trip to
the event loop, with public transaction APIs only (issue 16, point 9). These tests pin what must not
change with it: order within a group, savepoints, nothing before the commit, one announcement per
ticket change, and the work after the commit coming after the events.
"""

import re
from pathlib import Path

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


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "one-by-one"])
def test_a_rolled_back_savepoint_drops_only_its_own_events(person, other_person, attendant, open_ticket, batched):
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

    if batched:
        publish_with_a_failed_savepoint = realtime.batched(publish_with_a_failed_savepoint)

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
        # The reply passed the requester's opening: "seen" by the attendant (issue 14), after the line.
        seen = await chat.receive_json_from()
        assert (seen["type"], seen["seen"]["side"]) == ("ticket.seen", "attendant")
        assert await chat.receive_nothing(timeout=0.1)
        frames = await frames_until(toolbar, "person.tickets")
        assert [frame["type"] for frame in frames] == ["person.badge", "person.tickets"]
        assert frames[0]["unread"] == 1
        assert await toolbar.receive_nothing(timeout=0.1)
        for socket in (queue, chat, toolbar):
            await socket.disconnect()

    async_to_sync(scenario)()


def test_a_service_rolled_back_inside_another_sends_nothing_of_its_own(person, attendant, attendant2, open_ticket):
    """offer_accept runs ticket_take in a savepoint: a ticket_take refused (someone else has it) sends
    nothing, while the outer service's own events, committed, go out."""
    ticket = open_ticket(person)
    services.ticket_take(ticket=ticket, attendant=attendant2)
    cookie, person_cookie = session_cookie(attendant), session_cookie(person.user)

    @realtime.batched
    def take_in_a_savepoint_then_publish() -> None:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    realtime.publish_badge(person.pk)  # sent by nobody: rolled back with the refused take
                    services.ticket_take(ticket=ticket, attendant=attendant)
            except Exception:  # noqa: S110 (the refusal is the point)
                pass
            realtime.publish_ticket_changed(ticket)

    async def scenario():
        queue, _ = await open_socket("/ws/queue/", cookie)
        toolbar, _ = await open_socket("/ws/toolbar/", person_cookie)
        await sync_to_async(take_in_a_savepoint_then_publish)()
        assert await queue.receive_json_from() == {"type": "queue.changed", "ticket": ticket.number}
        frames = await frames_until(toolbar, "person.tickets")
        assert [frame["type"] for frame in frames] == ["person.tickets"]
        assert await queue.receive_nothing(timeout=0.3)
        assert await toolbar.receive_nothing(timeout=0.3)
        for socket in (queue, toolbar):
            await socket.disconnect()

    async_to_sync(scenario)()


def test_a_batched_reply_goes_out_in_one_loop_trip_and_the_work_after_it_follows(
    monkeypatch, ticket, attendant, settings
):
    """One async_to_sync for every event of a reply; the routing work queued after the commit runs after them."""
    settings.ROUTING_ENABLED = True
    journal: list[str] = []
    send_all = realtime._send_all

    def recording_send_all(events):
        journal.append("send " + " ".join(sorted(event["type"] for _group, event in events)))
        send_all(events)

    monkeypatch.setattr(realtime, "_send_all", recording_send_all)
    from routing import services as routing_services

    dispatch = routing_services._dispatch_after_commit
    monkeypatch.setattr(routing_services, "_dispatch_after_commit", lambda: journal.append("dispatch") or dispatch())

    services.ticket_message_create(ticket=ticket, user=attendant, body="Olá")

    # The reply takes the ticket (status, queue, places) and passes the opening ("seen" by the attendant).
    assert journal[0] == (
        "send person.badge person.tickets queue.changed routing.queue ticket.message ticket.seen ticket.status"
    )
    # Once per batch however many changes asked for it, after the events; its own events (none here) after it.
    assert journal.count("dispatch") == 1 and journal.index("dispatch") > 0


def test_a_batched_service_inside_an_outer_transaction_waits_for_the_outer_commit(
    monkeypatch, person, attendant, open_ticket
):
    ticket = open_ticket(person)
    journal: list[str] = []
    send_all = realtime._send_all

    def recording_send_all(events):
        journal.extend(group for group, _event in events)
        send_all(events)

    monkeypatch.setattr(realtime, "_send_all", recording_send_all)
    with transaction.atomic():
        services.ticket_take(ticket=ticket, attendant=attendant)
        journal.append("outer still open")
    journal.append("outer committed")

    assert journal.index("outer still open") < journal.index(f"ticket.{ticket.pk}") < journal.index("outer committed")


PRIVATE_STATE = re.compile(
    r"\b(run_on_commit|savepoint_ids|savepoint_state|in_atomic_block|run_commit_hooks_on_set_autocommit_on)\b"
)


def test_no_code_reads_djangos_private_transaction_state():
    """A Django upgrade may change these at will (they are not documented): only on_commit and atomic are used."""
    root = Path(__file__).resolve().parents[2]
    sources = [
        path
        for path in root.rglob("*.py")
        if not {".venv", "tests", "var", "node_modules"} & set(path.relative_to(root).parts)
    ]
    assert len(sources) > 50
    assert [str(path.relative_to(root)) for path in sources if PRIVATE_STATE.search(path.read_text())] == []
