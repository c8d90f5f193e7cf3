"""Settings for Atende Chat, read from the environment (django-environ).

Every variable has a working default so that `make run` needs no service at all
(SQLite, in-memory channel layer, tasks run inline, e-mails written to files).
Production sets DATABASE_URL, REDIS_URL, EMAIL_URL, SECRET_KEY, DEBUG=false and
ALLOWED_HOSTS; see README.md and .env.example.
"""

import socket
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# https://docs.djangoproject.com/en/6.0/ref/settings/#secret-key
# Only the embedded development default may run without a real secret.
SECRET_KEY = env.str("SECRET_KEY", default="dev-insecure-atende-chat-key" if DEBUG else "")  # noqa: S105
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("Defina SECRET_KEY (ou DEBUG=true para desenvolvimento).")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "phonenumber_field",
    "axes",
    "people",
    "tickets",
    "attachments",
    "routing",
    "attendance",
    "csat",
    "reports",
    "simple_history",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "atende_chat.middleware.RefuseNulMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "people.middleware.AccountLanguageMiddleware",
    "people.session_ended.SessionEndedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Row history of people (privacy): records who made each change.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "atende_chat.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "atende_chat.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "people.context_processors.current_person",
                "tickets.context_processors.chat_shell",
            ],
        },
    },
]

# https://docs.djangoproject.com/en/6.0/ref/settings/#databases
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'atende_chat.sqlite3'}")}
# Connections (measured in bench/RESULTS.md). Under ASGI every HTTP request runs in a thread of its
# own, so CONN_MAX_AGE > 0 reuses nothing for pages and leaves idle connections behind (Django's docs:
# "When using ASGI, persistent connections should be disabled"); with CONN_MAX_AGE 0 and no pool every
# page and every websocket database call opens a new PostgreSQL connection, and 1,000 sockets
# reconnecting at once missed daphne's handshake timeout. So on PostgreSQL a psycopg pool per process
# (DATABASE_POOL, on by default; DATABASE_POOL_MAX connections at most, one kept open) and
# CONN_MAX_AGE 0, which the pool requires. DATABASE_POOL=false falls back to CONN_MAX_AGE (seconds).
# Health checks (with CONN_MAX_AGE > 0): a connection that died while idle is replaced, not used.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool("DATABASE_POOL", default=True):
    from psycopg_pool import ConnectionPool

    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env.int("DATABASE_POOL_MAX", default=10),
        "timeout": 10,
        # One round trip at checkout: a connection broken while idle (a database restart) is replaced.
        "check": ConnectionPool.check_connection,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the embedded server, inline tasks and tests share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login attempts limited per user name and address (django-axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
# Locked per user name AND address: failures from one client never lock the user out for everybody.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address is REMOTE_ADDR only, never a header a client could send: behind a proxy daphne itself
# puts there the address the proxy saw (atende_chat/serve.py).
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"

# https://docs.djangoproject.com/en/6.0/topics/i18n/translation/
# The source texts are Portuguese; locale/en translates them, and locale/pt_BR completes (and, being in
# LOCALE_PATHS, overrides) the pt-BR catalogues of Django and django-axes. `make run`/`make test` compile them.
LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", "Português (Brasil)"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Sao_Paulo"
USE_I18N = True
USE_TZ = True
# Dates follow the language: dd/mm/aaaa hh:mm in pt-BR, mm/dd/yyyy h:mm AM/PM in English.
# https://docs.djangoproject.com/en/6.0/topics/i18n/formatting/#creating-custom-format-files
FORMAT_MODULE_PATH = ["atende_chat.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"

# Uploaded files live outside every URL the server maps: only the download view
# (with its access check) reads them. There is deliberately no MEDIA_URL route.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "private")))
MEDIA_URL = "/nao-publico/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o600
# WhiteNoise serves static files from daphne itself (no separate web server needed);
# with finders it also works before collectstatic, so `make run` needs no extra step.
WHITENOISE_USE_FINDERS = True

# --- Redis: channel layer, Celery broker, cache -------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

# The channel layer may be spread over several Redis servers (shards); the cache and the broker stay on REDIS_URL.
CHANNEL_REDIS_URLS = env.list("CHANNEL_REDIS_URLS", default=[REDIS_URL] if REDIS_URL else [])

if REDIS_URL:
    # https://channels.readthedocs.io/en/latest/topics/channel_layers.html (reasons in docs/realtime.md)
    # - socket_timeout None: redis-py 8 defaults it to 5 s, the same as the layer's blocking pop,
    #   which kills idle receivers (channels_redis issue 422). TCP keepalive still finds a dead peer.
    # - capacity applies to each server process's one receive list, shared by all its sockets:
    #   sized for the largest fan-out (the queue group) at once. Over it the layer drops silently.
    # - expiry 30 s: an undelivered event older than that is worth less than the client's resync.
    # - group_expiry 1 day: consumers close themselves before it (tickets.consumers.socket_max_age).
    # - retry_on_error: after Redis restarts, pooled connections are dead; without this the first
    #   command on each fails (a socket closed with 1011) instead of reconnecting (tests/faults).
    from redis.exceptions import ConnectionError as RedisConnectionError

    # CHANNEL_LAYER=pubsub selects RedisPubSubChannelLayer (the bench compares both; capacity and
    # the expiries mean nothing there: Redis pub/sub keeps nothing for a process that is not listening).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": {
                "redis": "channels_redis.core.RedisChannelLayer",
                "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
            }[env.str("CHANNEL_LAYER", default="redis")],
            "CONFIG": {
                # One host per shard: channels-redis spreads groups and channels over its hosts by a hash
                # of their names (CHANNEL_REDIS_URLS, comma-separated; by default the one REDIS_URL).
                "hosts": [
                    {
                        "address": address,
                        "socket_timeout": None,
                        "socket_connect_timeout": 5,
                        "socket_keepalive": True,
                        "retry_on_error": [RedisConnectionError],
                        # redis-py 8 caps an asyncio pool at 100 connections and channels-redis takes one per
                        # command in flight: 1,000 sockets reconnecting at once (group_add/discard) raised
                        # MaxConnectionsError, a 500 for every handshake over the cap (bench: reconnect storm).
                        "max_connections": env.int("CHANNEL_REDIS_MAX_CONNECTIONS", default=2000),
                        "socket_keepalive_options": {
                            getattr(socket, name): value
                            for name, value in (("TCP_KEEPIDLE", 60), ("TCP_KEEPINTVL", 10), ("TCP_KEEPCNT", 3))
                            if hasattr(socket, name)
                        },
                    }
                    for address in CHANNEL_REDIS_URLS
                ],
                "capacity": env.int("CHANNEL_CAPACITY", default=10000),
                "expiry": 30,
                "group_expiry": 86400,
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_PREFIX", default="atende"),
        }
    }
