"""Celery tasks of privacy (beat, settings.CELERY_BEAT_SCHEDULE): thin, idempotent, resumable."""

from celery import shared_task

from . import services


@shared_task(name="privacy.retention_run", acks_late=True)
def retention_run() -> dict:
    return services.retention_run()


@shared_task(name="privacy.log_purge", acks_late=True)
def log_purge() -> int:
    return services.access_log_purge()


@shared_task(name="privacy.file_deletions_sweep", acks_late=True)
def file_deletions_sweep() -> int:
    return services.file_deletions_sweep()
