"""Websocket consumers: a person's toolbar, an open conversation, the attendants' queue.

Thin on purpose. On connect: accept, authorise through the selectors, join the groups, say
"hello"; the client then sends ``{"type": "resume", "last_id": N}`` and gets from the database
what it missed (B2). Events from ``tickets.realtime`` are forwarded under their own names.
Writes go over HTTP; the only write a socket makes is "read", through ``ticket_mark_read``.
The protocol is described in docs/realtime.md.
"""

import asyncio
import json
import random
import time
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from atende_chat import metrics
from people.middleware import SESSION_LANGUAGE_KEY
from people.models import Person
from people.selectors import person_chat_enabled, person_for_user, person_has_required_contacts

from . import layer_watch, realtime, selectors, services
from .models import Ticket

#: Anonymous, not allowed, or the entity's chat is off: the client must not retry.
CLOSE_FORBIDDEN = 4403
#: The session behind the socket ended (logout): the client reloads and meets the login page.
CLOSE_SESSION_ENDED = 4401
#: The socket reached its maximum age (below group_expiry): the client reconnects at once and resumes.
CLOSE_RENEW = 4000

#: Too many frames: the socket sent past its burst (WEBSOCKET_FRAME_BURST, refilled at WEBSOCKET_FRAME_RATE
#: per second). The client waits the longest back-off before it reconnects.
CLOSE_THROTTLED = 4429

#: At most one typing event per person and ticket in this many seconds (issue 14); static/js/marks.js
#: sends no more often, and hides the indicator after 5 s without one.
TYPING_INTERVAL = 2

#: Messages replayed per database round trip on resume.
REPLAY_BATCH = 200

BAD_FRAME = gettext_noop("Mensagem inválida.")
UNKNOWN_TYPE = gettext_noop("Tipo de mensagem desconhecido.")


def socket_max_age() -> float:
    """A little under the layer's group_expiry, spread so that sockets opened together do not renew together.

    The layer silently drops a channel from its groups after group_expiry; a socket older than that
    would stay open and hear nothing, so it is closed first and the client resumes from the database.
    """
    group_expiry = settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("group_expiry", 86400)
    return group_expiry * random.uniform(0.8, 0.9)


def socket_recheck_interval() -> float:
    """How often an open socket checks its session and access again (SOCKET_RECHECK_SECONDS, spread)."""
    return settings.SOCKET_RECHECK_SECONDS * random.uniform(0.9, 1.1)


def person_may_use_chat(person: Person | None) -> bool:
    """The staff side of the chat, as on the staff pages: the entity's chat on and the contact gate (S2, S5)."""
    return person_chat_enabled(person=person) and person_has_required_contacts(person=person)


def socket_language(scope: dict[str, Any]) -> str:
    """The language the socket's pages are in, chosen as the pages choose it (sync: it may read the session).

    The account's choice (people.middleware), else the language cookie, else Accept-Language, else pt-BR.
    """
    session = scope.get("session")
    language = session.get(SESSION_LANGUAGE_KEY) if session is not None else None
    if language and translation.check_for_language(language):
        return translation.get_supported_language_variant(language)
    headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers", [])}
    request = SimpleNamespace(
        COOKIES=scope.get("cookies", {}), META={"HTTP_ACCEPT_LANGUAGE": headers.get("accept-language", "")}
    )
    return translation.get_language_from_request(request)