else:
    # One process only (B9); capacity is per channel here.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": 1000, "expiry": 30, "group_expiry": 86400},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = not bool(REDIS_URL)
# Embedded mode: a failing inline task is logged and recorded, never raised into the request.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
# A task is acknowledged only when it has finished; a worker that dies leaves it to be delivered again.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis re-delivers a message nobody acknowledged within visibility_timeout. A retry waiting for its
# countdown is held unacknowledged by the worker, so the timeout must be longer than the longest
# retry delay or the retry would be delivered twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
# `worker --beat` keeps its schedule state here, not in the current directory.
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "transcript-outbox-sweep": {
        "task": "tickets.transcript_outbox_sweep",
        "schedule": env.int("TRANSCRIPT_SWEEP_SECONDS", default=300),
    },
    # routing/: offers past their time, tickets overdue in the queue, replies left unread (docs/routing.md).
    "routing-sweep": {
        "task": "routing.sweep",
        "schedule": env.int("ROUTING_SWEEP_SECONDS", default=15),
    },
    # LGPD retention (privacy/retention.py): closed tickets past their entity's time, in batches.
    "privacy-retention": {
        "task": "privacy.retention_run",
        "schedule": env.int("PRIVACY_RETENTION_SECONDS", default=24 * 3600),
    },
    # Access log older than PRIVACY_LOG_RETENTION_DAYS, and files whose deletion was interrupted.
    "privacy-log-purge": {
        "task": "privacy.log_purge",
        "schedule": env.int("PRIVACY_LOG_PURGE_SECONDS", default=24 * 3600),
    },
    "privacy-file-deletions": {
        "task": "privacy.file_deletions_sweep",
        "schedule": env.int("PRIVACY_FILE_SWEEP_SECONDS", default=3600),
    },
}

