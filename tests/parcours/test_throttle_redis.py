"""Counting on Redis: the key is created with its expiry and incremented in one round trip."""

import uuid

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from parcours import throttle
from tests.services import require_redis


def test_counts_on_redis_go_up_within_the_window_and_the_key_expires_with_it():
    require_redis()
    backend = caches["default"]
    assert isinstance(backend, RedisCache)
    window, someone = 60, f"quelqu'un {uuid.uuid4()}"
    counts = [throttle.hit("essai", someone, window).count for _ in range(3)]
    assert counts == [1, 2, 3]
    assert throttle.peek("essai", someone, window).count == 3
    start, _ = throttle._window(window)
    full = backend.make_and_validate_key(throttle._key("essai", someone, start))
    assert 0 < backend._cache.get_client(full).ttl(full) <= window + 1
    throttle.forget("essai", someone, window)
    assert throttle.hit("essai", someone, window).count == 1
