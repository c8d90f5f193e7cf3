"""No value in a URL, a query string or a stored row breaks a page for others (issue 15, point 6).

Threats: an attendant (or anyone who can send a link to one) opens the queue with a filter value that is
out of range or of the wrong kind (a 20-digit id, a negative page, NUL, text where an id goes) and gets a
500 instead of a clear answer; a schedule saved for the year 9999 (or in the past) that breaks every page
that shows or sorts it.
"""

from datetime import datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.conftest import login
from tickets import errors, services
from tickets.admin.queue import QUEUE_FILTER_INVALID
from tickets.models import Status

pytestmark = pytest.mark.django_db

QUEUE_PARAMETERS = [
    "situacao",
    "atendente",
    "leitura",
    "module__id__exact",
    "entity__id__exact",
    "channel__exact",
    "q",
    "p",
    "o",
    "e",
    "_facets",
    "all",
    "_changelist_filters",
    "opened_at__gte",
    "requester__user__password__startswith",
    "id__in",
    "desconhecido",
]
values = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["", " ", "-1", "0", "9" * 30, "1e309", "NaN", "1,2", "\x00", "a\x00b", "%00", "٣", "ⅷ"]),
    st.text(max_size=40),
    st.sampled_from(["abertos", "aguardando", "todos", "meus", "nenhum", "nao-lidas", *Status.values]),
)
queries = st.dictionaries(st.one_of(st.sampled_from(QUEUE_PARAMETERS), st.text(max_size=12)), values, max_size=4)

#: What a well-formed refusal looks like: a page, a redirect to "?e=1", a 400 (NUL) or a 404.
ANSWERS = {200, 302, 400, 404}


@pytest.fixture
def queue_client(attendant, ticket):
    return login(Client(), attendant)


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries)
def test_the_queue_answers_any_query_string_without_a_500(queue_client, query):
    url = reverse("admin:tickets_ticket_changelist") + "?" + urlencode(query)
    response = queue_client.get(url)
    assert response.status_code in ANSWERS, (query, response.status_code)
    if response.status_code == 200:
        assert "Fila de atendimento" in response.content.decode()
    if response.status_code == 302:
        # A filter the queue cannot apply: back to the queue with the reason, never "Erro no banco de dados".
        page = queue_client.get(response["Location"], follow=True)
        assert page.status_code == 200 and "Fila de atendimento" in page.content.decode()
        if "e=1" in response["Location"] or "e" in query:
            assert str(QUEUE_FILTER_INVALID) in page.content.decode()


OTHER_LISTS = {
    "admin:tickets_transcriptoutbox_changelist": ["situacao", "q", "p", "o", "ticket__id__exact"],
    "admin:people_person_changelist": ["kind__exact", "entity__id__exact", "q", "p", "o"],
    "admin:people_entity_changelist": ["online_chat_enabled__exact", "q", "p", "o"],
}
other_queries = st.dictionaries(
    st.sampled_from(sorted({name for names in OTHER_LISTS.values() for name in names} | {"e", "desconhecido"})),
    values,
    max_size=3,
)


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(OTHER_LISTS)), query=other_queries)
def test_the_other_admin_lists_answer_any_query_string_without_a_500(attendant, ticket, name, query):
    """The outbox (attendants may resend) and the people and entities they look up."""
    response = login(Client(), attendant).get(reverse(name) + "?" + urlencode(query))
    assert response.status_code in ANSWERS, (name, query, response.status_code)


@pytest.mark.parametrize("number", ["0", "99999999999999999999", "9223372036854775808", str(2**63 - 1), "abc", "1e3"])
def test_every_id_in_a_url_answers_404_or_a_redirect_never_500(number, person_client, attendant, ticket):
    admin = login(Client(), attendant)
    for client, url, method in [
        (person_client, f"/chat/atendimentos/{number}/", "get"),
        (person_client, f"/chat/atendimentos/{number}/informacoes/", "get"),
        (person_client, f"/chat/atendimentos/{number}/concluir/", "post"),
        (person_client, f"/anexos/{number}/", "get"),
        (admin, f"/admin/tickets/ticket/{number}/change/", "get"),
        (admin, f"/admin/tickets/ticket/{number}/assumir/", "post"),
        (admin, f"/admin/tickets/ticket/{number}/situacao/", "post"),
        (admin, f"/admin/tickets/ticket/{number}/transferir/", "post"),
        (admin, f"/admin/tickets/ticket/{number}/assumir-de-colega/", "post"),
        (admin, f"/admin/tickets/ticket/{number}/solicitar-transferencia/", "post"),
        (admin, f"/admin/people/person/{number}/change/", "get"),
        (admin, f"/admin/tickets/transcriptoutbox/{number}/change/", "get"),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code in {302, 404}, (url, response.status_code)


def test_a_schedule_is_refused_in_the_past_or_more_than_a_year_ahead(ticket, attendant, settings):
    assert settings.SCHEDULE_MAX_DAYS == 365
    services.ticket_take(ticket=ticket, attendant=attendant)
    now = timezone.now()
    local = timezone.get_current_timezone()
    refusals = {
        now - timedelta(minutes=1): errors.SCHEDULE_IN_PAST,
        now + timedelta(days=366): errors.SCHEDULE_TOO_FAR.format(days=365),
        datetime(9999, 12, 31, 23, 59, tzinfo=local): errors.SCHEDULE_TOO_FAR.format(days=365),
        datetime(1, 1, 1, 0, 0, tzinfo=local): errors.SCHEDULE_IN_PAST,
    }
    for moment, message in refusals.items():
        with pytest.raises(errors.InvalidInput) as refused:
            services.ticket_status_change(
                ticket=ticket, attendant=attendant, status=Status.AGENDADO, scheduled_for=moment
            )
        assert refused.value.message == message
    ticket.refresh_from_db()
    assert ticket.status == Status.EM_ATENDIMENTO and ticket.scheduled_for is None
    fine = now + timedelta(days=364)
    services.ticket_status_change(ticket=ticket, attendant=attendant, status=Status.AGENDADO, scheduled_for=fine)
    ticket.refresh_from_db()
    assert ticket.scheduled_for == fine


@pytest.mark.parametrize(
    ("day", "time"),
    [
        ("9999-12-31", "23:59"),
        ("0001-01-01", "00:00"),
        ("2020-02-30", "10:00"),
        ("99999-01-01", "10:00"),
        ("x", "25:61"),
    ],
)
def test_the_schedule_form_answers_any_date_with_a_message(ticket, attendant, day, time):
    client = login(Client(), attendant)
    services.ticket_take(ticket=ticket, attendant=attendant)
    url = reverse("admin:tickets_ticket_status", args=[ticket.pk])
    response = client.post(url, {"status": Status.AGENDADO, "scheduled_date": day, "scheduled_time": time}, follow=True)
    # A date the form cannot read is bad input (the conversation again, 400); one the service refuses, a redirect.
    assert response.status_code in {200, 400}
    page = response.content.decode()
    assert any(
        message in page
        for message in (errors.SCHEDULE_REQUIRED, errors.SCHEDULE_IN_PAST, errors.SCHEDULE_TOO_FAR.format(days=365))
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.EM_ATENDIMENTO