# --- E-mail -----------------------------------------------------------------------
# https://docs.djangoproject.com/en/6.1/topics/email/ (MAILERS replaces EMAIL_BACKEND in Django 6.1)
# EMAIL_URL, e.g. smtp://user:password@mail.example.com:587 or smtp+tls://...; unset: files under var/mail/.
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    _email = env.email_url_config(EMAIL_URL)
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email["EMAIL_HOST"],
                "port": _email["EMAIL_PORT"],
                "username": _email.get("EMAIL_HOST_USER") or None,
                "password": _email.get("EMAIL_HOST_PASSWORD") or None,
                "use_tls": bool(_email.get("EMAIL_USE_TLS")),
                "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
                "timeout": env.int("EMAIL_TIMEOUT", default=20),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            # Django's file backend, with files readable by their owner only (0600).
            "BACKEND": "atende_chat.mail.PrivateFileEmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Atende Chat <atendimento@ipm.com.br>")

# The transcript e-mail (tickets/transcript.py, tickets/tasks.py). Retries wait
# backoff * 2**n seconds (random up to that: full jitter), at most BACKOFF_MAX.
TRANSCRIPT_MAX_RETRIES = env.int("TRANSCRIPT_MAX_RETRIES", default=8)
TRANSCRIPT_RETRY_BACKOFF = env.int("TRANSCRIPT_RETRY_BACKOFF", default=30)
TRANSCRIPT_RETRY_BACKOFF_MAX = env.int("TRANSCRIPT_RETRY_BACKOFF_MAX", default=900)
# The sweep re-queues rows still unsent this long after the conclusion (a lost broker queue).
TRANSCRIPT_SWEEP_AFTER = env.int("TRANSCRIPT_SWEEP_AFTER", default=300)
# Files are attached while their total stays under this; above it they are only listed.
TRANSCRIPT_ATTACH_MAX_BYTES = env.int("TRANSCRIPT_ATTACH_MAX_BYTES", default=5 * 1024 * 1024)
# The satisfaction survey (csat/): the transcript's link is absolute (no request in the worker) and
# the ticket may be rated this many days after its conclusion.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")
CSAT_DAYS = env.int("CSAT_DAYS", default=7)
# Reports (reports/): the longest date range a report page accepts.
REPORT_MAX_DAYS = env.int("REPORT_MAX_DAYS", default=366)
if CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= TRANSCRIPT_RETRY_BACKOFF_MAX:
    raise environ.ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT deve ser maior que TRANSCRIPT_RETRY_BACKOFF_MAX.")

