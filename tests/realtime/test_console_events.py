"""The console's live events (issue 14, part A): a request for a transfer and a transfer reach the attendant's bar
socket on every tab; a page opened before a colleague took the ticket hears who did; a socket's "read" by
someone who does not hold the ticket reads nothing."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.contrib.auth.models import Permission

from routing import services as routing_services
from tickets import services
from tickets.models import Ticket

from .conftest import frames_until, open_socket, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_holder_hears_a_request_for_the_transfer_and_the_receiver_hears_the_transfer(ticket, attendant, attendant2):
    services.ticket_take(ticket=ticket, attendant=attendant2)
    routing_services.attendant_availability_set(user=attendant, available=True)
    cookies = {"ana": session_cookie(attendant), "bruno": session_cookie(attendant2)}

    async def scenario():
        bruno_tab1, _ = await open_socket("/ws/roteamento/", cookies["bruno"], resume=None)
        bruno_tab2, _ = await open_socket("/ws/roteamento/", cookies["bruno"], resume=None)
        ana_bar, _ = await open_socket("/ws/roteamento/", cookies["ana"], resume=None)
        await sync_to_async(services.ticket_transfer_request)(ticket=ticket, attendant=attendant)
        for tab in (bruno_tab1, bruno_tab2):
            frames = await frames_until(tab, "attendant.notice")
            assert frames[-1] == {"type": "attendant.notice", "ticket": ticket.pk}
        await sync_to_async(services.ticket_transfer)(
            ticket=ticket, attendant=attendant2, to=attendant, note="Com você agora."
        )
        frames = await frames_until(ana_bar, "attendant.notice")
        assert frames[-1]["ticket"] == ticket.pk
        for socket in (bruno_tab1, bruno_tab2, ana_bar):
            await socket.disconnect()

    async_to_sync(scenario)()


def test_a_stale_page_hears_who_took_the_ticket(ticket, attendant, attendant2):
    services.ticket_take(ticket=ticket, attendant=attendant)
    attendant2.user_permissions.add(Permission.objects.get(codename="take_over_ticket"))
    cookie = session_cookie(attendant)

    async def scenario():
        page, hello = await open_socket(f"/ws/tickets/{ticket.number}/", cookie)
        assert (hello["ticket"]["attendant_id"], hello["ticket"]["attendant_name"]) == (
            attendant.pk,
            "Ana Paula Schmitt",
        )
        await sync_to_async(services.ticket_take_over)(ticket=ticket, attendant=attendant2)
        frames = await frames_until(page, "ticket.status")
        assert (frames[-1]["ticket"]["attendant_id"], frames[-1]["ticket"]["attendant_name"]) == (
            attendant2.pk,
            "Bruno Kowalski",
        )
        await page.disconnect()

    async_to_sync(scenario)()


def test_a_read_frame_from_an_attendant_who_does_not_hold_the_ticket_reads_nothing(
    ticket, person, attendant, attendant2
):
    services.ticket_take(ticket=ticket, attendant=attendant2)
    services.ticket_message_create(ticket=ticket, user=person.user, body="Ainda aguardo.")
    cookie = session_cookie(attendant)

    async def scenario():
        page, _ = await open_socket(f"/ws/tickets/{ticket.number}/", cookie)
        await page.send_json_to({"type": "read", "up_to": 10**9})
        # A resume after the read is answered after it (frames are handled in order).
        await page.send_json_to({"type": "resume", "last_id": 10**9})
        await frames_until(page, "resumed")
        await page.disconnect()

    async_to_sync(scenario)()
    assert Ticket.objects.get(pk=ticket.pk).unread_for_attendant


def test_the_attendant_becomes_ausente_when_their_last_tab_closes_not_before(settings, attendant):
    from routing.models import AttendantState

    settings.ATTENDANT_AWAY_GRACE_SECONDS = 0.3
    routing_services.attendant_availability_set(user=attendant, available=True)
    cookie = session_cookie(attendant)

    def available() -> bool:
        return AttendantState.objects.get(user=attendant).available

    async def scenario():
        import asyncio

        first, _ = await open_socket("/ws/roteamento/", cookie, resume=None)
        second, _ = await open_socket("/ws/roteamento/", cookie, resume=None)
        await first.disconnect()
        await asyncio.sleep(0.6)  # past the grace: one tab is still open, so still available
        assert await sync_to_async(available)()
        await second.disconnect()
        for _ in range(100):  # the check after the grace: polled, generous on a loaded machine
            if not await sync_to_async(available)():
                return
            await asyncio.sleep(0.1)
        raise AssertionError("still available after the last tab closed")

    async_to_sync(scenario)()
