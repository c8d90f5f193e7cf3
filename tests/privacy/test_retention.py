"""Retention (LGPD art. 15–16): closed tickets past their entity's time lose their files, then their dialog.

Threat: personal data kept longer than needed; or a retention run that erases what a legal hold
must keep, that does the same work twice, or that a crash leaves half done.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from attachments.models import Attachment
from privacy import services
from privacy.models import AccessLog, EntityRetention, LegalHold, TicketRetention
from privacy.selectors import retention_candidates
from tickets.models import Message, Ticket

from .conftest import NAME

NOW = timezone.now()


def closed_ago(ticket: Ticket, days: int) -> Ticket:
    Ticket.objects.filter(pk=ticket.pk).update(status="concluido", closed_at=NOW - timedelta(days=days))
    ticket.refresh_from_db()
    return ticket


def stored_files(root) -> int:
    return len([path for path in root.rglob("*") if path.is_file()])


@pytest.mark.django_db
def test_the_defaults_are_five_years_for_tickets_and_shorter_for_files_and_the_task_is_scheduled():
    assert django_settings.PRIVACY_TICKET_RETENTION_DAYS == 5 * 365
    assert django_settings.PRIVACY_FILE_RETENTION_DAYS < django_settings.PRIVACY_TICKET_RETENTION_DAYS
    assert django_settings.CELERY_BEAT_SCHEDULE["privacy-retention"]["task"] == "privacy.retention_run"
    assert django_settings.CELERY_BEAT_SCHEDULE["privacy-file-deletions"]["task"] == "privacy.file_deletions_sweep"


@pytest.mark.django_db(transaction=True)
def test_files_go_after_the_shorter_time_and_the_dialog_after_the_longer_one(subject, entity, media_root):
    EntityRetention.objects.create(entity=entity, tickets_days=100, files_days=10)
    ticket = closed_ago(subject.tickets[0], 11)
    messages = Message.objects.filter(ticket=ticket).count()

    assert services.retention_run(now=NOW) == {"files": 1, "anonymised": 0}
    assert not Attachment.objects.filter(message__ticket=ticket).exists() and stored_files(media_root) == 0
    assert Message.objects.filter(ticket=ticket, body__icontains="Glória").exists()  # the dialog stays, for now

    closed_ago(ticket, 101)
    assert services.retention_run(now=NOW) == {"files": 0, "anonymised": 1}
    bodies = set(Message.objects.filter(ticket=ticket, author_kind__in=["requester", "attendant"], kind="text")
                 .values_list("body", flat=True))  # fmt: skip
    assert bodies == {"[mensagem removida pela política de retenção de dados]"}
    assert not Message.objects.filter(ticket=ticket, author_name__icontains="Testemunha").exists()
    assert Message.objects.filter(ticket=ticket).count() == messages  # statistics stay
    assert AccessLog.objects.filter(action=AccessLog.Action.RETENTION, ticket_number=ticket.pk).count() == 1
    # Idempotent: nothing left to do, nothing done again.
    assert services.retention_run(now=NOW) == {"files": 0, "anonymised": 0}


@pytest.mark.django_db
def test_tickets_not_old_enough_open_or_held_are_left_alone(subject, entity, other_person, open_ticket, media_root):
    EntityRetention.objects.create(entity=entity, tickets_days=100, files_days=10)
    recent = closed_ago(subject.tickets[0], 9)
    still_open = subject.tickets[1]
    Ticket.objects.filter(pk=still_open.pk).update(opened_at=NOW - timedelta(days=400))
    held_ticket = closed_ago(open_ticket(other_person, reason="Retido"), 200)
    LegalHold.objects.create(ticket=held_ticket, reason="Auditoria do TCE")

    plan = retention_candidates(now=NOW)
    assert (plan.files, plan.anonymise, plan.held) == ([], [], [held_ticket.pk])
    assert services.retention_run(now=NOW) == {"files": 0, "anonymised": 0}
    assert Message.objects.get(ticket=held_ticket, kind="opening").body == "Retido"
    assert Attachment.objects.filter(message__ticket=recent).count() == 3
    assert not TicketRetention.objects.exists()
    del still_open


@pytest.mark.django_db
def test_a_hold_on_the_requester_keeps_all_their_tickets(subject, entity):
    EntityRetention.objects.create(entity=entity, tickets_days=100, files_days=10)
    ticket = closed_ago(subject.tickets[0], 500)
    LegalHold.objects.create(person=subject.person, reason="Processo administrativo")
    assert retention_candidates(now=NOW).held == [ticket.pk]
    assert services.retention_run(now=NOW) == {"files": 0, "anonymised": 0}
    assert Message.objects.filter(ticket=ticket, author_name=NAME).exists()


@pytest.mark.django_db
def test_each_entity_has_its_own_times_and_the_default_applies_without_one(subject, foreign_person, open_ticket):
    EntityRetention.objects.create(entity=subject.person.entity, tickets_days=30, files_days=30)
    ours = closed_ago(subject.tickets[0], 40)
    theirs = closed_ago(open_ticket(foreign_person, reason="Outra entidade"), 40)  # default: 5 years
    plan = retention_candidates(now=NOW)
    assert ours.pk in plan.anonymise and theirs.pk not in plan.anonymise + plan.files


@pytest.mark.django_db(transaction=True)
def test_a_run_stopped_after_one_batch_is_finished_by_the_next_run(entity, person, open_ticket):
    EntityRetention.objects.create(entity=entity, tickets_days=10, files_days=5)
    tickets = [closed_ago(open_ticket(person, reason=f"Assunto {index}"), 20) for index in range(3)]

    # One ticket per batch and one batch per run: as if the worker stopped after the first.
    assert services.retention_run(now=NOW, batch=1, max_batches=1) == {"files": 0, "anonymised": 1}
    assert TicketRetention.objects.filter(anonymised_at__isnull=False).count() == 1
    assert services.retention_run(now=NOW, batch=1, max_batches=10) == {"files": 0, "anonymised": 2}
    for ticket in tickets:
        assert Message.objects.get(ticket=ticket, kind="opening").body.startswith("[mensagem removida")


@pytest.mark.django_db
def test_the_command_dry_run_shows_what_a_run_would_do_and_changes_nothing(subject, entity, other_person, open_ticket):
    EntityRetention.objects.create(entity=entity, tickets_days=100, files_days=10)
    files_only = closed_ago(subject.tickets[0], 50)
    anonymise = closed_ago(open_ticket(other_person, reason="Velho"), 150)
    held = closed_ago(open_ticket(other_person, reason="Retido"), 150)
    LegalHold.objects.create(ticket=held, reason="Processo")

    out = StringIO()
    call_command("privacy_retention", "--dry-run", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Simulação (nada foi alterado)")
    assert lines[1] == f"Atendimentos a anonimizar: 1 ({anonymise.pk})"
    assert lines[2] == f"Atendimentos com arquivos a apagar: 1 ({files_only.pk})"
    assert lines[3] == f"Mantidos por retenção legal: 1 ({held.pk})"
    assert not TicketRetention.objects.exists()
    assert Attachment.objects.filter(message__ticket=files_only).count() == 3

    out = StringIO()
    call_command("privacy_retention", stdout=out)
    assert out.getvalue().strip() == "Atendimentos anonimizados: 1; atendimentos com arquivos apagados: 1."


@pytest.mark.django_db(transaction=True)
def test_every_scheduled_privacy_task_is_registered_and_runs(subject, entity, media_root):
    """Beat sends task names: a name no worker knows would be dropped silently, every day."""
    from atende_chat.celery import app

    app.loader.import_default_modules()
    scheduled = [entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()]
    assert {"privacy.retention_run", "privacy.log_purge", "privacy.file_deletions_sweep"} <= set(scheduled)
    assert all(name in app.tasks for name in scheduled)

    EntityRetention.objects.create(entity=entity, tickets_days=10, files_days=5)
    closed_ago(subject.tickets[0], 20)
    assert app.tasks["privacy.retention_run"].apply().get() == {"files": 0, "anonymised": 1}
    assert app.tasks["privacy.retention_run"].apply().get() == {"files": 0, "anonymised": 0}
    assert app.tasks["privacy.file_deletions_sweep"].apply().get() == 0
    assert stored_files(media_root) == 0
