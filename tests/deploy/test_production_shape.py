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


def web_services(services: dict) -> list[str]:
    return sorted(name for name in services if re.fullmatch(r"web\d+", name))


def test_migrations_run_once_in_their_own_step_before_web_worker_and_beat():
    services = compose()["services"]
    assert commands(services["migrate"]).strip() == "python manage.py migrate --noinput"
    assert services["migrate"].get("restart") == "no"
    for name in (*web_services(services), "worker", "beat"):
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
    services = compose()["services"]
    for web in web_services(services):
        environment = services[web]["environment"]
        for variable in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
            assert environment[variable] == f"${{{variable}:-true}}", variable


def test_the_demo_override_loads_the_demo_data_after_migrations_and_before_web():
    demo = compose("docker-compose.demo.yml")["services"]
    assert commands(demo["demo-data"]) == "python manage.py seed_demo"
    assert demo["demo-data"]["environment"]["ALLOW_DEMO_DATA"] == "true"
    assert demo["demo-data"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    for web in web_services(compose()["services"]):
        assert demo[web]["depends_on"]["demo-data"] == {"condition": "service_completed_successfully"}, web


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


# --- the balanced shape (issue 16, point 4) --------------------------------------------------


def upstream_servers() -> list[str]:
    text = (ROOT / "deploy" / "nginx" / "nginx.conf").read_text()
    block = re.search(r"upstream atende_chat \{(.*?)\}", text, re.S).group(1)
    return re.findall(r"^\s*server (\S+?):8000\b", block, re.M)


def test_nginx_balances_over_every_web_process_and_nothing_else():
    services = compose()["services"]
    webs = web_services(services)
    assert len(webs) >= 3
    assert sorted(upstream_servers()) == webs
    nginx = services["nginx"]
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in nginx["volumes"]}
    # The same server configuration the tests run (tests/support/nginx.py).
    assert mounts["/etc/nginx/atende_chat.conf"] == "./deploy/nginx/atende_chat.conf"
    assert mounts["/etc/nginx/nginx.conf"] == "./deploy/nginx/nginx.conf"
    assert "include /etc/nginx/atende_chat.conf;" in (ROOT / "deploy" / "nginx" / "nginx.conf").read_text()
    for web in webs:
        assert nginx["depends_on"][web] == {"condition": "service_healthy"}, web


def test_web_processes_are_reachable_only_through_nginx_and_trust_its_headers():
    services = compose()["services"]
    for web in web_services(services):
        assert "ports" not in services[web], f"{web} must not be published: only nginx is"
        assert services[web]["environment"]["BEHIND_PROXY"] == "true"
        assert commands(services[web]) == "python -m atende_chat.serve -b 0.0.0.0 -p 8000"


def test_static_files_are_collected_once_into_the_volume_nginx_serves():
    services = compose()["services"]
    assert "collectstatic" in commands(services["static"]) and services["static"]["restart"] == "no"
    assert "static-files:/app/var/staticfiles" in services["static"]["volumes"]
    assert "static-files:/srv/static:ro" in services["nginx"]["volumes"]
    assert "set $atende_static_root /srv/static;" in (ROOT / "deploy" / "nginx" / "nginx.conf").read_text()
    assert services["nginx"]["depends_on"]["static"] == {"condition": "service_completed_successfully"}


def test_health_checks_ask_the_health_endpoint():
    services = compose()["services"]
    for web in web_services(services):
        assert services[web]["healthcheck"]["test"] == ["CMD", "python", "-m", "atende_chat.healthcheck", "8000"]
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"], name


def test_the_compose_files_are_consistent():
    """What `docker compose config` checks, where the Docker client has no compose plugin (as here):
    every reference names something declared, every service can start."""
    for name in ("docker-compose.yml", "docker-compose.demo.yml"):
        data = compose(name)
        services = data["services"]
        declared_volumes = set((compose()["volumes"] or {}).keys())
        all_services = set(compose()["services"]) | set(services)
        for service_name, service in services.items():
            if name == "docker-compose.yml":
                assert "image" in service or "build" in service, service_name
            for dependency in service.get("depends_on") or {}:
                assert dependency in all_services, (name, service_name, dependency)
            for volume in service.get("volumes") or []:
                source = volume.split(":")[0]
                if not source.startswith((".", "/")):
                    assert source in declared_volumes, (name, service_name, source)
                else:
                    assert (ROOT / source).exists(), (name, service_name, source)
            for value in (service.get("environment") or {}).values():
                assert isinstance(value, str), (name, service_name, value)


def test_docker_compose_config_accepts_the_files_where_the_plugin_exists(tmp_path):
    """`docker compose config` itself, when this machine's Docker client has the compose plugin."""
    import shutil

    docker = shutil.which("docker")
    has_plugin = bool(docker) and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0  # noqa: S603
    if not has_plugin:
        # No plugin here (the structural test above stands in); say so in the output, fail nothing.
        print("docker compose: plugin absent, structural check only")
        return
    for files in (["-f", "docker-compose.yml"], ["-f", "docker-compose.yml", "-f", "docker-compose.demo.yml"]):
        result = subprocess.run(  # noqa: S603
            [docker, "compose", *files, "config", "--quiet"],
            cwd=ROOT,
            env={"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 50},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr


def test_the_image_installs_the_runtime_requirements_only():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert "requirements-dev" not in dockerfile
    runtime = (ROOT / "requirements.txt").read_text()
    development = (ROOT / "requirements-dev.txt").read_text()
    for tool in ("pytest", "playwright", "ruff", "hypothesis"):
        assert tool not in runtime and tool in development, tool
    assert development.splitlines()[1] == "-r requirements.txt"
    for line in [*runtime.splitlines(), *development.splitlines()]:
        if line and not line.startswith(("#", "-r")):
            assert "==" in line, f"not pinned: {line}"
