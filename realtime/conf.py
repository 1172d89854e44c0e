"""The gateway's limits and timings, each overridable in settings (see config/settings.py)."""

from django.conf import settings

DEFAULTS = {
    # Durable events kept per topic; a client resuming from before them is told to resync.
    "REALTIME_RETENTION": 10_000,
    # Largest client frame accepted, in bytes (larger ones get a `too_large` error frame).
    "REALTIME_MAX_FRAME_BYTES": 64 * 1024,
    # Topics one socket may follow at once.
    "REALTIME_MAX_SUBSCRIPTIONS": 100,
    # `send` ops per second per user and topic, with a burst allowance.
    "REALTIME_SEND_RATE": 5.0,
    "REALTIME_SEND_BURST": 10,
    # Frames, and bytes, waiting for one slow socket: past either, its ephemeral frames are
    # dropped and its durable topics get a `resync` once it has caught up.
    "REALTIME_SOCKET_QUEUE": 2_000,
    "REALTIME_SOCKET_QUEUE_BYTES": 1024 * 1024,
    # Sockets one person may hold open at once, on every process (tabs, devices, clients).
    "REALTIME_MAX_SOCKETS_PER_USER": 20,
    # Subscribe and unsubscribe ops per second per socket, with a burst (a page's first load).
    "REALTIME_SUBSCRIBE_RATE": 10.0,
    "REALTIME_SUBSCRIBE_BURST": 100,
    # Ephemeral sends per second per socket and topic, with a burst (a type may set its own).
    "REALTIME_EPHEMERAL_RATE": 50.0,
    "REALTIME_EPHEMERAL_BURST": 100,
    # Seconds a presence entry lives without its process's heartbeat.
    "REALTIME_PRESENCE_TTL": 6.0,
    # Redis connections each process keeps for presence and send limits (pub/sub apart);
    # commands beyond them wait their turn rather than open more.
    "REALTIME_REDIS_CONNECTIONS": 8,
    # Redis connections each process keeps for its synchronous code (the cache of every
    # thread, the bus's publishes), and how long a command waits for one when all are busy.
    "REDIS_POOL_SIZE": 32,
    "REDIS_POOL_TIMEOUT": 5.0,
    # Threads (hence database connections) each process gives the gateway's database work.
    "REALTIME_DB_THREADS": 4,
    # Seconds a process waits for a missing sequence number before reading it from the outbox.
    "REALTIME_GAP_WAIT": 0.3,
    # Seconds between two sweeps of the outbox for events committed but left unnumbered.
    "REALTIME_SWEEP_EVERY": 10.0,
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])
