"""Every change of state of a ticket, whoever asks for it (staff page, admin, websocket).

Each public function is one transaction. Broadcasts and the transcript task are queued
with ``transaction.on_commit``: nobody hears of a row before it can be read. A function that
publishes is ``@realtime.batched``: its events leave together after the commit.
"""

import logging
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Case, F, When
from django.db.models.functions import Greatest, Now
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from attachments.services import attachments_clean, attachments_store, stored_files_cleanup
from people.models import Person
from people.services import person_check_contacts
from people.text import has_visible_text, name_clean

from . import errors, realtime
from .models import (
    CHANNEL_PRIORITY,
    CLOSED_STATUSES,
    CONCLUDED_STATUSES,
    WAITING_STATUSES,
    AttendantPreference,
    Channel,
    Handoff,
    Message,
    Module,
    Status,
    Ticket,
    TranscriptOutbox,
)

# The status table lives with the other rules in tickets.policy; re-exported for the callers that read it here.
from .policy import ALLOWED_TRANSITIONS, REQUESTER_ONLY, Action, policy_check, policy_decide, transition_allowed  # noqa: F401
from .presence import presence_is_available
from .selectors import attendance_is_open, user_is_attendant

logger = logging.getLogger(__name__)

REASON_MAX_LENGTH = 5000
MESSAGE_MAX_LENGTH = 5000
NOTE_MAX_LENGTH = 2000
#: Something a browser would read as a tag, a comment or a character reference: a note is plain text.
MARKUP = re.compile(r"<\s*[/!?]?\s*[A-Za-z]|&#?[A-Za-z0-9]+;")

# Fixed lines, stored in Portuguese (the source text) and translated where shown (tickets/_message.html).
OPENED_WITH_FILES = gettext_noop("O usuário adicionou anexos ao atendimento.")
REQUESTER_SENT_FILE = gettext_noop("O usuário enviou um arquivo.")
ATTENDANT_SENT_FILE = gettext_noop("O atendente enviou um arquivo")
CONCLUDED_BY_REQUESTER = gettext_noop("* Chat Concluído pelo Usuário!")
#: The timeline's system lines (issue 13): source texts, formatted with each reader's language (Message.system_text).
TAKEN = gettext_noop("Atendimento assumido por {name}")
TRANSFERRED = gettext_noop("Atendimento transferido de {from_name} para {to_name}")
STATUS_CHANGED = gettext_noop("Situação alterada para {status}")
SCHEDULED = gettext_noop("Agendado para {date} às {time}")


def _check_transition(ticket: Ticket, target: str) -> None:
    if not transition_allowed(current=ticket.status, target=target):
        raise errors.TransitionNotAllowed(
            gettext(errors.TRANSITION_NOT_ALLOWED).format(
                current=ticket.get_status_display(), target=Status(target).label
            )
        )


def _clean_text(text: str | None, *, empty: str, too_long: str, limit: int, allow_empty: bool = False) -> str:
    # A form sends a line break as CRLF; the browser counted it as one character against the limit.
    text = (text or "").replace("\x00", "").replace("\r\n", "\n").strip()
    # Zero-width spaces, joiners, BOMs, direction marks alone show nothing: that is an empty message.
    if not has_visible_text(text):
        text = ""
    if not text and not allow_empty:
        raise errors.InvalidInput(empty)
    if len(text) > limit:
        raise errors.InvalidInput(gettext(too_long).format(limit=limit))
    return text


def display_name(user: AbstractBaseUser) -> str:
    try:
        return user.person.name
    except Person.DoesNotExist:
        return name_clean(user.get_full_name()) or user.get_username()


#: The name the other side reads for a user (typing indicator, dialog lines).
user_display_name = display_name


