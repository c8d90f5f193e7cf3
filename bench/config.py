"""Sizes of a run (full or smoke), the bench database and Redis, and the environment every process shares."""

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else "python3"


@dataclass
class Sizes:
    servers: int = 2
    sockets: int = 1000
    tickets: int = 100_000
    heavy_tickets: int = 2000
    heavy_messages: int = 50
    filler_people: int = 5000
    entities: int = 100
    attendants: int = 10
    conversations: int = 50
    chat_writers: int = 4
    chat_rate: float = 500.0
    chat_seconds: float = 20.0
    badge_samples: int = 300
    badge_background_rate: float = 20.0
    push_samples: int = 300
    fanout_rounds: int = 20
    echo_sockets: int = 50
    echo_seconds: float = 5.0
    redis_pings: int = 2000
    page_requests: int = 200
    report_requests: int = 60
    upload_runs: int = 20
    storm_timeout: float = 90.0
    ramp_rates: tuple[int, ...] = (500, 1000, 2000, 4000, 8000)
    ramp_seconds: float = 4.0
    ramp_sockets: int = 100
    # Routing (issue 20): waiting tickets and available attendants; offers timed per run; runs (median).
    routing_waiting: int = 1000
    routing_attendants: int = 50
    routing_samples: int = 200
    routing_runs: int = 5


SMOKE = Sizes(
    servers=1,
    sockets=20,
    tickets=200,
    heavy_tickets=50,
    heavy_messages=10,
    filler_people=20,
    entities=3,
    attendants=3,
    routing_waiting=50,
    routing_attendants=5,
    routing_samples=10,
    routing_runs=1,
    conversations=4,
    chat_writers=1,
    chat_rate=20.0,
    chat_seconds=2.0,
    badge_samples=10,
    badge_background_rate=5.0,
    push_samples=20,
    fanout_rounds=3,
    echo_sockets=5,
    echo_seconds=1.0,
    redis_pings=200,
    page_requests=5,
    report_requests=3,
    upload_runs=3,
    storm_timeout=30.0,
    ramp_rates=(50, 100),
    ramp_seconds=0.5,
    ramp_sockets=4,
)


def sizes_dict(sizes: Sizes) -> dict:
    return asdict(sizes)


def url_with_db_name(url: str, name: str) -> str:
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path="/" + name))


def default_database_url(smoke: bool) -> str:
    """The bench never touches the development or test databases: it has its own."""
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/atende_chat")
    if not base.startswith("postgres"):
        base = "postgres://postgres@127.0.0.1:5432/atende_chat"
    if smoke:
        # Derived from the caller's database, so engineers' parallel test runs do not collide.
        return url_with_db_name(base, urlparse(base).path.lstrip("/") + "_bench_smoke")
    return url_with_db_name(base, "atende_bench")


def default_redis_url() -> str:
    return os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/6"


def process_env(*, database_url: str, redis_url: str, var_dir: Path, extra: dict | None = None) -> dict[str, str]:
    """Production settings (DEBUG off, Redis layer, PostgreSQL) on loopback, without TLS redirects."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_", "BENCH_")) and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "atende_chat.settings",
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key-not-for-production",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "VAR_DIR": str(var_dir),
            "MEDIA_ROOT": str(var_dir / "private"),
            "CACHE_PREFIX": "bench",
            # One attendant answers hundreds of replies a second here: the per-user flood limit would refuse them.
            "MESSAGE_RATE_LIMIT": "0",
            "LOG_LEVEL": "INFO",
            "BENCH_BASELINES": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if extra:
        env.update(extra)
    return env
