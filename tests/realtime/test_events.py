"""Each event of the services reaches the right sockets, and only those, after the commit."""

from unittest.mock import patch

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.db import transaction

from tickets import realtime, services
from tickets.models import Message

from .conftest import frames_until, open_socket, session_cookie
from .lines import line_kind, line_text, parse_line

pytestmark = pytest.mark.django_db(transaction=True)


class Rollback(Exception):
    pass


def test_an_attendant_reply_reaches_both_sides_of_the_conversation_and_the_requesters_badge(
    ticket, person, other_person, attendant, open_ticket
):
    other_ticket = open_ticket(other_person)
    cookies = {
        "person": session_cookie(person.user),
        "other": session_cookie(other_person.user),
        "attendant": session_cookie(attendant),
    }

    async def scenario():
        requester_chat, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookies["person"])
        attendant_chat, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookies["attendant"])
        toolbar, hello = await open_socket("/ws/toolbar/", cookies["person"])
        assert hello["unread"] == 0
        queue, _ = await open_socket("/ws/queue/", cookies["attendant"])
        other_chat, _ = await open_socket(f"/ws/tickets/{other_ticket.number}/", cookies["other"])
        other_toolbar, _ = await open_socket("/ws/toolbar/", cookies["other"])

        [reply] = await sync_to_async(services.ticket_message_create)(
            ticket=ticket, user=attendant, body="Boa tarde!\nComo posso ajudar?"
        )

        for chat in (requester_chat, attendant_chat):
            frames = await frames_until(chat, "ticket.message")
            message = frames[-1]["message"]
            assert message["id"] == reply.pk
            assert set(message) == {"id", "html"}
            assert line_text(message) == "Boa tarde!\nComo posso ajudar?"
            assert line_kind(message) == ("attendant", "text")
            assert line_text(message, "msg-head").startswith("Ana Paula Schmitt diz (")
            # Taking the ticket by replying is a status change both sides see.
            assert [f["ticket"]["status_display"] for f in frames if f["type"] == "ticket.status"] == ["Em Atendimento"]
        badge = await frames_until(toolbar, "person.badge")
        assert badge[-1] == {"type": "person.badge", "unread": 1}
        assert (await frames_until(toolbar, "person.tickets"))[-1]["ticket"] == ticket.number
        assert (await frames_until(queue, "queue.changed"))[-1]["ticket"] == ticket.number
        # Another person's conversation and toolbar hear nothing of it.
        assert await other_chat.receive_nothing(timeout=0.5)
        assert await other_toolbar.receive_nothing(timeout=0.1)
        for socket in (requester_chat, attendant_chat, toolbar, queue, other_chat, other_toolbar):
            await socket.disconnect()

    async_to_sync(scenario)()


def test_a_new_ticket_reaches_the_queue(person, attendant, module):
    cookie = session_cookie(attendant)

    async def scenario():
        queue, _ = await open_socket("/ws/queue/", cookie)
        ticket = await sync_to_async(services.ticket_open)(requester=person, module_id=module.pk, reason="Ajuda")
        assert await queue.receive_json_from() == {"type": "queue.changed", "ticket": ticket.number}
        await queue.disconnect()

    async_to_sync(scenario)()


def test_the_requester_concluding_shows_the_message_and_closes_the_conversation_live(ticket, person, attendant):
    cookie = session_cookie(attendant)

    async def scenario():
        chat, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie)
        await sync_to_async(services.ticket_conclude_by_requester)(ticket=ticket, user=person.user)
        message = await chat.receive_json_from()
        assert line_text(message["message"], "msg-system") == "* Chat Concluído pelo Usuário!"
        assert line_kind(message["message"]) == ("system", "event")
        status = await chat.receive_json_from()
        assert status["type"] == "ticket.status"
        assert status["ticket"]["status_display"] == "Chat Concluído pelo Usuário"
        assert status["ticket"]["closed"] is True
        await chat.disconnect()

    async_to_sync(scenario)()


def test_a_file_event_carries_its_download_link(ticket, person):
    from django.core.files.uploadedfile import SimpleUploadedFile

    cookie = session_cookie(person.user)
    upload = SimpleUploadedFile("nota.txt", b"conteudo da nota fiscal\n", content_type="text/plain")

    async def scenario():
        chat, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie)
        await sync_to_async(services.ticket_message_create)(ticket=ticket, user=person.user, body="", files=[upload])
        message = (await chat.receive_json_from())["message"]
        assert line_text(message) == "O usuário enviou um arquivo."
        assert line_kind(message) == ("requester", "files")
        [attachment] = await sync_to_async(lambda: list(Message.objects.get(pk=message["id"]).attachments.all()))()
        assert line_text(message, "file-name") == "nota.txt"
        assert parse_line(message["html"]).links == [f"/anexos/{attachment.pk}/"]
        assert "(24\xa0bytes)" in message["html"]
        await chat.disconnect()

    async_to_sync(scenario)()