def _check_rate(user: AbstractBaseUser, cost: int = 1) -> None:
    """At most MESSAGE_RATE_LIMIT messages and files a minute per user (cache counter per minute)."""
    limit = settings.MESSAGE_RATE_LIMIT
    if not limit:
        return
    key = f"rate:msg:{user.pk}:{int(timezone.now().timestamp() // 60)}"
    try:
        cache.add(key, 0, timeout=90)
        try:
            count = cache.incr(key, cost)
        except ValueError:
            cache.set(key, cost, timeout=90)
            count = cost
    except Exception:
        # The limit guards against floods; a cache that is down (Redis stopped) must not stop the messages.
        logger.warning("Rate limit not checked: the cache is unavailable", exc_info=True)
        return
    if count > limit:
        raise errors.RateLimited()


def _check_open_limit(requester: Person, *, by_attendant: bool) -> None:
    """At most OPEN_TICKETS_MAX tickets not yet closed per person, on-line and phone together."""
    limit = settings.OPEN_TICKETS_MAX
    if not limit:
        return
    if Ticket.objects.filter(requester=requester).exclude(status__in=CLOSED_STATUSES).count() >= limit:
        if by_attendant:
            raise errors.TooManyOpenTickets(errors.TOO_MANY_OPEN_TICKETS_PHONE.format(name=requester.name, limit=limit))
        raise errors.TooManyOpenTickets(errors.TOO_MANY_OPEN_TICKETS.format(limit=limit))