def _parse_id(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


class _BaseConsumer(AsyncJsonWebsocketConsumer):
    """Authorise, join, hello; answer "resume"; close when the session or the access ends, and before group_expiry."""

    frame_types: frozenset[str] = frozenset({"resume"})

    async def connect(self) -> None:
        self.joined: list[str] = []
        self._renew_handle: asyncio.TimerHandle | None = None
        self._recheck_task: asyncio.Task | None = None
        self._tokens = float(settings.WEBSOCKET_FRAME_BURST)
        self._tokens_at = time.monotonic()
        # Accept before refusing, so the browser sees 4403 (a refused handshake reaches it as 1006
        # and would be retried forever). Nothing is sent before the check.
        await self.accept()
        metrics.socket_opened()
        self._counted = True
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not await self.authorise(user):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user = user
        for group in [realtime.user_group(user.pk), *self.groups_for()]:
            await self.channel_layer.group_add(group, self.channel_name)
            self.joined.append(group)
        layer_watch.register(self)
        loop = asyncio.get_running_loop()
        self._renew_handle = loop.call_later(socket_max_age(), lambda: loop.create_task(self.close(CLOSE_RENEW)))
        self._recheck_task = loop.create_task(self._recheck_now_and_then())
        # Joined first, then the snapshot: nothing can fall between the two.
        await self.send_json({"type": "hello", **await self.hello()})

    async def disconnect(self, code: int) -> None:
        if getattr(self, "_counted", False):
            metrics.socket_closed()
            self._counted = False
        layer_watch.unregister(self)
        if self._renew_handle is not None:
            self._renew_handle.cancel()
        if self._recheck_task is not None:
            self._recheck_task.cancel()
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = []

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        """Malformed frames get an error frame; the socket stays open. Past the burst, it closes (4429)."""
        if not self._take_token():
            await self.close(code=CLOSE_THROTTLED)
            return
        if not self.joined:
            return
        try:
            content = json.loads(text_data) if text_data is not None else None
        except ValueError:
            content = None
        if not isinstance(content, dict):
            await self.send_error("bad_frame", BAD_FRAME)
            return
        kind = content.get("type")
        if kind not in self.frame_types:
            await self.send_error("unknown_type", UNKNOWN_TYPE)
            return
        if kind == "resume":
            last_id = _parse_id(content.get("last_id", 0))
            if last_id is None:
                await self.send_error("bad_frame", BAD_FRAME)
                return
            count, last, more = await self.resume(last_id)
            # more: the answer stopped at WEBSOCKET_RESUME_MAX messages; the client resumes again from last_id.
            await self.send_json({"type": "resumed", "last_id": last, "count": count, "more": more})
        else:
            await self.receive_frame(kind, content)

    def _take_token(self) -> bool:
        """A token bucket per socket: a burst of WEBSOCKET_FRAME_BURST frames, refilled at WEBSOCKET_FRAME_RATE/s."""
        now = time.monotonic()
        self._tokens = min(
            float(settings.WEBSOCKET_FRAME_BURST),
            self._tokens + (now - self._tokens_at) * settings.WEBSOCKET_FRAME_RATE,
        )
        self._tokens_at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True

    async def send_error(self, code: str, text: str) -> None:
        await self.send_json({"type": "error", "code": code, "error": self._translate(text)})

    def _translate(self, text: str) -> str:
        """In the language the browser chose (its language cookie), else the site's default (pt-BR)."""
        language = self.scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        with translation.override(language):
            return gettext(text)

    async def session_closed(self, event: dict[str, Any]) -> None:
        """Sent to user.<id> on logout: this socket's session closes at once, the others check theirs."""
        if event.get("session_key") is not None and event["session_key"] == self._session_key():
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        await self.access_check(event)

    async def access_check(self, event: dict[str, Any]) -> None:
        """The user, a person or an entity changed: close if the session or the access is gone."""
        user = await self._session_user()
        if user is None:
            await self.close(code=CLOSE_SESSION_ENDED)
        elif not await self.still_allowed(user):
            await self.close(code=CLOSE_FORBIDDEN)

    async def _recheck_now_and_then(self) -> None:
        """The backstop for whatever no signal reports (a raw update, a group's permissions)."""
        while True:
            await asyncio.sleep(socket_recheck_interval())
            await self.access_check({})

    def _session_key(self) -> str | None:
        return getattr(self.scope.get("session"), "session_key", None)

    @database_sync_to_async
    def _session_user(self) -> AbstractBaseUser | None:
        """The socket's user as Django would see it now: session present, password hash and is_active still valid."""
        key = self._session_key()
        if key is None:
            return None
        request = SimpleNamespace(session=import_module(settings.SESSION_ENGINE).SessionStore(session_key=key))
        user = get_user(request)
        return user if user.is_authenticated and user.pk == self.user.pk else None

    async def attendant_notice(self, event: dict[str, Any]) -> None:
        """Sent to user.<id>: only the attendant's bar socket (routing.consumers) passes it on."""

    # Hooks for the three consumers.
    async def authorise(self, user: AbstractBaseUser) -> bool:
        raise NotImplementedError

    async def still_allowed(self, user: AbstractBaseUser) -> bool:
        """The same decision as authorise, for an open socket (without resetting its state)."""
        return await self.authorise(user)

    def groups_for(self) -> list[str]:
        raise NotImplementedError

    async def hello(self) -> dict[str, Any]:
        return {}

    async def resume(self, last_id: int) -> tuple[int, int, bool]:
        """(messages sent, the id to resume from next, whether more are waiting)."""
        return 0, last_id, False

    async def receive_frame(self, kind: str, content: dict[str, Any]) -> None:
        await self.send_error("unknown_type", UNKNOWN_TYPE)


class ToolbarConsumer(_BaseConsumer):
    """/ws/toolbar/: the red badge and the panel of the logged staff member (S12–S14)."""

    async def authorise(self, user: AbstractBaseUser) -> bool:
        self.person = await database_sync_to_async(person_for_user)(user=user)
        return await database_sync_to_async(person_may_use_chat)(self.person)

    def groups_for(self) -> list[str]:
        return [realtime.person_group(self.person.pk), realtime.entity_group(self.person.entity_id)]

    @database_sync_to_async
    def _unread(self) -> int:
        return selectors.ticket_unread_count(person_id=self.person.pk)

    async def hello(self) -> dict[str, Any]:
        return {"unread": await self._unread()}

    async def resume(self, last_id: int) -> tuple[int, int, bool]:
        await self.person_badge({})
        return 0, last_id, False

    async def person_badge(self, event: dict[str, Any]) -> None:
        # Counted here, after the event arrived: two badge events built in two processes may
        # arrive out of order, and the count read last is the newest.
        await self.send_json({"type": "person.badge", "unread": await self._unread()})

    async def person_tickets(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "person.tickets", "ticket": event.get("ticket")})


