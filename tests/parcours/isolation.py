"""Per-test isolation for the parcours API tests.

Once-a-day markers (last visit, audit entries) live in the cache under keys made of row
ids, and SQLite hands the same ids out again after each test's rollback: every test gets a
key space of its own so that an earlier test's marker never hides a write. Passwords are
hashed cheaply, since every test creates a dozen users.
"""

import uuid

import pytest
from django.conf import settings as django_settings


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    default = dict(django_settings.CACHES["default"])
    default["KEY_PREFIX"] = f"{default.get('KEY_PREFIX', '')}-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {"default": default}
