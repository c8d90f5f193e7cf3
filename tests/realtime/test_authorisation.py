"""Who may open which websocket: every refusal is close code 4403 with nothing sent first."""

import pytest
from asgiref.sync import async_to_sync

from tests.factories import UserFactory
from tickets import services

from .conftest import communicator, next_output, open_socket, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

ROUTES = ["/ws/toolbar/", "/ws/tickets/{number}/", "/ws/queue/"]


def assert_refused(path: str, cookie: str | None) -> None:
    async def scenario():
        socket = communicator(path, cookie)
        connected, _ = await socket.connect()
        assert connected, "accepted first so that the browser can read the close code"
        # The very next thing is the close: no hello, no data.
        assert await next_output(socket) == {"type": "websocket.close", "code": 4403}
        assert await socket.receive_nothing()

    async_to_sync(scenario)()


@pytest.mark.parametrize("route", ROUTES)
def test_anonymous_is_refused_on_every_route(route, ticket):
    """Threat: an anonymous visitor listens to someone's conversation, badge or the queue."""
    assert_refused(route.format(number=ticket.number), cookie=None)


@pytest.mark.parametrize("route", ROUTES)
def test_a_forged_session_cookie_is_refused(route, ticket):
    """Threat: a guessed or stale session id is taken for a logged-in user."""
    assert_refused(route.format(number=ticket.number), cookie="nao-existe-esta-sessao")


def test_another_person_of_the_same_entity_cannot_open_the_conversation(ticket, other_person):
    """Threat: a colleague in the same municipality reads a ticket that is not theirs (B5)."""
    assert_refused(f"/ws/tickets/{ticket.number}/", session_cookie(other_person.user))


def test_a_person_of_another_entity_cannot_open_the_conversation(ticket, foreign_person):
    """Threat: a staff member of another municipality reads this municipality's ticket (B5)."""
    assert_refused(f"/ws/tickets/{ticket.number}/", session_cookie(foreign_person.user))


def test_a_ticket_that_does_not_exist_is_refused_the_same_way(person):
    """Threat: probing ticket numbers tells which exist; the answer is the same 4403."""
    assert_refused("/ws/tickets/999999999/", session_cookie(person.user))


def test_a_person_is_not_an_attendant_and_cannot_watch_the_queue(person):
    """Threat: a municipal staff member watches every municipality's tickets arrive."""
    assert_refused("/ws/queue/", session_cookie(person.user))


def test_staff_without_the_attendant_permission_cannot_watch_the_queue(db):
    """Threat: any admin user (is_staff) without the attendants' permission sees the queue."""
    assert_refused("/ws/queue/", session_cookie(UserFactory(is_staff=True)))


@pytest.mark.parametrize("route", ["/ws/toolbar/", "/ws/tickets/{number}/"])
def test_an_entity_with_the_chat_off_gets_no_socket(route, person, ticket):
    """Threat: the chat keeps working for a municipality IPM has switched off (S2)."""
    person.entity.online_chat_enabled = False
    person.entity.save()
    assert_refused(route.format(number=ticket.number), session_cookie(person.user))


def test_a_user_without_a_person_has_no_toolbar(attendant):
    """An attendant is not a municipal person: there is no badge to show, so no toolbar socket."""
    assert_refused("/ws/toolbar/", session_cookie(attendant))


def test_a_user_without_a_person_in_a_chat_entity_has_no_conversation(ticket):
    """Threat: a plain user account (no person, no attendant permission) opens a ticket by number."""
    assert_refused(f"/ws/tickets/{ticket.number}/", session_cookie(UserFactory()))


@pytest.mark.parametrize("origin", [b"https://evil.example", b"http://testserver.evil.example", b"null", None], ids=str)
def test_a_foreign_origin_is_refused_before_the_consumer_runs(origin, person):
    """Threat: cross-site websocket hijacking: another site's page opens a socket with the victim's cookie."""
    cookie = session_cookie(person.user)

    async def scenario():
        socket = communicator("/ws/toolbar/", cookie, origin=origin)
        connected, _ = await socket.connect()
        assert not connected

    async_to_sync(scenario)()


def test_the_requester_the_attendants_and_the_person_are_let_in(ticket, person, attendant, attendant2):
    person_cookie, attendant_cookies = (
        session_cookie(person.user),
        [session_cookie(attendant), session_cookie(attendant2)],
    )

    async def scenario():
        requester, hello = await open_socket(f"/ws/tickets/{ticket.number}/", person_cookie)
        assert hello["ticket"]["id"] == ticket.number
        assert hello["ticket"]["status_display"] == "Atendimento Não Iniciado"
        # Any attendant may read any ticket: the queue is shared (S24).
        for cookie in attendant_cookies:
            socket, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie)
            await socket.disconnect()
        queue, hello = await open_socket("/ws/queue/", attendant_cookies[0])
        assert hello == {"type": "hello"}
        toolbar, hello = await open_socket("/ws/toolbar/", person_cookie)
        assert hello == {"type": "hello", "unread": 0}
        for socket in (requester, queue, toolbar):
            await socket.disconnect()

    async_to_sync(scenario)()


def test_the_hello_carries_the_logged_persons_own_unread_count(person, other_person, open_ticket, attendant):
    """The badge count in hello is the logged person's, not anybody else's."""
    theirs = open_ticket(other_person)
    services.ticket_message_create(ticket=theirs, user=attendant, body="Olá")
    mine_cookie, other_cookie = session_cookie(person.user), session_cookie(other_person.user)

    async def scenario():
        mine, hello = await open_socket("/ws/toolbar/", mine_cookie)
        assert hello["unread"] == 0
        other, hello = await open_socket("/ws/toolbar/", other_cookie)
        assert hello["unread"] == 1
        await mine.disconnect()
        await other.disconnect()

    async_to_sync(scenario)()
