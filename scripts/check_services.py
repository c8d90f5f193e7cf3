"""Stop `make test` at once, with a clear message, when PostgreSQL or Redis does not answer."""

import os
import sys
from urllib.parse import urlparse

import psycopg
import psycopg.sql
import redis

HELP = (
    "Os testes usam PostgreSQL e Redis reais (como em produção).\n"
    "Inicie-os, por exemplo: docker compose up -d postgres redis\n"
    "ou aponte TEST_DATABASE_URL / TEST_REDIS_URL para servidores disponíveis."
)


def main() -> int:
    db_url = os.environ["DATABASE_URL"]
    parsed = urlparse(db_url)
    try:
        with psycopg.connect(
            host=parsed.hostname,
            port=parsed.port or 5432,
            user=parsed.username or "postgres",
            password=parsed.password,
            dbname="postgres",
            connect_timeout=3,
            autocommit=True,
        ) as connection:
            # The development database itself; the tests make their own test_ copy of it.
            name = parsed.path.lstrip("/")
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if name and not exists:
                connection.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
    except psycopg.Error as error:
        print(f"PostgreSQL não responde em {parsed.hostname}:{parsed.port or 5432}: {error}\n{HELP}", file=sys.stderr)
        return 1
    redis_url = os.environ["REDIS_URL"]
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as error:
        print(f"Redis não responde em {redis_url}: {error}\n{HELP}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
