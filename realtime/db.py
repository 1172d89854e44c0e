"""Where the gateway's database work runs: a bounded pool of threads, sized from settings.

Channels' `database_sync_to_async` defaults to one thread per process, shared by every socket:
one slow authorisation or replay made every other subscribe wait behind it. The pool runs
`REALTIME_DB_THREADS` calls at once and queues the rest, so a crowd never opens more
database connections than that. Each call closes its thread's connection when it is too old
(at once with `CONN_MAX_AGE = 0`: back to psycopg's pool), before and after the work, as
channels' `database_sync_to_async` does; here rather than through channels' hook, which its
test communicator turns off: a thread keeping its connection holds a database session for
good, a slot of the pool that others then wait for, and a database nobody can drop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from asgiref.sync import SyncToAsync
from django.db import close_old_connections

from . import conf

T = TypeVar("T")

_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    """The process's pool; a changed setting (tests) gets a fresh pool of the new size."""
    global _pool, _pool_size
    size = conf.get("REALTIME_DB_THREADS")
    with _lock:
        if _pool is None or _pool_size != size:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="realtime-db")
            _pool_size = size
        return _pool


def _closing(fn: Callable[..., T], args: tuple, kwargs: dict[str, Any]) -> T:
    close_old_connections()
    try:
        return fn(*args, **kwargs)
    finally:
        close_old_connections()


async def run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run the synchronous `fn` on the gateway's database pool and return its result."""
    return await SyncToAsync(_closing, thread_sensitive=False, executor=_executor())(
        fn, args, kwargs
    )
