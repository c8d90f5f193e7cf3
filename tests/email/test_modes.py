"""The two ends of the deployment range, each in a fresh process with its own environment.

Embedded (`make run`: DEBUG=true, no REDIS_URL, no DATABASE_URL): the task runs inline and the e-mail
lands under var/mail/. Production with the broker down at the moment of conclusion: the conclusion
stands, nothing is raised into the request, and the outbox row waits for the sweep.
"""

import email
import email.policy
import json
import os
import stat
import subprocess
import sys

import pytest

from tickets.models import Ticket, TranscriptOutbox

from .conftest import ROOT, database_url_for_subprocess, free_port

SCRIPT = """
import json, sys, django
django.setup()
from django.core.management import call_command
if sys.argv[1] == "migrate":
    call_command("migrate", verbosity=0)
from people.models import Contact
from tests.factories import AttendantFactory, EntityFactory, ModuleFactory, PersonFactory
from tickets import services
from tickets.models import AttendancePeriod

AttendancePeriod.objects.all().delete()  # attendance open at any hour
person = PersonFactory(entity=EntityFactory(name="Prefeitura Municipal de Embedded"), name="SERVIDOR EMBARCADO")
attendant = AttendantFactory(username="atendente-modo", first_name="Carla", last_name="Souza")
ticket = services.ticket_open(requester=person, module_id=ModuleFactory().pk, reason="Erro <b>na</b> nota")
services.ticket_message_create(ticket=ticket, user=attendant, body="Verifiquei, pode reenviar.")
services.ticket_conclude_by_requester(ticket=ticket, user=person.user)
ticket.refresh_from_db()
outbox = ticket.outbox
print(json.dumps({
    "ticket": ticket.pk, "status": ticket.status, "email": Contact.objects.get(person=person, kind="email").value,
    "sent_at": str(outbox.sent_at or ""), "message_id": outbox.message_id,
}))
"""


def run(env: dict, *args: str) -> tuple[dict, str]:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=90
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1]), out.stderr


def clean_env(**extra: str) -> dict:
    names = {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "CELERY_BROKER_URL", "SECRET_KEY"}
    return {**{k: v for k, v in os.environ.items() if k not in names}, **extra}


def test_embedded_default_sends_inline_and_writes_the_email_under_var_mail(tmp_path):
    env = clean_env(DEBUG="true", VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="atende_chat.settings")

    found, _ = run(env, "migrate")

    assert (tmp_path / "atende_chat.sqlite3").exists()  # SQLite, no service at all
    assert found["status"] == "concluido_usuario" and found["sent_at"]
    (log,) = (tmp_path / "mail").glob("*.log")
    # Transcripts and verification links are private: readable by their owner only (issue 15, point 13).
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "mail").stat().st_mode) == 0o700
    raw = log.read_bytes().split(b"\n" + b"-" * 79 + b"\n")[0]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["To"] == found["email"]
    assert message["Message-ID"].strip() == found["message_id"]
    assert (
        message["Subject"]
        == f"Atendimento {found['ticket']} (Nota Fiscal Eletrônica Web) – Chat Concluído pelo Usuário"
    )
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Carla Souza diz" in text and "Verifiquei, pode reenviar." in text
    assert "Erro <b>na</b> nota" in text and "Erro &lt;b&gt;na&lt;/b&gt; nota" in html
    assert "* Chat Concluído pelo Usuário!" in text


@pytest.mark.django_db(transaction=True)
def test_broker_down_at_conclusion_keeps_the_conclusion_and_leaves_the_row_for_the_sweep():
    env = clean_env(
        DEBUG="false",
        SECRET_KEY="test-only-secret-key",
        DATABASE_URL=database_url_for_subprocess(),
        REDIS_URL=os.environ["REDIS_URL"],
        CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
    )

    found, stderr = run(env, "no-migrate")

    assert found["status"] == "concluido_usuario"
    assert Ticket.objects.get(pk=found["ticket"]).status == "concluido_usuario"
    outbox = TranscriptOutbox.objects.get(ticket_id=found["ticket"])
    assert outbox.sent_at is None and outbox.failed_at is None
    assert "tickets.send_transcript" in stderr and "in on_commit()" in stderr  # logged, not raised


def test_visibility_timeout_shorter_than_the_longest_retry_refuses_to_start():
    """Redis would hand a retry waiting for its countdown to a second worker: the settings say so at once."""
    env = clean_env(DEBUG="true", CELERY_VISIBILITY_TIMEOUT="600", TRANSCRIPT_RETRY_BACKOFF_MAX="900")
    out = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT deve ser maior que TRANSCRIPT_RETRY_BACKOFF_MAX" in out.stderr
