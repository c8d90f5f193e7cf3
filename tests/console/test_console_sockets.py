"""Issue 14 over the conversation socket (/ws/tickets/<n>/): internal notes reach attendant sockets only,
live and on resume; typing goes to the other side, never stored, at most once per 2 s per person; the
read marks ("Visto") go out when they move."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from tickets import consumers, services
from tickets.models import Message, Ticket

from ..realtime.conftest import frames_until, open_socket, session_cookie
from ..realtime.lines import line_kind, line_text

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "Nota só para a equipe: o cliente já recebeu o boleto."


@pytest.fixture(autouse=True)
def _layer(clean_layer):
    """The realtime tests' clean channel layer."""


@pytest.fixture
def clean_layer(transactional_db):
    from channels.layers import get_channel_layer

    async_to_sync(get_channel_layer().flush)()


async def frames_for(socket, seconds: float) -> list[dict]:
    """Whatever the socket hears within `seconds` (for what must not come)."""
    frames = []
    while not await socket.receive_nothing(timeout=seconds):
        frames.append(await socket.receive_json_from())
    return frames


def test_a_note_reaches_attendant_sockets_and_never_the_requesters_toolbar_or_chat(
    ticket, person, attendant, attendant2
):
    cookies = [session_cookie(user) for user in (person.user, attendant, attendant2)]

    async def scenario():
        requester_chat, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookies[0])
        toolbar, _ = await open_socket("/ws/toolbar/", cookies[0])
        holder, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookies[1])
        colleague, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookies[2])

        note = await sync_to_async(services.ticket_note_create)(ticket=ticket, user=attendant, body=NOTE)

        for chat in (holder, colleague):
            frames = await frames_until(chat, "ticket.message")
            assert frames[-1]["message"]["id"] == note.pk
            assert line_kind(frames[-1]["message"]) == ("attendant", "note")
            assert line_text(frames[-1]["message"]) == NOTE
            assert "staff_only" not in frames[-1]
        # Then a reply: the requester gets the reply and never the note before it.
        [reply] = await sync_to_async(services.ticket_message_create)(ticket=ticket, user=attendant, body="Olá!")
        frames = await frames_until(requester_chat, "ticket.message")
        assert [f["message"]["id"] for f in frames if f["type"] == "ticket.message"] == [reply.pk]
        assert NOTE not in str(frames)
        badge = await frames_until(toolbar, "person.badge")
        assert NOTE not in str(badge)
        for socket in (requester_chat, toolbar, holder, colleague):
            await socket.disconnect()

    async_to_sync(scenario)()


def test_a_note_alone_sends_nothing_to_the_requester(ticket, person, attendant):
    cookie = session_cookie(person.user)

    async def scenario():
        requester_chat, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie)
        toolbar, _ = await open_socket("/ws/toolbar/", cookie)
        await sync_to_async(services.ticket_note_create)(ticket=ticket, user=attendant, body=NOTE)
        heard = await frames_for(requester_chat, 1.0) + await frames_for(toolbar, 0.3)
        assert not [frame for frame in heard if frame["type"] in ("ticket.message", "person.badge", "person.tickets")]
        assert NOTE not in str(heard)
        await requester_chat.disconnect()
        await toolbar.disconnect()

    async_to_sync(scenario)()


def test_the_resume_replays_notes_to_attendants_only(ticket, person, attendant):
    services.ticket_message_create(ticket=ticket, user=attendant, body="Resposta antes.")
    note = services.ticket_note_create(ticket=Ticket.objects.get(pk=ticket.pk), user=attendant, body=NOTE)
    [after] = services.ticket_message_create(ticket=Ticket.objects.get(pk=ticket.pk), user=attendant, body="Depois.")

    async def replay(cookie):
        socket, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie, resume=None)
        await socket.send_json_to({"type": "resume", "last_id": 0})
        frames = await frames_until(socket, "resumed")
        await socket.disconnect()
        return [f["message"]["id"] for f in frames if f["type"] == "ticket.message"], frames

    staff_ids, _ = async_to_sync(replay)(session_cookie(attendant))
    requester_ids, frames = async_to_sync(replay)(session_cookie(person.user))
    assert note.pk in staff_ids and after.pk in staff_ids
    assert note.pk not in requester_ids and after.pk in requester_ids
    assert NOTE not in str(frames)


def test_a_note_committed_before_the_resume_is_not_held_for_the_requester(ticket, person, attendant):
    cookie = session_cookie(person.user)

    async def scenario():
        socket, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie, resume=None)
        note = await sync_to_async(services.ticket_note_create)(ticket=ticket, user=attendant, body=NOTE)
        [reply] = await sync_to_async(services.ticket_message_create)(ticket=ticket, user=attendant, body="Oi.")
        await socket.send_json_to({"type": "resume", "last_id": 0})
        frames = await frames_until(socket, "resumed")
        ids = [f["message"]["id"] for f in frames if f["type"] == "ticket.message"]
        assert reply.pk in ids and note.pk not in ids and NOTE not in str(frames)
        await socket.disconnect()

    async_to_sync(scenario)()