# --- Product settings -----------------------------------------------------------------
# Attachments (S10, B6): see attachments/validators.py and attachments/upload.py.
ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
ATTACHMENT_MAX_FILES = env.int("ATTACHMENT_MAX_FILES", default=10)
# Pillow's own bomb limit is about 89 megapixels; 40 still takes any phone photo.
ATTACHMENT_MAX_PIXELS = 40_000_000
ATTACHMENT_NAME_MAX_LENGTH = 120
# https://docs.djangoproject.com/en/6.1/topics/http/file-uploads/#upload-handlers
# The limiting handler goes first: it stops passing a file on past ATTACHMENT_MAX_BYTES.
FILE_UPLOAD_HANDLERS = [
    "attachments.upload.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Whole request body cap (files included): enough for the allowed number of 2 MB files.
ATTACHMENT_REQUEST_MAX_BYTES = ATTACHMENT_MAX_BYTES * ATTACHMENT_MAX_FILES + 256 * 1024
# Every other request body (forms, the admin): refused with 413 past this, before it is read
# (atende_chat/bodylimit.py); Django's own parser limit is the same number.
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=256 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES
# The routes that take files, and so ATTACHMENT_REQUEST_MAX_BYTES (URL names).
UPLOAD_URL_NAMES = frozenset({"chat-new", "chat-ticket", "admin:tickets_ticket_change"})
# The parser's hard stop (a 400). Between ATTACHMENT_MAX_FILES and this, the service answers
# "Envie no máximo N arquivos por vez." instead.
DATA_UPLOAD_MAX_NUMBER_FILES = ATTACHMENT_MAX_FILES * 2
MESSAGE_RATE_LIMIT = env.int("MESSAGE_RATE_LIMIT", default=30)  # messages and files per minute per user
# Pixels decoded per request, all images together (each one is also capped by ATTACHMENT_MAX_PIXELS).
ATTACHMENT_MAX_PIXELS_PER_REQUEST = env.int("ATTACHMENT_MAX_PIXELS_PER_REQUEST", default=80_000_000)
# Tickets a person may have open at once (not closed), whoever registered them.
OPEN_TICKETS_MAX = env.int("OPEN_TICKETS_MAX", default=10)
# "Agendado": how far ahead a schedule may be set.
SCHEDULE_MAX_DAYS = env.int("SCHEDULE_MAX_DAYS", default=365)
# Contacts a person may hold of each kind, and how long an e-mail verification link stays valid.
CONTACT_MAX_EMAILS = env.int("CONTACT_MAX_EMAILS", default=3)
CONTACT_MAX_PHONES = env.int("CONTACT_MAX_PHONES", default=3)
EMAIL_VERIFICATION_MAX_AGE = env.int("EMAIL_VERIFICATION_MAX_AGE", default=3 * 24 * 3600)  # seconds
# seed_demo creates users with known passwords: with DEBUG off only when this is set on purpose
# (the e2e stack, docker-compose.demo.yml). Never in production.
ALLOW_DEMO_DATA = env.bool("ALLOW_DEMO_DATA", default=False)
SUPPORT_PHONE = "47 3531-1500"

# --- Privacy (LGPD, privacy/) ----------------------------------------------------------------
# Closed tickets are anonymised after this many days, and their files deleted after the shorter
# second time; an entity may set its own (admin: "Prazos de retenção das entidades").
PRIVACY_TICKET_RETENTION_DAYS = env.int("PRIVACY_TICKET_RETENTION_DAYS", default=5 * 365)
PRIVACY_FILE_RETENTION_DAYS = env.int("PRIVACY_FILE_RETENTION_DAYS", default=365)
# Tickets handled per transaction batch by the retention task, and batches per run at most.
PRIVACY_RETENTION_BATCH = env.int("PRIVACY_RETENTION_BATCH", default=200)
PRIVACY_RETENTION_MAX_BATCHES = env.int("PRIVACY_RETENTION_MAX_BATCHES", default=50)
# The access log (and the row history of people) is kept this many days.
PRIVACY_LOG_RETENTION_DAYS = env.int("PRIVACY_LOG_RETENTION_DAYS", default=5 * 365)
# The privacy notice ("Aviso de privacidade"): who the controller and the encarregado (DPO) are, per installation.
PRIVACY_CONTROLLER_NAME = env.str("PRIVACY_CONTROLLER_NAME", default="IPM Sistemas Ltda.")
PRIVACY_CONTROLLER_CONTACT = env.str(
    "PRIVACY_CONTROLLER_CONTACT", default="Rua Dr. Antônio Hafner, 1125, Rio do Sul/SC"
)
PRIVACY_DPO_NAME = env.str("PRIVACY_DPO_NAME", default="Encarregado de Proteção de Dados da IPM")
PRIVACY_DPO_EMAIL = env.str("PRIVACY_DPO_EMAIL", default="privacidade@ipm.com.br")
# Open websockets check their session and access again this often (seconds), besides the signals that
# close them at once (tickets/receivers.py): the backstop for changes no signal reports.
SOCKET_RECHECK_SECONDS = env.float("SOCKET_RECHECK_SECONDS", default=60)
# Each ASGI process reads an epoch key on every channel-layer Redis this often; a shard that restarted
# (and forgot its groups) makes the process's sockets reconnect and resume (tickets/layer_watch.py).
LAYER_WATCH_SECONDS = env.float("LAYER_WATCH_SECONDS", default=2)
# Frames a socket may send: a burst, refilled at a rate per second; past it the socket closes with 4429.
WEBSOCKET_FRAME_BURST = env.int("WEBSOCKET_FRAME_BURST", default=30)
WEBSOCKET_FRAME_RATE = env.float("WEBSOCKET_FRAME_RATE", default=2)
# Messages replayed per "resume"; the client asks again from where the answer stopped.
WEBSOCKET_RESUME_MAX = env.int("WEBSOCKET_RESUME_MAX", default=500)
# Origins allowed for websockets besides the page's own (scheme://host[:port]); see atende_chat/origin.py.
WEBSOCKET_ALLOWED_ORIGINS = env.list("WEBSOCKET_ALLOWED_ORIGINS", default=[])

# --- Routing, wait estimate and notices (routing/, docs/routing.md) ---------------------
# Automatic routing by capacity for this installation: waiting tickets are offered to the available attendant
# with the most free capacity. Off: attendants take tickets by hand ("Assumir", "Atender próximo").
ROUTING_ENABLED = env.bool("ROUTING_ENABLED", default=False)
# Seconds an offer waits for "Aceitar" before it goes to the next attendant.
ROUTING_OFFER_SECONDS = env.int("ROUTING_OFFER_SECONDS", default=60)
# Simultaneous tickets of an attendant until an administrator sets their own capacity.
ROUTING_DEFAULT_CAPACITY = env.int("ROUTING_DEFAULT_CAPACITY", default=3)
# A ticket waiting longer than this (in attendance hours) alerts the attendants on-line and shows as overdue.
QUEUE_OVERDUE_SECONDS = env.int("QUEUE_OVERDUE_SECONDS", default=300)
# An attendant's reply unread this long sends the requester one e-mail notice; at most one per ticket per period.
REPLY_NOTICE_AFTER = env.int("REPLY_NOTICE_AFTER", default=600)
REPLY_NOTICE_PERIOD = env.int("REPLY_NOTICE_PERIOD", default=3600)
# The address of the site in e-mails (links to the conversation); a worker has no request to ask.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
# Waiting requesters' positions are recomputed at most this often per socket (seconds).
ROUTING_POSITION_THROTTLE = env.float("ROUTING_POSITION_THROTTLE", default=1.0)
# Presence (issue 14): an attendant "Disponível" with no activity (input on an admin page) for this long is set
# "Ausente" by the routing sweep; 0 switches it off.
ATTENDANT_IDLE_SECONDS = env.int("ATTENDANT_IDLE_SECONDS", default=900)
# ... and when their last admin tab closes, after this grace (moving from page to page reopens the socket at once).
ATTENDANT_AWAY_GRACE_SECONDS = env.float("ATTENDANT_AWAY_GRACE_SECONDS", default=20.0)

# --- Security -----------------------------------------------------------------------
# https://docs.djangoproject.com/en/6.0/ref/csp/
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The health checks and the Prometheus scrape come over plain HTTP from inside the network (compose, nginx).
SECURE_REDIRECT_EXEMPT = [r"^saude/$", r"^metrics$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# Behind a TLS proxy (deploy/nginx/atende_chat.conf): daphne is started with --proxy-headers
# (atende_chat/serve.py), so REMOTE_ADDR is the address the proxy saw and the scheme its own.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# LOG_FORMAT=json writes one JSON object per line (python-json-logger) for a log collector; plain otherwise.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger", "process": "pid"},
        },
    },
    # Counts the channel layer's "over capacity" drops for /metrics, and lets the records through.
    "filters": {"layer_drops": {"()": "atende_chat.metrics.LayerDropCounter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json" if LOG_FORMAT == "json" else "plain"}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "daphne": {"level": "WARNING"},
        "channels_redis.core": {"level": "INFO", "filters": ["layer_drops"]},
    },
}

# /metrics (Prometheus): a superuser's session, or this bearer token for the Prometheus server.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# How often each ASGI process writes its own figures (open sockets, layer drops) to Redis for /metrics.
METRICS_PUBLISH_SECONDS = env.float("METRICS_PUBLISH_SECONDS", default=10.0)

PHONENUMBER_DEFAULT_REGION = "BR"
PHONENUMBER_DEFAULT_FORMAT = "NATIONAL"
