"""Property-based tests: whatever text, ids and statuses reach the services, they answer with a refusal
the user can read (an ApplicationError) or a 404, never with anything else (a 500).

Threat: input nobody thought of (control characters, huge numbers, unknown statuses, far-away dates,
another person's id) crashes a request, leaves half a change behind, or reaches the database raw.
Each example runs in a savepoint rolled back afterwards, so examples do not depend on each other.
"""

from contextlib import contextmanager
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from atende_chat.errors import ApplicationError
from tests.factories import UserFactory
from tickets import services
from tickets.models import Status
from tickets.selectors import ticket_get_for_user

pytestmark = pytest.mark.django_db

examples = hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

#: Any text, control characters and NUL included, sometimes long, sometimes made only of blanks.
texts = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=4990, max_size=5010),
    st.sampled_from(["", " ", "\x00", "\x00a\x00", "\n\t ", "\u200b", "'; DROP TABLE tickets_ticket; --"]),
)
ids = st.one_of(
    st.none(),
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**80),
    st.text(max_size=30),
    st.sampled_from(["1", " 1 ", "01", "-1", "0", "1.5", "1e9", "٣", "9" * 40, "0x10"]),
)
statuses = st.one_of(st.sampled_from(Status.values), st.text(max_size=40), st.sampled_from(["", "CONCLUIDO", " "]))
zones = st.sampled_from([UTC, ZoneInfo("America/Sao_Paulo"), ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Etc/GMT+12")])
moments = st.one_of(st.none(), st.datetimes(timezones=zones))


@contextmanager
def only_expected_refusals():
    """Run one example in a rolled-back savepoint; anything but a refusal or a 404 fails the test."""
    with transaction.atomic():
        try:
            yield
        except (ApplicationError, Http404):
            pass
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    # The limit has its own tests; here it would turn every later example into the same refusal.
    settings.MESSAGE_RATE_LIMIT = 0


@examples
@given(module_id=ids, reason=texts)
def test_ticket_open_refuses_or_opens_whatever_module_and_reason(person, module, module_id, reason):
    with only_expected_refusals():
        ticket = services.ticket_open(requester=person, module_id=module_id, reason=reason)
        opening = ticket.messages.get()
        assert opening.body == reason.replace("\x00", "").strip() and opening.body


@examples
@given(body=texts, who=st.sampled_from(["requester", "attendant", "stranger"]))
def test_ticket_message_create_refuses_or_saves_whatever_body_and_author(ticket, attendant, body, who):
    user = {"requester": ticket.requester.user, "attendant": attendant, "stranger": UserFactory()}[who]
    with only_expected_refusals():
        [message] = services.ticket_message_create(ticket=ticket, user=user, body=body)
        assert message.body == body.replace("\x00", "").strip()


@examples
@given(status=statuses, scheduled_for=moments, holder=st.sampled_from(["nobody", "me", "other"]))
def test_ticket_status_change_refuses_or_moves_whatever_status_and_date(
    ticket, attendant, attendant2, status, scheduled_for, holder
):
    with transaction.atomic():
        if holder != "nobody":
            services.ticket_take(ticket=ticket, attendant=attendant if holder == "me" else attendant2)
        with only_expected_refusals():
            changed = services.ticket_status_change(
                ticket=ticket, attendant=attendant, status=status, scheduled_for=scheduled_for
            )
            changed.refresh_from_db()
            assert changed.status == status
        transaction.set_rollback(True)


@examples
@given(up_to=st.one_of(st.none(), st.integers(), st.integers(min_value=2**63, max_value=2**90)))
def test_ticket_mark_read_accepts_any_id_and_never_reads_past_the_last_message(ticket, attendant, up_to):
    [reply] = services.ticket_message_create(ticket=ticket, user=attendant, body="Olá")
    for user in (ticket.requester.user, attendant, UserFactory()):
        with only_expected_refusals():
            services.ticket_mark_read(ticket=ticket, user=user, up_to=up_to)
            ticket.refresh_from_db()
            assert 0 <= ticket.requester_read_id <= reply.pk
            assert 0 <= ticket.attendant_read_id <= reply.pk


@examples
@given(number=ids)
def test_ticket_get_for_user_answers_a_ticket_or_404_for_any_number(ticket, other_person, attendant, number):
    for user in (ticket.requester.user, other_person.user, attendant):
        with only_expected_refusals():
            found = ticket_get_for_user(user=user, number=number)
            assert found.pk == ticket.pk and user != other_person.user
