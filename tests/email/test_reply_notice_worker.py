"""The e-mail notice of an unread reply (routing/notices.py), through a real Celery worker on Redis to a real
SMTP server: sent once, after REPLY_NOTICE_AFTER, with a link and no message text; not sent when the reply
was read in time, when the person switched it off, or when the ticket was concluded meanwhile.

"Once" is checked after the worker ran every task it was given (the reply's own, a duplicate, the sweep's).
"""

import re

import pytest

from routing import notices, services
from routing.models import ReplyNotice
from routing.tasks import send_reply_notice, sweep
from tickets import services as tickets_services
from tickets.models import Status

from .conftest import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

AFTER = 2
REPLY = "A senha do certificado é 1234-SEGREDO."


@pytest.fixture
def notice_worker(settings, start_worker, smtp_server):
    settings.REPLY_NOTICE_AFTER = AFTER  # the countdown queued by this process
    handler, _ = smtp_server
    worker = start_worker(REPLY_NOTICE_AFTER=str(AFTER), PUBLIC_BASE_URL="https://chat.ipm.test")
    return worker, handler


def reply(ticket, attendant) -> int:
    [message] = tickets_services.ticket_message_create(ticket=ticket, user=attendant, body=REPLY)
    return message.pk


def finished(worker, result: str, count: int = 1) -> str:
    return wait_until(lambda: worker.output().count(f"'{result}'") >= count and worker.output(), timeout=40)


def test_an_unread_reply_sends_one_notice_with_a_link_and_no_text(notice_worker, person, attendant, open_ticket):
    worker, handler = notice_worker
    ticket = open_ticket(person)
    reply_id = reply(ticket, attendant)  # queued with the countdown on commit

    finished(worker, notices.SENT)
    send_reply_notice.delay(ticket.pk, reply_id)  # a re-delivery
    sweep.delay()  # and the beat's sweep: the notice of this period is sent already
    log = finished(worker, notices.ALREADY_SENT)
    wait_until(lambda: re.search(r"Task routing\.sweep\[[^\]]+\] succeeded", worker.output()))

    assert len(handler.received) == 1, log
    (received,) = handler.received
    assert handler.envelopes == [[f"pessoa{person.pk}@prefeitura.sc.gov.br"]]
    assert received["Subject"] == f"Atendimento {ticket.pk}: há uma resposta para você"
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert f"https://chat.ipm.test/chat/atendimentos/{ticket.pk}/" in text
    assert f'href="https://chat.ipm.test/chat/atendimentos/{ticket.pk}/"' in html
    assert "SEGREDO" not in received.as_string()
    notice = ReplyNotice.objects.get(ticket=ticket)
    assert notice.sent_at is not None and received["Message-ID"].strip() == notice.message_id


def test_a_reply_read_in_time_sends_nothing(notice_worker, person, attendant, open_ticket):
    worker, handler = notice_worker
    ticket = open_ticket(person)
    reply(ticket, attendant)
    ticket.refresh_from_db()
    tickets_services.ticket_mark_read(ticket=ticket, user=person.user)

    finished(worker, notices.READ)
    assert handler.received == []
    assert not ReplyNotice.objects.exists()


def test_switched_off_in_meus_dados_sends_nothing(notice_worker, person, attendant, open_ticket):
    worker, handler = notice_worker
    services.notice_preference_set(user=person.user, reply_email=False)
    ticket = open_ticket(person)
    reply(ticket, attendant)

    finished(worker, notices.SWITCHED_OFF)
    assert handler.received == []


def test_a_ticket_concluded_meanwhile_sends_nothing(notice_worker, person, attendant, open_ticket):
    worker, handler = notice_worker
    ticket = open_ticket(person)
    reply(ticket, attendant)
    tickets_services.ticket_status_change(ticket=ticket, attendant=attendant, status=Status.CONCLUIDO)

    finished(worker, notices.CLOSED)
    # The transcript goes out (the conclusion's own e-mail); no notice does.
    assert all("há uma resposta" not in message["Subject"] for message in handler.received)
    assert not ReplyNotice.objects.exists()
