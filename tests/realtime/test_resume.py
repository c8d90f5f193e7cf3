"""Nothing lost (B2): a client that comes back gets what it missed from the database, in order, once."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from tickets import consumers, services

from .conftest import frames_until, open_socket, session_cookie
from .lines import line_text

pytestmark = pytest.mark.django_db(transaction=True)


def post_fifty(ticket, person, attendant) -> list[int]:
    """Both sides write, 25 each (each stays under the per-minute rate limit)."""
    ids = []
    for n in range(50):
        user = attendant if n % 2 else person.user
        ids += [m.pk for m in services.ticket_message_create(ticket=ticket, user=user, body=f"mensagem {n}")]
    return ids


@pytest.mark.parametrize("batch", [consumers.REPLAY_BATCH, 7], ids=["one-batch", "batches-of-7"])
def test_a_client_that_reconnects_with_its_last_id_gets_exactly_the_50_it_missed_in_order(
    batch, monkeypatch, ticket, person, attendant
):
    monkeypatch.setattr(consumers, "REPLAY_BATCH", batch)
    cookie = session_cookie(person.user)

    async def scenario():
        chat, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie, resume=None)
        await chat.send_json_to({"type": "resume", "last_id": 0})
        first = await frames_until(chat, "resumed")
        last_shown = first[-1]["last_id"]
        assert [line_text(f["message"]) for f in first if f["type"] == "ticket.message"] == [
            "Boa tarde, podem por favor me auxiliar?"
        ]
        await chat.disconnect()

        missed = await sync_to_async(post_fifty)(ticket, person, attendant)

        chat, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie, resume=None)
        await chat.send_json_to({"type": "resume", "last_id": last_shown})
        frames = await frames_until(chat, "resumed")
        replayed = [f["message"] for f in frames if f["type"] == "ticket.message"]
        assert [m["id"] for m in replayed] == missed
        assert [line_text(m) for m in replayed] == [f"mensagem {n}" for n in range(50)]
        # After the messages, the current status, then the end marker; and nothing more: no message twice.
        status = frames[-2]
        assert status["type"] == "ticket.status"
        assert status["ticket"]["status_display"] == "Em Atendimento"
        assert frames[-1] == {"type": "resumed", "last_id": missed[-1], "count": 50, "more": False}
        assert len(frames) == 52
        assert await chat.receive_nothing(timeout=0.5)
        await chat.disconnect()

    async_to_sync(scenario)()


def test_a_message_arriving_before_the_resume_is_held_and_sent_once_in_order(ticket, person, attendant):
    """The race of the reconnect: an event arrives between hello and resume. It is held, not sent before
    the replay: a client cut off in between would otherwise resume above older messages it never got."""
    cookie = session_cookie(person.user)
    last_shown = ticket.messages.get().pk

    async def scenario():
        chat, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie, resume=None)
        [older] = await sync_to_async(services.ticket_message_create)(ticket=ticket, user=attendant, body="Oi")
        [reply] = await sync_to_async(services.ticket_message_create)(ticket=ticket, user=attendant, body="Tudo bem?")
        await chat.send_json_to({"type": "resume", "last_id": last_shown})
        frames = await frames_until(chat, "resumed")
        # (Status events, which carry no id, pass at once: the reply moved the ticket along.)
        assert [f["message"]["id"] for f in frames if f["type"] == "ticket.message"] == [older.pk, reply.pk]
        assert frames[-1] == {"type": "resumed", "last_id": reply.pk, "count": 2, "more": False}
        # Later, a live event the replay already covered is dropped; a newer one passes.
        [newer] = await sync_to_async(services.ticket_message_create)(ticket=ticket, user=attendant, body="Ainda aí?")
        frames = await frames_until(chat, "ticket.message")
        assert [f["message"]["id"] for f in frames if f["type"] == "ticket.message"] == [newer.pk]
        await chat.disconnect()

    async_to_sync(scenario)()


def test_a_live_message_racing_the_resume_comes_exactly_once(ticket, person, attendant):
    """Whichever the consumer handles first, the live event or the resume, each id is sent once."""
    cookie = session_cookie(person.user)
    services.ticket_message_create(ticket=ticket, user=attendant, body="antes")
    expected = list(ticket.messages.values_list("pk", flat=True))

    async def scenario():
        chat, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie, resume=None)
        [during] = await sync_to_async(services.ticket_message_create)(ticket=ticket, user=attendant, body="durante")
        await chat.send_json_to({"type": "resume", "last_id": 0})
        frames = await frames_until(chat, "resumed")
        assert await chat.receive_nothing(timeout=0.5)
        ids = [f["message"]["id"] for f in frames if f["type"] == "ticket.message"]
        assert ids == [*expected, during.pk]
        await chat.disconnect()

    async_to_sync(scenario)()


def test_the_toolbar_resume_sets_the_badge_from_the_servers_count(ticket, person, attendant):
    cookie = session_cookie(person.user)
    services.ticket_message_create(ticket=ticket, user=attendant, body="Pode verificar?")

    async def scenario():
        toolbar, hello = await open_socket("/ws/toolbar/", cookie, resume=None)
        assert hello == {"type": "hello", "unread": 1}
        await toolbar.send_json_to({"type": "resume", "last_id": 0})
        assert await toolbar.receive_json_from() == {"type": "person.badge", "unread": 1}
        assert await toolbar.receive_json_from() == {"type": "resumed", "last_id": 0, "count": 0, "more": False}
        await toolbar.disconnect()

    async_to_sync(scenario)()
