"""Routing's sockets, on the same base as tickets.consumers (authorise, join, hello, re-check, renew).

/ws/espera/: a staff member's waiting tickets, their place and estimate, recomputed when the queue
moves (at most every ROUTING_POSITION_THROTTLE seconds per socket: a burst of changes costs one read).
/ws/roteamento/: an attendant's offers and the overdue alerts.
"""

import asyncio
import time
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext

from people.selectors import person_for_user
from tickets.consumers import _BaseConsumer, person_may_use_chat
from tickets.selectors import user_is_attendant

from . import realtime, services
from .selectors import WaitInfo, wait_info_for_person

#: The pending "away after the grace" checks (a reference, so that they are not collected before they run).
_away_checks: set[asyncio.Task] = set()


def ordinal(position: int) -> str:
    return f"{position}º"


def wait_texts(info: WaitInfo) -> dict[str, Any]:
    """The two lines the requester reads, in the active language."""
    if info.position is None:
        if info.next_opening is None:
            return {
                "number": info.number,
                "position": None,
                "text": gettext("Fora do horário de atendimento."),
                "estimate": "",
            }
        local = timezone.localtime(info.next_opening)
        return {
            "number": info.number,
            "position": None,
            "text": gettext("Fora do horário de atendimento."),
            "estimate": gettext("Próximo atendimento: {date} às {time}.").format(
                date=formats.date_format(local, "SHORT_DATE_FORMAT"), time=formats.time_format(local, "TIME_FORMAT")
            ),
        }
    return {
        "number": info.number,
        "position": info.position,
        "minutes": info.minutes,
        "text": gettext("Você é o {position} da fila").format(position=ordinal(info.position)),
        "estimate": ngettext(
            "previsão: cerca de {minutes} min", "previsão: cerca de {minutes} min", info.minutes
        ).format(minutes=info.minutes),
    }


class WaitConsumer(_BaseConsumer):
    """/ws/espera/: the requester's side; the same gate as the toolbar (chat on, contacts)."""

    async def authorise(self, user: AbstractBaseUser) -> bool:
        self.person = await database_sync_to_async(person_for_user)(user=user)
        self._last_sent = 0.0
        self._pending: asyncio.Task | None = None
        return await database_sync_to_async(person_may_use_chat)(self.person)

    def groups_for(self) -> list[str]:
        return [realtime.WAITING_GROUP]

    def _language(self) -> str:
        language = self.scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME, "")
        return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE

    @database_sync_to_async
    def _positions(self) -> list[dict[str, Any]]:
        with translation.override(self._language()):
            return [wait_texts(info) for info in wait_info_for_person(person_id=self.person.pk)]

    async def hello(self) -> dict[str, Any]:
        self._last_sent = time.monotonic()
        return {"tickets": await self._positions()}

    async def _send_positions(self) -> None:
        self._last_sent = time.monotonic()
        await self.send_json({"type": "routing.position", "tickets": await self._positions()})

    async def routing_queue(self, event: dict[str, Any]) -> None:
        """Throttled with a trailing send: the last change of a burst is always reflected."""
        if self._pending is not None and not self._pending.done():
            return
        wait = self._last_sent + settings.ROUTING_POSITION_THROTTLE - time.monotonic()
        if wait <= 0:
            await self._send_positions()
            return

        async def later() -> None:
            await asyncio.sleep(wait)
            await self._send_positions()

        self._pending = asyncio.get_running_loop().create_task(later())

    async def disconnect(self, code: int) -> None:
        pending = getattr(self, "_pending", None)
        if pending is not None:
            pending.cancel()
        await super().disconnect(code)


class AttendantConsumer(_BaseConsumer):
    """/ws/roteamento/: offers to this attendant, and tickets waiting too long for everyone.

    Also the attendant's presence: one such socket per open admin tab (the bar is on every admin page).
    The last one closing makes them "Ausente" after ATTENDANT_AWAY_GRACE_SECONDS; an "active" frame
    (sent by routing.js on input, at most once a minute) keeps the idle clock from running out.
    """

    frame_types = frozenset({"resume", "active"})

    async def authorise(self, user: AbstractBaseUser) -> bool:
        return await database_sync_to_async(user_is_attendant)(user=user)

    async def hello(self) -> dict[str, Any]:
        await database_sync_to_async(services.attendant_socket_opened)(user_id=self.user.pk)
        self._present = True
        return {}

    async def receive_frame(self, kind: str, content: dict[str, Any]) -> None:
        await database_sync_to_async(services.attendant_activity_record)(user_id=self.user.pk)

    async def disconnect(self, code: int) -> None:
        await super().disconnect(code)
        if not getattr(self, "_present", False):
            return
        self._present = False
        user = self.user
        if await database_sync_to_async(services.attendant_socket_closed)(user_id=user.pk) > 0:
            return

        async def later() -> None:
            await asyncio.sleep(settings.ATTENDANT_AWAY_GRACE_SECONDS)
            await database_sync_to_async(services.attendant_away_if_gone)(user=user)

        # Not this consumer's task (it ends now): the server's loop runs it after the grace.
        _away_checks.add(task := asyncio.get_running_loop().create_task(later()))
        task.add_done_callback(_away_checks.discard)

    def groups_for(self) -> list[str]:
        return [realtime.attendant_group(self.user.pk), realtime.ATTENDANTS_GROUP]

    async def routing_offer(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "routing.offer", "offer": event.get("offer"), "ticket": event.get("ticket")})

    async def routing_offers(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "routing.offers"})

    async def routing_overdue(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "routing.overdue", "tickets": event.get("tickets", [])})

    async def attendant_notice(self, event: dict[str, Any]) -> None:
        """A transfer, a request for one, a take-over (tickets.Handoff): the bar refetches and sounds."""
        await self.send_json({"type": "attendant.notice", "ticket": event.get("ticket")})
