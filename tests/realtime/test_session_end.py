"""Every way a session or an access ends closes the affected sockets within seconds (issue 15, points 4 and 5)."""

import ast
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.contrib.auth.models import Group, User

from people.models import Contact, Entity
from tests.factories import PersonFactory
from tickets.permissions import ATTENDANTS_GROUP

from .conftest import communicator, logged_client, next_output, open_socket, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

SESSION_ENDED = {"type": "websocket.close", "code": 4401}
FORBIDDEN = {"type": "websocket.close", "code": 4403}


def test_logging_out_of_the_admin_closes_the_attendants_sockets(ticket, attendant):
    """Threat: an attendant leaves the admin on a shared computer; the queue and conversations keep streaming."""
    client, cookie = logged_client(attendant)

    async def scenario():
        queue, _ = await open_socket("/ws/queue/", cookie)
        conversation, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie)
        response = await sync_to_async(client.post)("/admin/logout/")
        assert response.status_code == 302
        assert await next_output(queue) == SESSION_ENDED
        assert await next_output(conversation) == SESSION_ENDED

    async_to_sync(scenario)()


def test_a_password_change_closes_the_sockets_of_the_users_other_sessions(person):
    """Threat: a stolen session stays connected after its owner changed the password."""
    stolen = session_cookie(person.user)

    async def scenario():
        socket, _ = await open_socket("/ws/toolbar/", stolen)

        def change_password():
            person.user.set_password("uma-senha-nova-e-longa")
            person.user.save()

        await sync_to_async(change_password)()
        assert await next_output(socket) == SESSION_ENDED
        # And the old session cannot come back.
        again = communicator("/ws/toolbar/", stolen)
        await again.connect()
        assert await next_output(again) == FORBIDDEN

    async_to_sync(scenario)()


def test_a_deactivated_user_is_disconnected(ticket, person):
    """Threat: a dismissed staff member's open page keeps receiving the chat."""
    cookie = session_cookie(person.user)

    async def scenario():
        socket, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie)
        person.user.is_active = False
        await sync_to_async(person.user.save)()
        assert await next_output(socket) == SESSION_ENDED

    async_to_sync(scenario)()


@pytest.mark.parametrize("how", ["user.groups.remove", "group.user_set.remove", "user.groups.clear"])
def test_an_attendant_removed_from_atendentes_loses_the_queue_at_once(how, attendant, ticket):
    """Threat: an attendant moved to another team keeps watching every municipality's tickets."""
    cookie = session_cookie(attendant)
    group = Group.objects.get(name=ATTENDANTS_GROUP)

    def remove():
        user = User.objects.get(pk=attendant.pk)
        {
            "user.groups.remove": lambda: user.groups.remove(group),
            "group.user_set.remove": lambda: group.user_set.remove(user),
            "user.groups.clear": lambda: user.groups.clear(),
        }[how]()

    async def scenario():
        queue, _ = await open_socket("/ws/queue/", cookie)
        conversation, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie)
        await sync_to_async(remove)()
        assert await next_output(queue) == FORBIDDEN
        assert await next_output(conversation) == FORBIDDEN

    async_to_sync(scenario)()


def test_switching_an_entitys_chat_off_closes_its_staffs_sockets_only(ticket, person, foreign_person, attendant):
    """Threat: IPM switches a municipality's chat off, yet its open pages keep chatting."""
    own, foreign, attendant_cookie = (session_cookie(u) for u in (person.user, foreign_person.user, attendant))

    async def scenario():
        toolbar, _ = await open_socket("/ws/toolbar/", own)
        conversation, _ = await open_socket(f"/ws/tickets/{ticket.number}/", own)
        other_toolbar, _ = await open_socket("/ws/toolbar/", foreign)
        attendant_side, _ = await open_socket(f"/ws/tickets/{ticket.number}/", attendant_cookie)

        def switch_off():
            entity = Entity.objects.get(pk=person.entity_id)
            entity.online_chat_enabled = False
            entity.save()

        await sync_to_async(switch_off)()
        assert await next_output(toolbar) == FORBIDDEN
        assert await next_output(conversation) == FORBIDDEN
        assert await other_toolbar.receive_nothing(timeout=0.5)
        assert await attendant_side.receive_nothing(timeout=0.1)

    async_to_sync(scenario)()


def test_removing_a_required_contact_closes_the_staff_sockets(ticket, person):
    """The contact gate (EST-000206) holds for open sockets too: no e-mail, no chat."""
    cookie = session_cookie(person.user)

    async def scenario():
        toolbar, _ = await open_socket("/ws/toolbar/", cookie)
        await sync_to_async(lambda: Contact.objects.get(person=person, kind=Contact.Kind.EMAIL).delete())()
        assert await next_output(toolbar) == FORBIDDEN

    async_to_sync(scenario)()


@pytest.mark.parametrize("route", ["/ws/toolbar/", "/ws/tickets/{number}/"])
def test_a_person_without_the_required_contacts_gets_no_socket(route, person, open_ticket, attendant):
    """Threat: the socket is a side door around the contact gate that the staff pages enforce (S5)."""
    incomplete = PersonFactory(entity=person.entity, contacts=False)
    ticket = open_ticket(person)
    ticket.requester = incomplete
    ticket.save(update_fields=["requester"])
    path = route.format(number=ticket.number)
    cookie, attendant_cookie = session_cookie(incomplete.user), session_cookie(attendant)

    async def scenario():
        socket = communicator(path, cookie)
        await socket.connect()
        assert await next_output(socket) == FORBIDDEN
        assert await socket.receive_nothing()
        if "tickets" in path:
            # The attendant is not a requester: the gate is not theirs.
            attendant_side, _ = await open_socket(path, attendant_cookie)
            await attendant_side.disconnect()

    async_to_sync(scenario)()


def test_sockets_recheck_their_access_now_and_then_as_a_backstop(settings, ticket, person):
    """A change that no signal reports (a raw update) still ends the access within the re-check interval."""
    settings.SOCKET_RECHECK_SECONDS = 0.5
    cookie = session_cookie(person.user)

    async def scenario():
        toolbar, _ = await open_socket("/ws/toolbar/", cookie)
        await sync_to_async(lambda: Entity.objects.filter(pk=person.entity_id).update(online_chat_enabled=False))()
        assert await next_output(toolbar, wait=5) == FORBIDDEN

    async_to_sync(scenario)()


def test_people_does_not_import_from_tickets():
    """Dependencies point one way: tickets uses people, people knows nothing of tickets."""
    offenders = []
    for path in (Path(__file__).resolve().parents[2] / "people").rglob("*.py"):
        if "management" in path.parts:
            continue  # seed_demo builds the whole demo, tickets included (noted in the report)
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] == "tickets"]
    assert offenders == []
