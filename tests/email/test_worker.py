"""A real Celery worker (subprocess) on the real Redis broker, delivering to a real SMTP server on loopback.

Every test reads the e-mail back from the SMTP server. "Once" is checked after the worker has run every
task it was given, so a duplicate would have arrived by then.
"""

import threading

import pytest
from django.db import connection

from tickets import errors, services
from tickets.models import Status, TranscriptOutbox
from tickets.tasks import send_transcript

from .conftest import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def wait_sent(ticket) -> TranscriptOutbox:
    return wait_until(lambda: TranscriptOutbox.objects.filter(ticket=ticket, sent_at__isnull=False).first())


def wait_tasks_done(worker, since: int, count: int) -> str:
    return wait_until(lambda: worker.output(since).count("succeeded in") >= count and worker.output(since))


def test_conclusion_reaches_the_smtp_server_through_the_worker(conversation, person, worker):
    worker, handler, since = worker

    ticket = conversation()  # concluded by the attendant: the task goes to Redis on commit

    outbox = wait_sent(ticket)
    wait_tasks_done(worker, since, 1)
    (received,) = handler.received
    assert handler.envelopes == [[f"pessoa{person.pk}@prefeitura.sc.gov.br"]]
    assert received["Message-ID"].strip() == outbox.message_id
    assert received["Subject"] == f"Atendimento {ticket.number} (Nota Fiscal Eletrônica Web) – Concluído"
    assert received.get_body(("plain",)).get_content().count("Reenvie a nota, por favor.") == 1
    assert "<strong>Ana Paula Schmitt</strong> diz" in received.get_body(("html",)).get_content()
    names = sorted(part.get_filename() for part in received.iter_attachments())
    assert names == ["passos.txt", "relatorio.txt", "tela.png"]
    ticket.refresh_from_db()
    assert ticket.transcript_sent_at == outbox.sent_at


def test_server_refusing_twice_then_accepting_gets_one_email(conversation, worker):
    worker, handler, since = worker
    handler.refuse_next(2)  # 451: temporary failure, twice

    ticket = conversation()

    outbox = wait_sent(ticket)
    log = wait_tasks_done(worker, since, 1)
    assert handler.attempts == 3 and len(handler.received) == 1
    assert outbox.attempts == 3 and outbox.failed_at is None and outbox.last_error == ""
    assert handler.received[0]["Message-ID"].strip() == outbox.message_id
    assert log.count("retry in") == 2


def test_task_delivered_twice_sends_once(conversation, worker):
    worker, handler, since = worker

    ticket = conversation()  # queued once on commit ...
    send_transcript.delay(ticket.pk)  # ... and once more, as a re-delivery or the sweep would

    log = wait_tasks_done(worker, since, 2)
    assert "'sent'" in log and "'already_sent'" in log
    assert len(handler.received) == 1


def test_two_conclusions_racing_leave_one_outbox_row_and_one_email(person, attendant, open_ticket, worker):
    worker, handler, since = worker
    ticket = open_ticket(person)
    services.ticket_take(ticket=ticket, attendant=attendant)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def conclude(by_requester: bool) -> None:
        barrier.wait()
        try:
            if by_requester:
                services.ticket_conclude_by_requester(ticket=ticket, user=person.user)
            else:
                services.ticket_status_change(ticket=ticket, attendant=attendant, status=Status.CONCLUIDO)
            outcomes.append("concluded")
        except (errors.TicketClosed, errors.TransitionNotAllowed):
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=conclude, args=(flag,)) for flag in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["concluded", "refused"]
    assert TranscriptOutbox.objects.filter(ticket=ticket).count() == 1
    wait_sent(ticket)
    log = wait_tasks_done(worker, since, 1)
    assert log.count("succeeded in") == 1
    assert len(handler.received) == 1
