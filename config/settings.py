"""Settings, all from the environment.

With no variable set, Préau runs its embedded default: SQLite, the in-memory channel
layer, demo mode. `DATABASE_URL` switches to PostgreSQL, `REDIS_URL` to Redis for the
channel layer and the cache.
"""

import json
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
# Demo mode: the embedded default, where demo accounts and their password may be printed.
DEMO_MODE = _env_bool("PREAU_DEMO", not DATABASE_URL)

DEBUG = _env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or "preau-insecure-embedded-default-key"
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", [])

# Préau's own apps, in dependency order: each may import those before it.
PREAU_APPS = [
    "parcours",
    "realtime",
    "messaging",
    "forums",
    "collab",
    "classrooms",
    "recordings",
    "scheduling",
    "questionnaires",
    "web",
]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "ninja",
    *PREAU_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ApiBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "parcours.middleware.LastVisitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Serving (config/serve.py, config/threads.py): threads per server process for Django's
# synchronous views, requests allowed to wait for one, and for how long, before a 503.
HTTP_THREADS = int(os.environ.get("HTTP_THREADS", 4))
HTTP_QUEUE = int(os.environ.get("HTTP_QUEUE", 100))
HTTP_QUEUE_WAIT = float(os.environ.get("HTTP_QUEUE_WAIT", 5))


def _postgresql(url: str) -> dict:
    """PostgreSQL through psycopg's pool, one per process: a request borrows a connection
    for its duration instead of opening one. Sized for the HTTP threads plus the gateway's
    database threads, so that a request that has a thread never waits for a connection;
    idle connections above the minimum are closed after a minute."""
    database = dj_database_url.parse(url, conn_max_age=0)
    # The gateway's database threads: REALTIME_DB_THREADS below, 4 unless set.
    gateway = int(os.environ.get("REALTIME_DB_THREADS", 4))
    size = int(os.environ.get("DATABASE_POOL_SIZE", HTTP_THREADS + gateway))
    if size > 0:
        database.setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": size,
            "max_idle": 60,
            "timeout": 10,
        }
    return database


DATABASES = {
    "default": _postgresql(DATABASE_URL)
    if DATABASE_URL
    else {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        # A file, not memory, so that server processes started by tests share it.
        "TEST": {"NAME": f"/tmp/preau-test-{os.getpid()}.sqlite3"},
    }
}

# Key prefix on Redis, so that several deployments (or test runs) can share one server.
REDIS_PREFIX = os.environ.get("PREAU_CHANNEL_PREFIX", "preau")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": REDIS_PREFIX,
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_PREFIX,
            # Every thread's cache on the process's one Redis pool (realtime/stores.py), not a
            # pool per thread; that pool's timeouts: a Redis that hangs costs a request at most
            # 2 s, never a worker.
            "OPTIONS": {"pool_class": "realtime.stores.SharedPool"},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if _env_bool("PREAU_FAST_PASSWORD_HASHER", False):
    # Test server processes only: the test suite hashes thousands of passwords.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "parcours:my_sessions"
LOGOUT_REDIRECT_URL = "web:login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
SERVE_STATIC = _env_bool("SERVE_STATIC", True)
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"

# Recordings of virtual classes: written to a local spool while recording, then stored in
# the "recordings" storage: MEDIA_ROOT by default, an S3-compatible bucket through
# django-storages when RECORDINGS_S3_BUCKET is set (credentials from the usual AWS_*
# variables). Never served from a public path: only the member-checked playback route.
RECORDINGS_SPOOL = Path(os.environ.get("RECORDINGS_SPOOL", str(MEDIA_ROOT / "spool")))
RECORDINGS_S3_BUCKET = os.environ.get("RECORDINGS_S3_BUCKET", "")
_recordings_storage: dict = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": MEDIA_ROOT},
}
if RECORDINGS_S3_BUCKET:
    _recordings_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": RECORDINGS_S3_BUCKET,
            "endpoint_url": os.environ.get("RECORDINGS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("RECORDINGS_S3_REGION") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "recordings": _recordings_storage,
}
# A playback link works for the member it was made for, for this long plus the recording's
# own length (so that seeking near the end of a long class still works).
RECORDINGS_PLAYBACK_TTL = int(os.environ.get("RECORDINGS_PLAYBACK_TTL", 900))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Realtime gateway: durable events kept per topic for replay, how long a live presence
# outlives its process's last heartbeat (seconds), and the send budget per user and topic
# (per second, burst). Other limits: realtime/conf.py.
REALTIME_RETENTION = int(os.environ.get("REALTIME_RETENTION", 10_000))
REALTIME_PRESENCE_TTL = float(os.environ.get("REALTIME_PRESENCE_TTL", 6))
REALTIME_SEND_RATE = float(os.environ.get("REALTIME_SEND_RATE", 5))
REALTIME_SEND_BURST = int(os.environ.get("REALTIME_SEND_BURST", 10))
# Threads (and so database connections) each process gives the gateway's database work.
REALTIME_DB_THREADS = int(os.environ.get("REALTIME_DB_THREADS", 4))
# Sockets one account may hold open at once (every process counted, with Redis), and the
# subscribe/unsubscribe ops one socket may make per second (burst: a page's first load).
REALTIME_MAX_SOCKETS_PER_USER = int(os.environ.get("REALTIME_MAX_SOCKETS_PER_USER", 20))
REALTIME_SUBSCRIBE_RATE = float(os.environ.get("REALTIME_SUBSCRIBE_RATE", 10))
REALTIME_SUBSCRIBE_BURST = int(os.environ.get("REALTIME_SUBSCRIBE_BURST", 100))