class ConversationConsumer(_BaseConsumer):
    """/ws/tickets/<number>/: one open conversation, for its requester or an attendant (S15, B2)."""

    frame_types = frozenset({"resume", "read", "typing"})

    async def authorise(self, user: AbstractBaseUser) -> bool:
        self.ticket = await self._ticket(user)
        # Live messages that arrive before the client's resume is answered are held, not sent: the
        # replay reads them from the database, and those committed after its read follow it, so the
        # client gets ids in increasing order and may resume from the highest it has. (Sent at once,
        # a live id could reach the client before older ones of the replay; a client cut off then
        # would resume above the older ones and never see them.) After the resume: the highest id
        # sent, so late duplicates are dropped.
        self.held: dict[int, dict[str, Any]] = {}
        self.sent_up_to: int | None = None
        self._typing_at = -TYPING_INTERVAL
        return self.ticket is not None

    async def still_allowed(self, user: AbstractBaseUser) -> bool:
        return await self._ticket(user) is not None

    @database_sync_to_async
    def _ticket(self, user: AbstractBaseUser) -> Ticket | None:
        """The access check; a requester (not an attendant) also passes the staff pages' gate (S2, S5)."""
        # The lines come rendered in the language of the socket's pages (read here, off the event loop).
        self.language = socket_language(self.scope)
        try:
            ticket = selectors.ticket_get_for_user(user=user, number=self.scope["url_route"]["kwargs"]["number"])
        except Http404:
            return None
        staff = selectors.user_is_attendant(user=user) and ticket.requester.user_id != user.pk
        if not staff and not person_may_use_chat(ticket.requester):
            return None
        # Attendant sockets hear internal notes and the requester typing; the requester's never hear notes.
        self.staff_side = staff
        self.display_name = services.user_display_name(user)
        return ticket

    def groups_for(self) -> list[str]:
        groups = [realtime.ticket_group(self.ticket.pk)]
        if self._is_requester():
            groups.append(realtime.entity_group(self.ticket.requester.entity_id))
        return groups

    @database_sync_to_async
    def _status(self) -> dict[str, Any]:
        return realtime.ticket_payload(Ticket.objects.select_related("attendant__person").get(pk=self.ticket.pk))

    async def hello(self) -> dict[str, Any]:
        return {"ticket": await self._status()}

    def _is_requester(self) -> bool:
        return self.ticket.requester.user_id == self.user.pk

    @database_sync_to_async
    def _payloads_after(self, after_id: int, limit: int) -> list[dict[str, Any]]:
        messages = selectors.message_list(
            ticket=self.ticket, after_id=after_id, limit=limit, include_notes=self.staff_side
        )
        if not messages:
            return []
        previous = self._is_requester() and Ticket.objects.get(pk=self.ticket.pk).awaits_first_reply
        return [
            {"id": message.pk, "html": realtime.message_html(message, language=self.language, previous=previous)}
            for message in messages
        ]

    async def resume(self, last_id: int) -> tuple[int, int, bool]:
        """The messages with an id above last_id, from the database, in order, once: at most
        WEBSOCKET_RESUME_MAX per answer; the client asks again from the returned id while more are left."""
        count, read, cursor, more = 0, 0, last_id, False
        while True:
            limit = min(REPLAY_BATCH, settings.WEBSOCKET_RESUME_MAX - read)
            batch = await self._payloads_after(cursor, limit)
            read += len(batch)
            for payload in batch:
                await self.send_json({"type": "ticket.message", "message": payload})
                count += 1
            if batch:
                cursor = batch[-1]["id"]
            # What the database gave is no longer held (it bounds the buffer on a long replay).
            self.held = {number: payload for number, payload in self.held.items() if number > cursor}
            if len(batch) < limit:
                break
            if read >= settings.WEBSOCKET_RESUME_MAX:
                more = True
                break
        if more:
            # Live events stay held until the replay is complete (the client resumes again from cursor).
            return count, cursor, True
        # Committed after the database read: they follow the replay, in order.
        for number in sorted(self.held):
            await self.send_json({"type": "ticket.message", "message": self.held[number]})
            count += 1
            cursor = number
        self.held = {}
        self.sent_up_to = cursor
        # The status may have changed while the client was away.
        await self.send_json({"type": "ticket.status", "ticket": await self._status()})
        return count, self.sent_up_to, False

    async def receive_frame(self, kind: str, content: dict[str, Any]) -> None:
        if kind == "typing":
            await self._typing()
            return
        up_to = _parse_id(content.get("up_to"))
        if up_to is None:
            await self.send_error("bad_frame", BAD_FRAME)
            return
        await self._mark_read(up_to)

    @database_sync_to_async
    def _mark_read(self, up_to: int) -> None:
        """The page shows the other side's messages up to this id: they are read (the badge follows)."""
        try:
            ticket = selectors.ticket_get_for_user(user=self.user, number=self.ticket.pk)
        except Http404:
            return
        services.ticket_mark_read(ticket=ticket, user=self.user, up_to=up_to)

    async def _typing(self) -> None:
        """ "Ana Paula Schmitt está digitando…" for the other side: never stored, at most one event per
        TYPING_INTERVAL per person and ticket (whatever the number of their sockets); more are dropped."""
        now = time.monotonic()
        if now - self._typing_at < TYPING_INTERVAL:
            return
        self._typing_at = now
        key = f"typing:{self.ticket.pk}:{self.user.pk}"
        try:
            first = await sync_to_async(cache.add, thread_sensitive=False)(key, 1, TYPING_INTERVAL)
        except Exception:
            # A cache that is down leaves the per-socket limit; typing is never worth an error.
            first = True
        if not first:
            return
        side = "attendant" if self.staff_side else "requester"
        event = {"type": "ticket.typing", "side": side, "user": self.user.pk, "name": self.display_name}
        try:
            await self.channel_layer.group_send(realtime.ticket_group(self.ticket.pk), event)
        except Exception:
            metrics.layer_dropped()

    async def ticket_typing(self, event: dict[str, Any]) -> None:
        """Only the other side hears it (an attendant hears the requester, the requester an attendant)."""
        if event.get("user") == self.user.pk or (event.get("side") == "attendant") == self.staff_side:
            return
        await self.send_json({"type": "ticket.typing", "side": event["side"], "name": event.get("name", "")})

    async def ticket_seen(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "ticket.seen", "seen": event["seen"]})

    async def ticket_message(self, event: dict[str, Any]) -> None:
        if event.get("staff_only") and not self.staff_side:
            # An internal note: never to the requester's sockets, live or held for the replay.
            return
        message_id = event["message"]["id"]
        message = realtime.message_for_socket(event["message"], language=self.language, previous=self._is_requester())
        if self.sent_up_to is None:
            self.held[message_id] = message
            return
        if message_id <= self.sent_up_to:
            return
        self.sent_up_to = message_id
        await self.send_json({"type": "ticket.message", "message": message})

    async def ticket_status(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "ticket.status", "ticket": event["ticket"]})


class QueueConsumer(_BaseConsumer):
    """/ws/queue/: the attendants' queue page, refetched on every change (B7)."""

    async def authorise(self, user: AbstractBaseUser) -> bool:
        return await database_sync_to_async(selectors.user_is_attendant)(user=user)

    def groups_for(self) -> list[str]:
        return [realtime.QUEUE_GROUP]

    async def queue_changed(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "queue.changed", "ticket": event.get("ticket")})