def test_typing_goes_to_the_other_side_with_the_name_and_is_never_stored(ticket, person, attendant, attendant2):
    services.ticket_take(ticket=ticket, attendant=attendant)
    cookies = [session_cookie(user) for user in (person.user, attendant, attendant2)]
    messages_before = Message.objects.count()

    async def scenario():
        requester, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookies[0])
        holder, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookies[1])
        colleague, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookies[2])

        await holder.send_json_to({"type": "typing"})
        frame = (await frames_until(requester, "ticket.typing"))[-1]
        assert frame == {"type": "ticket.typing", "side": "attendant", "name": "Ana Paula Schmitt"}
        # Attendants do not hear each other typing, nor themselves.
        assert await colleague.receive_nothing(timeout=0.5)
        assert await holder.receive_nothing(timeout=0.1)

        await requester.send_json_to({"type": "typing"})
        for socket in (holder, colleague):
            frame = (await frames_until(socket, "ticket.typing"))[-1]
            assert frame == {"type": "ticket.typing", "side": "requester", "name": "HAUANA ANDRADE NEGHERBON"}
        assert await requester.receive_nothing(timeout=0.3)
        for socket in (requester, holder, colleague):
            await socket.disconnect()

    async_to_sync(scenario)()
    assert Message.objects.count() == messages_before


def test_a_flood_of_typing_frames_gives_one_event_per_interval_per_person(ticket, person, attendant):
    cookies = [session_cookie(person.user), session_cookie(person.user), session_cookie(attendant)]

    async def scenario():
        first, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookies[0])
        second, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookies[1])
        staff, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookies[2])
        # Two tabs of the same person, ten frames each, within one interval.
        for _ in range(10):
            await first.send_json_to({"type": "typing"})
            await second.send_json_to({"type": "typing"})
        assert (await staff.receive_json_from())["type"] == "ticket.typing"
        assert await staff.receive_nothing(timeout=0.8)
        for socket in (first, second, staff):
            await socket.disconnect()

    async_to_sync(scenario)()


def test_typing_is_heard_again_after_the_interval(ticket, person, attendant, monkeypatch):
    monkeypatch.setattr(consumers, "TYPING_INTERVAL", 1)
    cookies = [session_cookie(person.user), session_cookie(attendant)]

    async def scenario():
        requester, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookies[0])
        staff, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookies[1])
        await requester.send_json_to({"type": "typing"})
        assert (await staff.receive_json_from())["type"] == "ticket.typing"
        # Wait for the condition (the interval passed), not a fixed time: resend until heard.
        heard = False
        for _ in range(40):
            await requester.send_json_to({"type": "typing"})
            if not await staff.receive_nothing(timeout=0.25):
                heard = (await staff.receive_json_from())["type"] == "ticket.typing"
                break
        assert heard
        for socket in (requester, staff):
            await socket.disconnect()

    async_to_sync(scenario)()


def test_the_read_marks_moving_reach_the_other_side_as_seen(ticket, person, attendant):
    cookies = [session_cookie(person.user), session_cookie(attendant)]

    async def scenario():
        requester, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookies[0])
        staff, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookies[1])
        [reply] = await sync_to_async(services.ticket_message_create)(ticket=ticket, user=attendant, body="Pronto.")
        await frames_until(requester, "ticket.message")
        # The requester's page shows it: the read frame moves the mark; the attendant hears "seen".
        await requester.send_json_to({"type": "read", "up_to": reply.pk})
        # (The reply itself moved the attendant's mark first: that "seen" is the other side's.)
        seen = {}
        while seen.get("side") != "requester":
            seen = (await frames_until(staff, "ticket.seen"))[-1]["seen"]
        fresh = await sync_to_async(Ticket.objects.get)(pk=ticket.pk)
        assert seen["side"] == "requester" and seen["read_id"] == reply.pk == fresh.requester_read_id
        assert fresh.requester_read_at is not None
        assert len(seen["at"]) == 5 and seen["at"][2] == ":"
        for socket in (requester, staff):
            await socket.disconnect()

    async_to_sync(scenario)()


def test_replying_counts_as_having_seen_the_other_sides_line(ticket, person, attendant):
    """The requester's opening is unread by the attendant until the reply: the reply moves the mark."""
    cookie = session_cookie(person.user)

    async def scenario():
        requester, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie)
        await sync_to_async(services.ticket_message_create)(ticket=ticket, user=attendant, body="Oi!")
        frames = await frames_until(requester, "ticket.seen")
        assert frames[-1]["seen"]["side"] == "attendant"
        await requester.disconnect()

    async_to_sync(scenario)()
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.attendant_read_at is not None and fresh.attendant_read_id >= fresh.last_requester_message_id
