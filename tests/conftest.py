"""Shared fixtures: a session with one user per standing, API clients, event capture."""

import json
import os
import uuid
from dataclasses import dataclass

import pytest

# Each test run gets its own key space on a shared Redis.
from django.conf import settings
from django.db import connection

from tests import factories

# Each test run gets its own key space on a shared Redis; server processes started by
# tests inherit it through the environment (tests/servers.py).
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
settings.REDIS_PREFIX = f"preau-test-{uuid.uuid4().hex[:8]}"
if settings.REDIS_URL:
    settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = settings.REDIS_PREFIX
    settings.CACHES["default"]["KEY_PREFIX"] = settings.REDIS_PREFIX

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


@dataclass
class World:
    """One session and a user for every standing towards it."""

    session: object
    other_session: object
    participant: object
    other_participant: object
    tutor: object
    trainer: object
    inspector: object
    admin: object
    admin_granted: object
    designer: object
    national: object
    outsider: object

    def by_standing(self, name: str):
        return getattr(self, name)


STANDINGS = [
    "participant",
    "tutor",
    "trainer",
    "inspector",
    "admin",
    "admin_granted",
    "designer",
    "national",
    "outsider",
]


@pytest.fixture
def world(db) -> World:
    academy = factories.academy()
    session = factories.session(academy_obj=academy, title="Session Rouen Nord")
    other = factories.session(academy_obj=academy, title="Autre session", circonscription="Autre")
    admin_granted = factories.platform_user("admin", academy_obj=academy, username="admin_granted")
    factories.access_grant(session, admin_granted)
    participant = factories.member(session, "participant", username="participant").user
    return World(
        session=session,
        other_session=other,
        participant=participant,
        other_participant=factories.member(session, "participant", username="participant2").user,
        tutor=factories.member(session, "tutor", username="tutor").user,
        trainer=factories.member(session, "trainer", username="trainer").user,
        inspector=factories.platform_user(
            "inspector", academy_obj=academy, circo="Rouen Nord", username="inspector"
        ),
        admin=factories.platform_user("admin", academy_obj=academy, username="admin"),
        admin_granted=admin_granted,
        designer=factories.platform_user("designer", academy_obj=academy, username="designer"),
        national=factories.platform_user("national", username="national"),
        outsider=factories.member(other, "participant", username="outsider").user,
    )


class ApiClient:
    """The test client speaking JSON to /api/v1/ with a bearer token."""

    def __init__(self, client, token: str | None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method: str, path: str, body=None, raw: str | None = None, **kw):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs = {"content_type": "application/json", "headers": self.headers} | kw
        if data is not None:
            kwargs["data"] = data
        return getattr(self.client, method)(f"/api/v1{path}", **kwargs)

    def get(self, path: str, **kw):
        return self._call("get", path, **kw)

    def post(self, path: str, body=None, **kw):
        return self._call("post", path, body, **kw)

    def put(self, path: str, body=None, **kw):
        return self._call("put", path, body, **kw)

    def patch(self, path: str, body=None, **kw):
        return self._call("patch", path, body, **kw)

    def delete(self, path: str, **kw):
        return self._call("delete", path, **kw)


@pytest.fixture
def api(client):
    """`api(user)` returns a JSON client authenticated as `user` (None: anonymous)."""
    from parcours.models import ApiToken

    def make(user=None) -> ApiClient:
        return ApiClient(client, ApiToken.issue(user) if user is not None else None)

    return make


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """A cache key space per test.

    Once-a-day markers (last visit, audit entries) are keyed by row ids, which SQLite hands
    out again after each test's rollback: an earlier test's marker must not hide a write.
    """
    default = dict(settings.CACHES["default"])
    default["KEY_PREFIX"] = f"{default.get('KEY_PREFIX', '')}-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {"default": default}


class CapturedEvents:
    """What services published during a test, as the gateway delivers it: after commit.

    Tests run inside a transaction that never commits, so reading `events` first runs the
    commit callbacks queued since the test began, as a real commit would.
    """

    def __init__(self, recorded: list) -> None:
        self._recorded = recorded
        self._start = len(connection.run_on_commit)

    def _run_commit_callbacks(self) -> None:
        while len(connection.run_on_commit) > self._start:
            _savepoints, callback, _robust = connection.run_on_commit.pop(self._start)
            callback()

    @property
    def events(self) -> list:
        """(topic, event) pairs, in publishing order."""
        self._run_commit_callbacks()
        return list(self._recorded)

    def types(self, topic: str | None = None) -> list[str]:
        return [event.type for t, event in self.events if topic is None or t == topic]


@pytest.fixture
def capture_events(db):
    from realtime.publishing import capture

    with capture() as recorded:
        yield CapturedEvents(recorded)


from tests.browser import browser  # noqa: E402, F401  (fixture)
from tests.servers import daphne  # noqa: E402, F401  (fixture)
