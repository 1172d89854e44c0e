"""Existing forums, moderation logs, series and classes keep their session through the move
to scopes: migrated forward from the last state without scopes, and back."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("parcours", "0004_activity_kind_parcours_published"),
    ("forums", "0002_forum_activity"),
    ("scheduling", "0001_initial"),
]
AFTER = [
    ("parcours", "0005_spaces_and_scopes"),
    ("forums", "0003_forums_belong_to_scopes"),
    ("scheduling", "0002_classes_and_series_belong_to_scopes"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


# Slow (about a minute): it migrates the whole schema back and forth.
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_rows_attached_to_a_session_move_to_its_scope_and_back():
    old = _migrate(BEFORE)
    academy = old.get_model("parcours", "Academy").objects.create(
        code="mig", name="Mig", school_zone="B"
    )
    parcours = old.get_model("parcours", "Parcours").objects.create(title="P")
    session = old.get_model("parcours", "Session").objects.create(
        parcours=parcours, academy=academy, title="S", starts_on=date(2025, 1, 6),
        ends_on=date(2025, 6, 30),
    )  # fmt: skip
    forum = old.get_model("forums", "Forum").objects.create(session=session, title="F")
    old.get_model("forums", "ModerationEntry").objects.create(
        session=session, act="pin", summary="épinglée"
    )
    series = old.get_model("scheduling", "Series").objects.create(
        session=session, title="Entre pairs", first_day=date(2025, 1, 8),
        until=date(2025, 3, 5), start_time="15:30", minutes=30, timezone="Europe/Paris",
    )  # fmt: skip
    start = datetime(2025, 1, 8, 14, 30, tzinfo=UTC)
    old.get_model("scheduling", "ScheduledClass").objects.create(
        session=session, series=series, title="Entre pairs", starts_at=start,
        ends_at=start + timedelta(minutes=30), timezone="Europe/Paris",
    )  # fmt: skip
    try:
        new = _migrate(AFTER)
        scope = new.get_model("parcours", "Scope").objects.get(session_id=session.pk)
        assert new.get_model("forums", "Forum").objects.get(pk=forum.pk).scope_id == scope.pk
        assert new.get_model("forums", "ModerationEntry").objects.get().scope_id == scope.pk
        assert new.get_model("scheduling", "Series").objects.get().scope_id == scope.pk
        assert new.get_model("scheduling", "ScheduledClass").objects.get().scope_id == scope.pk

        back = _migrate(BEFORE)
        assert back.get_model("forums", "Forum").objects.get(pk=forum.pk).session_id == session.pk
        assert back.get_model("scheduling", "ScheduledClass").objects.get().session_id == session.pk
    finally:
        _migrate(executor_leaf_nodes())


def executor_leaf_nodes():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
