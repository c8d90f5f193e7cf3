"""The database goes away for a moment, at every possible point of a request.

Threat: a connection dropped half-way through opening a ticket, answering or concluding leaves a
ticket without its first message, a message without its files, files on disk nobody points to, a
conclusion without its e-mail row, or shows the user a stack trace. Each service is one
transaction: whichever query fails, nothing is kept and the user reads a clear Portuguese page.

The failure is real PostgreSQL behaviour as Django sees it: an ``execute_wrapper`` raises
``OperationalError`` ("server closed the connection unexpectedly") on the Nth query of the request,
for every N the request makes.
"""

from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from attachments.models import Attachment
from tests.conftest import login
from tickets.models import Message, Ticket, TranscriptOutbox

pytestmark = pytest.mark.django_db(transaction=True)

ERROR_PAGE = "Ocorreu um erro inesperado. Nada foi alterado. Tente novamente em instantes."


class FailOnQuery:
    """Lets N-1 queries through, then fails the Nth as a dropped connection would."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.seen = 0

    def __call__(self, execute, sql, params, many, context):
        self.seen += 1
        if self.seen == self.n:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


@contextmanager
def database_drops_at(n: int):
    with connection.execute_wrapper(FailOnQuery(n)):
        yield


def state(media_root) -> tuple:
    return (
        list(Ticket.objects.order_by("id").values_list("id", "status", "last_requester_message_id")),
        Message.objects.count(),
        Attachment.objects.count(),
        TranscriptOutbox.objects.count(),
        sorted(str(p) for p in media_root.rglob("*") if p.is_file()),
    )


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    # Every attempt below counts against the per-minute limit; it is not what is tested here.
    settings.MESSAGE_RATE_LIMIT = 0
    return tmp_path


def two_files() -> dict:
    return {
        "files": [
            SimpleUploadedFile("nota.txt", b"nota fiscal 1\n", content_type="text/plain"),
            SimpleUploadedFile("outra.txt", b"nota fiscal 2\n", content_type="text/plain"),
        ]
    }


def opened_whole(before: tuple, after: tuple) -> bool:
    """One more ticket, with its reason, its files message and both files, on disk too."""
    return (
        len(after[0]) == len(before[0]) + 1
        and after[1] == before[1] + 2
        and after[2] == before[2] + 2
        and len(after[4]) == len(before[4]) + 2
    )


def answered_whole(before: tuple, after: tuple) -> bool:
    """The text and the files message, both files stored, and the ticket points at the last one."""
    return after[1] == before[1] + 2 and after[2] == before[2] + 2 and len(after[4]) == len(before[4]) + 2


def concluded(snapshot: tuple) -> int:
    return [status for _, status, _ in snapshot[0]].count("concluido_usuario")


def concluded_whole(before: tuple, after: tuple) -> bool:
    """Status, the "* Chat Concluído pelo Usuário!" line and the e-mail's outbox row, together."""
    return after[1] == before[1] + 1 and after[3] == before[3] + 1 and concluded(after) == concluded(before) + 1


REQUESTS = {
    "open a ticket with files": (
        "/chat/novo/",
        lambda module: {"module": module.pk, "reason": "Ajuda", **two_files()},
        opened_whole,
    ),
    "answer with files": ("/chat/atendimentos/{n}/", lambda module: {"body": "Segue", **two_files()}, answered_whole),
    "conclude": ("/chat/atendimentos/{n}/concluir/", lambda module: {}, concluded_whole),
}


@pytest.mark.parametrize("action", REQUESTS)
def test_a_query_failing_anywhere_in_the_request_keeps_all_or_nothing_and_shows_a_portuguese_page(
    action, person, module, open_ticket, media_root, settings
):
    settings.OPEN_TICKETS_MAX = 0  # one ticket per failing query: far more than one person may hold open
    path, data, whole = REQUESTS[action]
    client = login(Client(raise_request_exception=False), person.user)
    with CaptureQueriesContext(connection) as queries:
        assert client.post(path.format(n=open_ticket(person).number), data(module)).status_code == 302
    total = len(queries)
    outcomes = []
    for n in range(1, total + 1):
        url = path.format(n=open_ticket(person).number)
        before = state(media_root)
        with database_drops_at(n):
            response = client.post(url, data(module))
        after = state(media_root)
        outcomes.append(response.status_code)
        if response.status_code == 500:
            page = response.content.decode()
            assert ERROR_PAGE in page and '<html lang="pt-BR">' in page, n
            assert "Traceback" not in page and "OperationalError" not in page
            assert after == before, f"query {n} of {total} failed and left something behind"
        else:
            # Past the commit, only the broadcasts were left: those are skipped, the change stands whole.
            assert response.status_code == 302, (n, response.status_code)
            assert whole(before, after), f"query {n} of {total}: {before} -> {after}"
    # One cut, the commit: every failure before it refuses the whole, every one after keeps the whole.
    assert 500 in outcomes and outcomes == sorted(outcomes, reverse=True), outcomes
