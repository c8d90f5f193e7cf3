"""What a worker's death or the broker's loss of its queue does to the transcript e-mail: it still arrives once."""

import json
import time

import pytest
import redis

from tickets.models import TranscriptOutbox
from tickets.tasks import transcript_outbox_sweep

from .conftest import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

VISIBILITY_TIMEOUT = 3


def wait_sent(ticket) -> TranscriptOutbox:
    return wait_until(lambda: TranscriptOutbox.objects.filter(ticket=ticket, sent_at__isnull=False).first(), 30)


def test_worker_killed_while_sending_the_email_arrives_once_after_a_new_worker_starts(
    conversation, smtp_server, start_worker
):
    handler, _ = smtp_server
    short = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}
    handler.hold_next_message()  # the first delivery hangs in the SMTP conversation
    first = start_worker(**short)

    ticket = conversation()
    wait_until(handler.holding.is_set)
    first.kill()  # SIGKILL in the middle of the task: nothing acknowledged, nothing recorded
    killed_at = time.monotonic()
    handler.release()  # the server never accepted that delivery

    before = TranscriptOutbox.objects.get(ticket=ticket)
    assert before.sent_at is None and before.attempts == 1 and before.message_id
    assert handler.received == []
    # The message stays unacknowledged in Redis; a worker restores it once it is older than the timeout.
    time.sleep(max(0.0, VISIBILITY_TIMEOUT + 0.5 - (time.monotonic() - killed_at)))
    second = start_worker(**short)

    outbox = wait_sent(ticket)
    wait_until(lambda: "succeeded in" in second.output())
    assert len(handler.received) == 1
    assert handler.received[0]["Message-ID"].strip() == before.message_id == outbox.message_id
    assert outbox.attempts == 2


def test_lost_broker_queue_is_recovered_by_the_sweep(conversation, smtp_server, start_worker, settings):
    """The broker loses its queue after the conclusion: the periodic sweep queues the e-mail again."""
    handler, _ = smtp_server
    ticket = conversation()
    client = redis.Redis.from_url(settings.REDIS_URL)
    # The transcript's task is queued once (beside it, routing's reply-notice checks of the replies).
    queued = [json.loads(raw)["headers"]["task"] for raw in client.lrange("celery", 0, -1)]
    assert queued.count("tickets.send_transcript") == 1, queued
    client.delete("celery")  # the queued tasks are gone
    worker = start_worker(TRANSCRIPT_SWEEP_AFTER="0")

    transcript_outbox_sweep.delay()  # what beat does every few minutes

    wait_sent(ticket)
    wait_until(lambda: worker.output().count("succeeded in") == 2)
    assert len(handler.received) == 1
    assert "Transcript sweep queued 1 unsent e-mail(s) again" in worker.output()