# Virtual classrooms: the STUN/TURN servers given to the SFU's peer connections (JSON, the
# browser's `iceServers` shape; none by default: no outside server is asked), the local
# addresses it offers as ICE host candidates (comma-separated; empty: every interface), and
# whether the SFU runs inside the server even with Redis (default: in `classroom_worker`
# processes when REDIS_URL is set, inside the server otherwise; inside the server only makes
# sense with one server process, since a room's media must run in one place).
CLASSROOM_ICE_SERVERS = json.loads(os.environ.get("CLASSROOM_ICE_SERVERS", "[]"))
CLASSROOM_ICE_ADDRESSES = _env_list("CLASSROOM_ICE_ADDRESSES", [])
CLASSROOM_MEDIA_EMBEDDED = _env_bool("CLASSROOM_MEDIA_EMBEDDED", not REDIS_URL)

# Co-edited documents (collab/rooms.py): how often a process writes the edits it received to
# the document's log, and reads back what the other processes wrote (seconds).
COLLAB_DOC_FLUSH = float(os.environ.get("COLLAB_DOC_FLUSH", 0.1))
COLLAB_DOC_POLL = float(os.environ.get("COLLAB_DOC_POLL", 1.0))
# How often a process asks the policies again for its document sockets (access changed in
# another process, or lapsed with time); a change made in the same process is applied at once.
COLLAB_DOC_RECHECK = float(os.environ.get("COLLAB_DOC_RECHECK", 15.0))
# Messages one document socket may send per second, and in a burst; past them it is read
# more slowly (never refused: a lost update would stall the document's sync).
COLLAB_DOC_RATE = float(os.environ.get("COLLAB_DOC_RATE", 60))
COLLAB_DOC_BURST = float(os.environ.get("COLLAB_DOC_BURST", 200))
# While edits keep coming, a process sends each of its document sockets (and the other
# processes) at most one merged update per this many seconds; an edit after a quiet spell
# leaves at once. 200 people typing make 200 updates a second: paced, a socket gets 50 frames
# a second instead of 200, each editor's screen no later than this behind.
COLLAB_DOC_PACE = float(os.environ.get("COLLAB_DOC_PACE", 0.02))

# Logging in: failed attempts allowed per account (from anywhere) and per address (for any
# account) in a window of this many seconds; past them, even the right password waits.
LOGIN_MAX_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_MAX_FAILURES_PER_ACCOUNT", 10))
LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", 50))
LOGIN_FAILURE_WINDOW = int(os.environ.get("LOGIN_FAILURE_WINDOW", 900))

# API tokens: days a token lives, and how many unnamed ones a person keeps (the oldest go).
API_TOKEN_LIFETIME_DAYS = int(os.environ.get("API_TOKEN_LIFETIME_DAYS", 30))
API_TOKENS_PER_USER = int(os.environ.get("API_TOKENS_PER_USER", 10))

# Largest request body of a route that states no limit of its own (pages included); the
# upload routes state theirs in the OpenAPI. Refused with a 413 as the body arrives
# (config/bodies.py). Bodies and uploaded files above FILE_UPLOAD_MAX_MEMORY_SIZE are
# spooled to temporary files, never held whole in memory.
API_MAX_BODY_BYTES = int(os.environ.get("API_MAX_BODY_BYTES", 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = max(API_MAX_BODY_BYTES, 2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

# Trust frame: nothing logs requests. Daphne's access log is off (see `make run`) and
# Django's request logger only reports errors, without user identity.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING"},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