def _lock(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _add_message(
    ticket: Ticket,
    *,
    author_kind: str,
    body: str,
    kind: str = Message.Kind.TEXT,
    author: AbstractBaseUser | None = None,
    author_name: str = "",
    now: datetime | None = None,
    client_key: uuid.UUID | None = None,
    params: dict | None = None,
) -> Message:
    message = Message.objects.create(
        ticket=ticket,
        author_kind=author_kind,
        kind=kind,
        author=author,
        author_name=author_name,
        body=body,
        params=params or {},
        created_at=now or timezone.now(),
        client_key=client_key,
    )
    # The author has read what they wrote; the other side has something new.
    # Replying passes the other side's newest message: it counts as seen then ("Visto às"), once.
    # (The ticket in hand is locked or new, so its marks are the row's.) Announced after the line itself.
    seen_by = None
    if author_kind == Message.Author.ATTENDANT:
        if ticket.attendant_read_id < ticket.last_requester_message_id:
            ticket.attendant_read_at = message.created_at
            seen_by = Message.Author.ATTENDANT
        Ticket.objects.filter(pk=ticket.pk).update(
            last_attendant_message_id=message.pk,
            attendant_read_id=Greatest(F("attendant_read_id"), message.pk),
            attendant_read_at=_read_at_on_reply("attendant_read_id", "last_requester_message_id", "attendant_read_at"),
        )
        ticket.last_attendant_message_id = message.pk
        ticket.attendant_read_id = max(ticket.attendant_read_id, message.pk)
    elif author_kind == Message.Author.REQUESTER:
        if ticket.requester_read_id < ticket.last_attendant_message_id:
            ticket.requester_read_at = message.created_at
            seen_by = Message.Author.REQUESTER
        Ticket.objects.filter(pk=ticket.pk).update(
            last_requester_message_id=message.pk,
            requester_read_id=Greatest(F("requester_read_id"), message.pk),
            requester_read_at=_read_at_on_reply("requester_read_id", "last_attendant_message_id", "requester_read_at"),
        )
        ticket.last_requester_message_id = message.pk
        ticket.requester_read_id = max(ticket.requester_read_id, message.pk)
    realtime.publish_message(message)
    if seen_by is not None:
        realtime.publish_seen(ticket, side=seen_by)
    return message


def _read_at_on_reply(read_id: str, others_last: str, read_at: str) -> Case:
    return Case(When(**{f"{read_id}__lt": F(others_last)}, then=Now()), default=F(read_at))


def _add_event(ticket: Ticket, *, text: str, by: AbstractBaseUser | None, now: datetime, **args: object) -> Message:
    """A system line of the timeline, written with the change it tells of and broadcast like any message.

    System lines are not replies: they leave the read state alone, except "Aguardando Retorno Cliente",
    which waits on the staff member and so sets their red badge as a reply does.
    """
    params = {"text": text, "args": args}
    message = Message(ticket=ticket, author_kind=Message.Author.SYSTEM, kind=Message.Kind.EVENT, params=params)
    with translation.override(settings.LANGUAGE_CODE):
        body = message.system_text
    message = _add_message(
        ticket,
        author_kind=Message.Author.SYSTEM,
        kind=Message.Kind.EVENT,
        body=body,
        author=by,
        author_name=display_name(by) if by is not None else "",
        now=now,
        params=params,
    )
    if args.get("status") == Status.AGUARDANDO_RETORNO:
        Ticket.objects.filter(pk=ticket.pk).update(last_attendant_message_id=message.pk)
        ticket.last_attendant_message_id = message.pk
        realtime.publish_badge(ticket.requester_id)
    return message


def _queue_transcript(ticket: Ticket) -> None:
    """Write the outbox row in this transaction; queue the task after commit (B3).

    robust: the conclusion stands whatever the broker says. A broker that cannot take the task
    now is logged, not raised into the request; the outbox sweep queues the e-mail later.
    """
    from .tasks import send_transcript

    TranscriptOutbox.objects.get_or_create(ticket=ticket)
    transaction.on_commit(partial(send_transcript.delay, ticket.pk), robust=True)


@realtime.batched
def ticket_open(
    *,
    requester: Person,
    module_id: int | str | None,
    reason: str,
    files: Sequence = (),
    user: AbstractBaseUser | None = None,
    channel: str = Channel.ONLINE,
    now: datetime | None = None,
) -> Ticket:
    """Open a ticket (S7, S8, S11): the reason is its first message; files go with it."""
    if channel == Channel.ONLINE:
        person_check_contacts(person=requester)
    reason = _clean_text(reason, empty=errors.REASON_EMPTY, too_long=errors.REASON_TOO_LONG, limit=REASON_MAX_LENGTH)
    try:
        module = Module.objects.get(pk=int(module_id), active=True)
    except (Module.DoesNotExist, TypeError, ValueError, OverflowError):
        raise errors.InvalidInput(errors.MODULE_INVALID) from None
    # Cheap checks before any file is decoded: the rate limit counts the files as sent.
    files = list(files or [])
    author = user or requester.user
    if author is not None:
        _check_rate(author, 1 + len(files))
    _check_open_limit(requester, by_attendant=channel == Channel.PHONE)
    clean_files = attachments_clean(files=files)
    now = now or timezone.now()
    status = Status.NAO_INICIADO if attendance_is_open(at=now) else Status.OFFLINE

    with stored_files_cleanup() as stored, transaction.atomic():
        # Two openings at once must not both slip under the limit: the person's row serialises them.
        Person.objects.select_for_update().filter(pk=requester.pk).first()
        _check_open_limit(requester, by_attendant=channel == Channel.PHONE)
        ticket = Ticket.objects.create(
            requester=requester,
            entity_id=requester.entity_id,
            module=module,
            channel=channel,
            priority=CHANNEL_PRIORITY[channel],
            status=status,
            opened_at=now,
            opened_offline=status == Status.OFFLINE,
        )
        by_requester = {
            "author_kind": Message.Author.REQUESTER,
            "author": requester.user,
            "author_name": requester.name,
            "now": now,
        }
        if channel == Channel.PHONE and user is not None:
            # Typed by the attendant who took the call: it reads as registered by them, not as the caller's words.
            phone = {**by_requester, "author": user, "author_name": display_name(user), "params": {"phone": True}}
            _add_message(ticket, kind=Message.Kind.OPENING, body=reason, **phone)
        else:
            _add_message(ticket, kind=Message.Kind.OPENING, body=reason, **by_requester)
        if clean_files:
            files_message = _add_message(ticket, kind=Message.Kind.FILES, body=OPENED_WITH_FILES, **by_requester)
            attachments_store(message=files_message, files=clean_files, user=author, stored=stored)
        realtime.publish_ticket_changed(ticket)
    return ticket


def _client_key_parse(value: str | uuid.UUID | None) -> uuid.UUID | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise errors.InvalidInput(errors.KEY_INVALID) from None


def _files_key(key: uuid.UUID) -> uuid.UUID:
    """The key of the files message of a send that also had a text (each message has its own key)."""
    return uuid.uuid5(key, "files")


def _sent_with_key(*, ticket: Ticket, user: AbstractBaseUser, key: uuid.UUID) -> list[Message] | None:
    """The messages a send with this key already saved, or None; a key of another ticket or person is refused."""
    found = list(
        Message.objects.filter(client_key__in=[key, _files_key(key)]).order_by("id").prefetch_related("attachments")
    )
    if not found:
        return None
    if any(message.ticket_id != ticket.pk or message.author_id != user.pk for message in found):
        raise errors.InvalidInput(errors.KEY_OF_ANOTHER_TICKET)
    return found


@realtime.batched
def ticket_message_create(
    *,
    ticket: Ticket,
    user: AbstractBaseUser,
    body: str,
    files: Sequence = (),
    client_key: str | uuid.UUID | None = None,
) -> list[Message]:
    """A message and/or files from the requester or from an attendant, in the open conversation (S15, S24).

    Files go in a message of their own ("O usuário enviou um arquivo." / "O atendente enviou um arquivo").
    `client_key`, made by the browser for each send, makes a retry safe: a send whose key is already
    saved returns what it saved, whatever happened to the ticket since, and saves nothing again.
    """
    key = _client_key_parse(client_key)
    if key is not None:
        already = _sent_with_key(ticket=ticket, user=user, key=key)
        if already is not None:
            return already
    as_attendant = ticket.requester.user_id != user.pk
    if as_attendant and not user_is_attendant(user=user):
        raise errors.NotAllowed(gettext(errors.NOT_AN_ATTENDANT).format(name=user.get_username()))
    body = _clean_text(
        body,
        empty=errors.MESSAGE_EMPTY,
        too_long=errors.MESSAGE_TOO_LONG,
        limit=MESSAGE_MAX_LENGTH,
        allow_empty=bool(files),
    )
    files = list(files or [])
    if not body and not files:
        raise errors.InvalidInput(errors.MESSAGE_EMPTY)
    if ticket.is_closed:
        raise errors.TicketClosed()
    # Cheap checks before any file is decoded: the rate limit counts the files as sent.
    _check_rate(user, (1 if body else 0) + len(files))
    clean_files = attachments_clean(files=files)

    now = timezone.now()
    created: list[Message] = []
    with stored_files_cleanup() as stored, transaction.atomic():
        ticket = _lock(ticket)
        if key is not None:
            # The same send twice at once: the ticket's lock lets the second see what the first saved.
            already = _sent_with_key(ticket=ticket, user=user, key=key)
            if already is not None:
                return already
        if ticket.is_closed:
            raise errors.TicketClosed()
        if as_attendant:
            policy_check(user=user, ticket=ticket, action=Action.REPLY)
            author_kind = Message.Author.ATTENDANT
            file_text = ATTENDANT_SENT_FILE
            if ticket.attendant_id is None or ticket.status in WAITING_STATUSES:
                _take(ticket, attendant=user, now=now, announce=False)
            if ticket.first_response_at is None:
                ticket.first_response_at = now
                ticket.save(update_fields=["first_response_at"])
        else:
            author_kind = Message.Author.REQUESTER
            file_text = REQUESTER_SENT_FILE
        name = display_name(user)
        if body:
            created.append(
                _add_message(
                    ticket,
                    author_kind=author_kind,
                    author=user,
                    author_name=name,
                    body=body,
                    now=now,
                    client_key=key,
                )
            )
        if clean_files:
            message = _add_message(
                ticket,
                author_kind=author_kind,
                kind=Message.Kind.FILES,
                author=user,
                author_name=name,
                body=file_text,
                now=now,
                client_key=_files_key(key) if key is not None and body else key,
            )
            attachments_store(message=message, files=clean_files, user=user, stored=stored)
            created.append(message)
        if as_attendant:
            realtime.publish_badge(ticket.requester_id)
        realtime.publish_ticket_changed(ticket)
    return created


@realtime.batched
def ticket_note_create(*, ticket: Ticket, user: AbstractBaseUser, body: str) -> Message:
    """An internal note ("Nota interna"): attendants only read it; the requester never does.

    It changes nothing the requester's side counts (read marks, badge, first response, status) and
    is announced to the conversation's attendant sockets only (realtime.publish_message).
    """
    body = _clean_text(body, empty=errors.NOTE_EMPTY, too_long=errors.NOTE_TOO_LONG, limit=NOTE_MAX_LENGTH)
    if MARKUP.search(body):
        raise errors.InvalidInput(errors.NOTE_MARKUP)
    if ticket.requester.user_id == user.pk or not policy_decide(user=user, ticket=ticket, action=Action.NOTE):
        raise errors.NotAllowed(errors.NOTE_NOT_ALLOWED)
    _check_rate(user)
    with transaction.atomic():
        ticket = _lock(ticket)
        if not policy_decide(user=user, ticket=ticket, action=Action.NOTE):
            raise errors.NotAllowed(errors.NOTE_NOT_ALLOWED)
        message = Message.objects.create(
            ticket=ticket,
            author_kind=Message.Author.ATTENDANT,
            kind=Message.Kind.NOTE,
            author=user,
            author_name=display_name(user),
            body=body,
            created_at=timezone.now(),
        )
        realtime.publish_message(message)
    return message


def _set_status(ticket: Ticket, target: str, *, now: datetime, **extra: object) -> None:
    previous = ticket.status
    ticket.status = target
    fields = ["status", *extra]
    for name, value in extra.items():
        setattr(ticket, name, value)
    if target in CLOSED_STATUSES:
        ticket.closed_at = now
        fields.append("closed_at")
    ticket.save(update_fields=fields)
    if target in CONCLUDED_STATUSES and previous not in CONCLUDED_STATUSES:
        _queue_transcript(ticket)
    realtime.publish_status(ticket)
    realtime.publish_ticket_changed(ticket)


@realtime.batched
def ticket_conclude_by_requester(*, ticket: Ticket, user: AbstractBaseUser) -> Ticket:
    """S16: "Concluir Atendimento"; the dialog gets "* Chat Concluído pelo Usuário!" and the e-mail goes out."""
    now = timezone.now()
    with transaction.atomic():
        ticket = _lock(ticket)
        if ticket.requester.user_id != user.pk:
            raise errors.NotAllowed(errors.TICKET_CLOSED)
        if ticket.is_closed:
            raise errors.TicketClosed()
        _check_transition(ticket, Status.CONCLUIDO_USUARIO)
        _add_message(ticket, author_kind=Message.Author.SYSTEM, kind=Message.Kind.EVENT, body=CONCLUDED_BY_REQUESTER)
        _set_status(ticket, Status.CONCLUIDO_USUARIO, now=now)
    return ticket


@realtime.batched
def ticket_status_change(
    *, ticket: Ticket, attendant: AbstractBaseUser, status: str, scheduled_for: datetime | None = None
) -> Ticket:
    """An attendant moves a ticket along the table; "Agendado" needs a future date and time."""
    if not user_is_attendant(user=attendant):
        raise errors.NotAllowed(gettext(errors.NOT_AN_ATTENDANT).format(name=attendant.get_username()))
    if status not in Status.values:
        raise errors.InvalidInput(gettext(errors.TRANSITION_NOT_ALLOWED).format(current="?", target=status))
    now = timezone.now()
    with transaction.atomic():
        ticket = _lock(ticket)
        if status in REQUESTER_ONLY:
            raise errors.TransitionNotAllowed(
                gettext(errors.TRANSITION_NOT_ALLOWED).format(
                    current=ticket.get_status_display(), target=Status(status).label
                )
            )
        _check_transition(ticket, status)
        action = Action.CONCLUDE if status == Status.CONCLUIDO else Action.CHANGE_STATUS
        policy_check(user=attendant, ticket=ticket, action=action)
        extra: dict[str, object] = {}
        if status == Status.AGENDADO:
            if scheduled_for is None:
                raise errors.InvalidInput(errors.SCHEDULE_REQUIRED)
            _check_schedule(scheduled_for, now=now)
            extra["scheduled_for"] = scheduled_for
        if ticket.attendant_id is None:
            extra["attendant"] = attendant
            extra["taken_at"] = now
            _add_event(ticket, text=TAKEN, by=attendant, now=now, name=display_name(attendant))
        if status == Status.AGENDADO:
            _add_event(ticket, text=SCHEDULED, by=attendant, now=now, at=scheduled_for.isoformat())
        else:
            _add_event(ticket, text=STATUS_CHANGED, by=attendant, now=now, status=str(status))
        _set_status(ticket, status, now=now, **extra)
    return ticket


def _check_schedule(scheduled_for: datetime, *, now: datetime) -> None:
    """In the future and at most SCHEDULE_MAX_DAYS ahead; dates at the edge of the calendar are refused too."""
    try:
        moment = scheduled_for.astimezone(UTC)
    except (OverflowError, ValueError):
        # Year 1 or 9999 shifted by its time zone leaves the calendar: one of the two ends.
        past = scheduled_for.year < now.year
        raise errors.InvalidInput(
            errors.SCHEDULE_IN_PAST if past else errors.SCHEDULE_TOO_FAR.format(days=settings.SCHEDULE_MAX_DAYS)
        ) from None
    if moment <= now:
        raise errors.InvalidInput(errors.SCHEDULE_IN_PAST)
    if moment > now + timedelta(days=settings.SCHEDULE_MAX_DAYS):
        raise errors.InvalidInput(errors.SCHEDULE_TOO_FAR.format(days=settings.SCHEDULE_MAX_DAYS))


def _take(ticket: Ticket, *, attendant: AbstractBaseUser, now: datetime, announce: bool = True) -> None:
    # Taken by replying, the reply itself says who answered ("NOME diz"): no line of its own.
    if announce:
        _add_event(ticket, text=TAKEN, by=attendant, now=now, name=display_name(attendant))
    _set_status(ticket, Status.EM_ATENDIMENTO, now=now, attendant=attendant, taken_at=now)


@realtime.batched
def ticket_take(*, ticket: Ticket, attendant: AbstractBaseUser) -> Ticket:
    """An attendant takes a given ticket: "Em Atendimento", theirs (B4: never two at once)."""
    if not user_is_attendant(user=attendant):
        raise errors.NotAllowed(gettext(errors.NOT_AN_ATTENDANT).format(name=attendant.get_username()))
    with transaction.atomic():
        ticket = _lock(ticket)
        if ticket.status == Status.EM_ATENDIMENTO and ticket.attendant_id == attendant.pk:
            return ticket
        policy_check(user=attendant, ticket=ticket, action=Action.TAKE)
        _take(ticket, attendant=attendant, now=timezone.now())
    return ticket


@realtime.batched
def ticket_take_next(*, attendant: AbstractBaseUser) -> Ticket:
    """ "Atender próximo": the first waiting ticket by priority then age; rows others hold are skipped."""
    from .selectors import queue_waiting

    if not user_is_attendant(user=attendant):
        raise errors.NotAllowed(gettext(errors.NOT_AN_ATTENDANT).format(name=attendant.get_username()))
    with transaction.atomic():
        ticket = (
            queue_waiting().filter(attendant__isnull=True).select_for_update(skip_locked=True, of=("self",)).first()
        )
        if ticket is None:
            raise errors.InvalidInput(errors.QUEUE_EMPTY)
        _take(ticket, attendant=attendant, now=timezone.now())
    return ticket


HANDOFF_NOTE_MAX_LENGTH = 1000
#: A tag, a closing tag, a comment or a doctype: a hand-off note is plain text.
HANDOFF_MARKUP = re.compile(r"<\s*[A-Za-z/!?]")


def _clean_handoff_note(note: str | None) -> str:
    note = _clean_text(
        note, empty=errors.HANDOFF_NOTE_EMPTY, too_long=errors.HANDOFF_NOTE_TOO_LONG, limit=HANDOFF_NOTE_MAX_LENGTH
    )
    if HANDOFF_MARKUP.search(note):
        raise errors.InvalidInput(errors.HANDOFF_NOTE_MARKUP)
    return note


def _handoff(
    ticket: Ticket, *, kind: str, by: AbstractBaseUser, to: AbstractBaseUser, now: datetime, note: str = ""
) -> Handoff:
    handoff = Handoff.objects.create(ticket=ticket, kind=kind, by=by, to=to, note=note, created_at=now)
    realtime.publish_attendant_notice(to.pk, ticket_id=ticket.pk)
    return handoff


def _hand_over(ticket: Ticket, *, by: AbstractBaseUser, to: AbstractBaseUser, now: datetime) -> AbstractBaseUser | None:
    """The ticket becomes ``to``'s with the requester's system line; open requests for it are answered."""
    previous = ticket.attendant
    if previous is None:
        _add_event(ticket, text=TAKEN, by=by, now=now, name=display_name(to))
    else:
        _add_event(ticket, text=TRANSFERRED, by=by, now=now, from_name=display_name(previous), to_name=display_name(to))
    ticket.attendant = to
    ticket.taken_at = now
    ticket.save(update_fields=["attendant", "taken_at"])
    # Asked for the transfer, and it happened (to them or to someone else): the request is answered.
    Handoff.objects.filter(ticket=ticket, kind=Handoff.Kind.REQUEST, seen_at__isnull=True).update(seen_at=now)
    realtime.publish_status(ticket)
    realtime.publish_ticket_changed(ticket)
    return previous


@realtime.batched
def ticket_transfer(*, ticket: Ticket, attendant: AbstractBaseUser, to: AbstractBaseUser, note: str) -> Ticket:
    """Hand a ticket to another attendant, who is "Disponível", with a note for them (issue 14, point 8).

    The requester reads only the system line ("Atendimento transferido de ... para ..."); the note is
    for attendants (tickets.Handoff) and reaches the receiver's bar live.
    """
    if not user_is_attendant(user=attendant):
        raise errors.NotAllowed(gettext(errors.NOT_AN_ATTENDANT).format(name=attendant.get_username()))
    if not user_is_attendant(user=to):
        raise errors.InvalidInput(gettext(errors.NOT_AN_ATTENDANT).format(name=display_name(to)))
    note = _clean_handoff_note(note)
    if not presence_is_available(user_id=to.pk):
        raise errors.InvalidInput(gettext(errors.TRANSFER_TO_ABSENT).format(name=display_name(to)))
    with transaction.atomic():
        ticket = _lock(ticket)
        policy_check(user=attendant, ticket=ticket, action=Action.TRANSFER)
        if ticket.attendant_id == to.pk:
            raise errors.InvalidInput(gettext(errors.TRANSFER_TO_HOLDER).format(name=display_name(to)))
        now = timezone.now()
        _hand_over(ticket, by=attendant, to=to, now=now)
        _handoff(ticket, kind=Handoff.Kind.TRANSFER, by=attendant, to=to, now=now, note=note)
    return ticket


@realtime.batched
def ticket_take_over(*, ticket: Ticket, attendant: AbstractBaseUser) -> Ticket:
    """ "Assumir" a ticket another attendant holds (tickets.take_over_ticket); the previous holder is told."""
    with transaction.atomic():
        ticket = _lock(ticket)
        policy_check(user=attendant, ticket=ticket, action=Action.TAKE_OVER)
        now = timezone.now()
        previous = _hand_over(ticket, by=attendant, to=attendant, now=now)
        _handoff(ticket, kind=Handoff.Kind.TAKE_OVER, by=attendant, to=previous, now=now)
    return ticket


@realtime.batched
def ticket_transfer_request(*, ticket: Ticket, attendant: AbstractBaseUser) -> Handoff:
    """ "Solicitar transferência": the holder is asked, live on their bar; once while unanswered."""
    with transaction.atomic():
        ticket = _lock(ticket)
        policy_check(user=attendant, ticket=ticket, action=Action.REQUEST_TRANSFER)
        holder = ticket.attendant
        if Handoff.objects.filter(
            ticket=ticket, kind=Handoff.Kind.REQUEST, by=attendant, to=holder, seen_at__isnull=True
        ).exists():
            raise errors.InvalidInput(gettext(errors.TRANSFER_ALREADY_REQUESTED).format(name=display_name(holder)))
        return _handoff(ticket, kind=Handoff.Kind.REQUEST, by=attendant, to=holder, now=timezone.now())


@realtime.batched
def handoffs_mark_seen(*, ticket: Ticket, user: AbstractBaseUser) -> None:
    """The attendant opened the ticket: what was said to them about it leaves their bar (one query)."""
    if Handoff.objects.filter(ticket=ticket, to=user, seen_at__isnull=True).update(seen_at=timezone.now()):
        realtime.publish_attendant_notice(user.pk, ticket_id=ticket.pk)


def ticket_register_phone(
    *, attendant: AbstractBaseUser, requester: Person, module_id: int | str, reason: str
) -> Ticket:
    """S22: a ticket that came by phone, registered by an attendant; it queues after the on-line ones."""
    if not user_is_attendant(user=attendant):
        raise errors.NotAllowed(gettext(errors.NOT_AN_ATTENDANT).format(name=attendant.get_username()))
    return ticket_open(
        requester=requester,
        module_id=module_id,
        reason=reason,
        user=attendant,
        channel=Channel.PHONE,
    )


@realtime.batched
def ticket_mark_read(*, ticket: Ticket, user: AbstractBaseUser, up_to: int | None = None) -> None:
    """Opening a conversation reads the other side's messages; the badge follows."""
    as_requester = ticket.requester.user_id == user.pk
    if as_requester:
        target = ticket.last_attendant_message_id if up_to is None else min(up_to, ticket.last_attendant_message_id)
        if target <= ticket.requester_read_id:
            return
        now = timezone.now()
        Ticket.objects.filter(pk=ticket.pk, requester_read_id__lt=target).update(
            requester_read_id=target, requester_read_at=now
        )
        ticket.requester_read_id, ticket.requester_read_at = target, now
        realtime.publish_badge(ticket.requester_id)
        realtime.publish_seen(ticket, side=Message.Author.REQUESTER)
    elif policy_decide(user=user, ticket=ticket, action=Action.READ):
        # Only the holder's reading (or anyone's while nobody holds it): a colleague looking in leaves "Não lida".
        target = ticket.last_requester_message_id if up_to is None else min(up_to, ticket.last_requester_message_id)
        if target <= ticket.attendant_read_id:
            return
        now = timezone.now()
        Ticket.objects.filter(pk=ticket.pk, attendant_read_id__lt=target).update(
            attendant_read_id=target, attendant_read_at=now
        )
        ticket.attendant_read_id, ticket.attendant_read_at = target, now
        realtime.publish_ticket_changed(ticket)
        realtime.publish_seen(ticket, side=Message.Author.ATTENDANT)


def transcript_outbox_ensure(*, ticket: Ticket) -> TranscriptOutbox:
    """Used by the admin's "send again": the row exists once per ticket, whatever races."""
    try:
        with transaction.atomic():
            outbox, _ = TranscriptOutbox.objects.get_or_create(ticket=ticket)
    except IntegrityError:
        outbox = TranscriptOutbox.objects.get(ticket=ticket)
    return outbox


def attendant_sound_set(*, user: AbstractBaseUser, sound: bool) -> AttendantPreference:
    """An attendant turns the short sound of their console's notices on or off (kept per user)."""
    if not user_is_attendant(user=user):
        raise errors.NotAllowed(gettext(errors.NOT_AN_ATTENDANT).format(name=user.get_username()))
    preference, _ = AttendantPreference.objects.update_or_create(user_id=user.pk, defaults={"sound": sound})
    return preference
