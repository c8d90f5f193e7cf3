"""Celery tasks of tickets: thin interfaces that take ids and call services."""

from celery import shared_task


@shared_task(name="tickets.send_transcript", acks_late=True)
def send_transcript(ticket_id: int) -> None:
    from .transcript import transcript_send

    transcript_send(ticket_id=ticket_id)


@shared_task(name="tickets.transcript_outbox_sweep")
def transcript_outbox_sweep() -> int:
    from .transcript import transcript_outbox_requeue

    return transcript_outbox_requeue()
