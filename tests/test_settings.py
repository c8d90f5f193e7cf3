"""The settings switch between the embedded default and Redis, read in fresh processes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import redis
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "hosts": settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts"),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "db": settings.DATABASES["default"]["ENGINE"],
    "email": settings.MAILERS["default"]["BACKEND"],
    "lang": settings.LANGUAGE_CODE,
    "tz": settings.TIME_ZONE,
}, default=str))
"""


def _settings_with(env: dict) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "atende_chat.settings", **env})
    out = subprocess.run([sys.executable, "-c", PROBE], env=clean, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_embedded_default_needs_no_service():
    found = _settings_with({"DEBUG": "true"})
    assert found["layer"] == "channels.layers.InMemoryChannelLayer"
    assert found["eager"] is True
    assert found["db"] == "django.db.backends.sqlite3"
    assert found["email"] == "atende_chat.mail.PrivateFileEmailBackend"
    assert (found["lang"], found["tz"]) == ("pt-br", "America/Sao_Paulo")


def test_redis_url_switches_layer_and_broker_with_socket_timeout_off():
    found = _settings_with({"DEBUG": "true", "REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert found["layer"] == "channels_redis.core.RedisChannelLayer"
    assert found["hosts"][0]["socket_timeout"] is None
    assert found["eager"] is False
    assert found["broker"] == "redis://127.0.0.1:6379/3"


def test_the_tests_themselves_run_on_postgresql_and_redis():
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert redis.Redis.from_url(settings.REDIS_URL).ping()


def test_production_settings_pass_check_deploy():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS"}
    }
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": "x" * 60 + "production-like-secret-key-0123456789",
            "ALLOWED_HOSTS": "chat.ipm.com.br",
            "EMAIL_URL": "smtp+tls://chat:senha@smtp.ipm.com.br:587",
        }
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_production_refuses_to_start_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY"}}
    env.update({"DEBUG": "false"})
    out = subprocess.run([sys.executable, "manage.py", "check"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert out.returncode != 0
    assert "Defina SECRET_KEY" in out.stderr