def test_a_rolled_back_message_is_never_broadcast(ticket, person, attendant):
    """A client must never hear of a row that does not exist: broadcasts leave after the commit only."""
    cookie = session_cookie(person.user)

    def reply_then_fail():
        with transaction.atomic():
            services.ticket_message_create(ticket=ticket, user=attendant, body="Nunca existiu")
            raise Rollback

    async def scenario():
        chat, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie)
        toolbar, _ = await open_socket("/ws/toolbar/", cookie)
        with pytest.raises(Rollback):
            await sync_to_async(reply_then_fail)()
        assert await chat.receive_nothing(timeout=1)
        assert await toolbar.receive_nothing(timeout=0.1)
        # The sockets were listening: the next committed reply arrives.
        [reply] = await sync_to_async(services.ticket_message_create)(ticket=ticket, user=attendant, body="Existe")
        frames = await frames_until(chat, "ticket.message")
        assert frames[-1]["message"]["id"] == reply.pk
        assert (await frames_until(toolbar, "person.badge"))[-1]["unread"] == 1
        await chat.disconnect()
        await toolbar.disconnect()

    async_to_sync(scenario)()
    assert not Message.objects.filter(body="Nunca existiu").exists()


def test_reading_the_conversation_over_the_socket_clears_the_badge_on_every_page(ticket, person, attendant):
    """S12/S14: the badge goes red on a reply and clears when the person reads it, on all open pages."""
    cookie = session_cookie(person.user)
    [reply] = services.ticket_message_create(ticket=ticket, user=attendant, body="Resolvido?")

    async def scenario():
        chat, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie)
        first_page, hello = await open_socket("/ws/toolbar/", cookie)
        assert hello["unread"] == 1
        second_page, _ = await open_socket("/ws/toolbar/", cookie)
        await chat.send_json_to({"type": "read", "up_to": reply.pk})
        for toolbar in (first_page, second_page):
            assert await toolbar.receive_json_from() == {"type": "person.badge", "unread": 0}
        for socket in (chat, first_page, second_page):
            await socket.disconnect()

    async_to_sync(scenario)()
    ticket.refresh_from_db()
    assert ticket.requester_read_id == reply.pk


def test_the_embedded_in_memory_layer_delivers_the_same_events(settings, ticket, person, attendant):
    """B9: one process, no Redis: the same reply reaches the conversation and the badge."""
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}
    }
    cookie = session_cookie(person.user)
    assert isinstance(get_channel_layer(), InMemoryChannelLayer)

    async def scenario():
        chat, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie)
        toolbar, _ = await open_socket("/ws/toolbar/", cookie)
        [reply] = await sync_to_async(services.ticket_message_create)(ticket=ticket, user=attendant, body="Oi")
        assert (await frames_until(chat, "ticket.message"))[-1]["message"]["id"] == reply.pk
        assert (await frames_until(toolbar, "person.badge"))[-1]["unread"] == 1
        await chat.disconnect()
        await toolbar.disconnect()

    async_to_sync(scenario)()


def test_a_line_is_rendered_once_per_language_and_side_and_each_socket_gets_its_own(ticket, person, attendant):
    """Point 9: the event carries the server's rendering of the line (one per language, and the
    "Mensagens Anteriores" form for the requester while nobody has answered), never one per socket."""
    cookies = {"person": session_cookie(person.user), "attendant": session_cookie(attendant)}
    english = f"; {settings.LANGUAGE_COOKIE_NAME}=en"

    async def scenario():
        requester_pt, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookies["person"])
        attendant_en, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookies["attendant"] + english)
        with patch.object(realtime, "render_to_string", wraps=realtime.render_to_string) as render:
            [line] = await sync_to_async(services.ticket_message_create)(
                ticket=ticket, user=person.user, body="Ainda aguardo"
            )
            seen_by_requester = (await frames_until(requester_pt, "ticket.message"))[-1]["message"]
            seen_by_attendant = (await frames_until(attendant_en, "ticket.message"))[-1]["message"]
        # Two languages, two forms: four renderings for however many sockets.
        assert render.call_count == 4
        assert seen_by_requester["id"] == seen_by_attendant["id"] == line.pk
        assert line_text(seen_by_requester, "msg-head").startswith("Enviado em: ")
        assert line_text(seen_by_attendant, "msg-head").startswith("HAUANA ANDRADE NEGHERBON says (")
        for socket in (requester_pt, attendant_en):
            await socket.disconnect()

    async_to_sync(scenario)()
