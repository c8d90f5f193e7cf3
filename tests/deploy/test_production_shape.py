"""The production shape is safe by default: no demo users, no known secret, one migration step, one beat.

Threat: a production start that loads the demo users (passwords equal to the user names), runs with a
secret key everybody can read in the repository, ships the developer's .env or var/ (SQLite, e-mails,
attachments) inside the image, or runs two schedulers that send the outbox sweep twice.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from people.management.commands.seed_demo import REFUSED_IN_PRODUCTION
from people.models import Person

ROOT = Path(__file__).resolve().parents[2]


def compose(name: str = "docker-compose.yml") -> dict:
    return yaml.safe_load((ROOT / name).read_text())


def commands(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_compose_has_no_default_secret_key_and_stops_with_a_message():
    for name, service in compose()["services"].items():
        secret = (service.get("environment") or {}).get("SECRET_KEY")
        if secret is None:
            continue
        # ${VAR:?message} makes compose stop with the message when SECRET_KEY is not given.
        assert re.fullmatch(r"\$\{SECRET_KEY:\?Defina SECRET_KEY[^}]+\}", secret), (name, secret)


def test_compose_loads_no_demo_data_and_allows_none():
    for name, service in compose()["services"].items():
        assert "seed_demo" not in commands(service), name
        assert "ALLOW_DEMO_DATA" not in (service.get("environment") or {}), name


def test_migrations_run_once_in_their_own_step_before_web_worker_and_beat():
    services = compose()["services"]
    assert commands(services["migrate"]).strip() == "python manage.py migrate --noinput"
    assert services["migrate"].get("restart") == "no"
    for name in ("web", "worker", "beat"):
        assert "migrate" not in commands(services[name]), name
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
    migrating = [name for name, service in services.items() if "manage.py migrate" in commands(service)]
    assert migrating == ["migrate"]


def test_celery_beat_is_one_service_of_its_own():
    services = compose()["services"]
    assert "--beat" not in commands(services["worker"]) and " -B" not in commands(services["worker"])
    beats = [name for name, service in services.items() if re.search(r"celery .*\bbeat\b", commands(service))]
    assert beats == ["beat"]
    assert "deploy" not in services["beat"], "beat must not be scaled"


def test_https_redirect_and_secure_cookies_default_on_in_compose():
    environment = compose()["services"]["web"]["environment"]
    for variable in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        assert environment[variable] == f"${{{variable}:-true}}", variable


def test_the_demo_override_loads_the_demo_data_after_migrations_and_before_web():
    demo = compose("docker-compose.demo.yml")["services"]
    assert commands(demo["demo-data"]) == "python manage.py seed_demo"
    assert demo["demo-data"]["environment"]["ALLOW_DEMO_DATA"] == "true"
    assert demo["demo-data"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert demo["web"]["depends_on"]["demo-data"] == {"condition": "service_completed_successfully"}


def test_dockerignore_leaves_out_env_var_venv_and_git():
    patterns = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".env", "var", ".venv", ".git"} <= patterns
    assert ".env.*" in patterns and "!.env.example" in patterns


@pytest.mark.django_db
def test_seed_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False
    settings.ALLOW_DEMO_DATA = False
    with pytest.raises(CommandError) as refused:
        call_command("seed_demo")
    assert str(refused.value) == str(REFUSED_IN_PRODUCTION)
    assert not Person.objects.exists()


def test_seed_demo_in_a_production_process_exits_non_zero_with_the_message(tmp_path):
    """The real command line, with the production environment (DEBUG off, no ALLOW_DEMO_DATA)."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "false",
        "SECRET_KEY": "production-like-secret-key-0123456789",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "seed_demo cria usuários com senhas conhecidas e só roda com DEBUG=true" in result.stderr
    assert "Dados de demonstração prontos" not in result.stdout
