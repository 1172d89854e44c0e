"""Existing classrooms and recordings keep their session through the move to scopes:
migrated forward from the last state without scopes, and back."""

import pytest

from tests import factories
from tests.parcours.test_scope_migration import _migrate, executor_leaf_nodes

BEFORE = [("classrooms", "0001_initial"), ("recordings", "0001_initial")]
AFTER = [
    ("classrooms", "0002_rooms_belong_to_scopes"),
    ("recordings", "0002_recordings_belong_to_scopes"),
]


# Slow: it migrates the schema back and forth.
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_rooms_and_recordings_of_a_session_move_to_its_scope_and_back():
    old = _migrate(BEFORE)
    # The core is not migrated back: its rows are made as today.
    session = factories.session()
    scope = session.scope
    room = old.get_model("classrooms", "Classroom").objects.create(session_id=session.pk, title="C")
    recording = old.get_model("recordings", "Recording").objects.create(
        session_id=session.pk, title="R", room_id=room.pk
    )
    try:
        new = _migrate(AFTER)
        assert new.get_model("classrooms", "Classroom").objects.get().scope_id == scope.pk
        assert new.get_model("recordings", "Recording").objects.get().scope_id == scope.pk

        back = _migrate(BEFORE)
        assert back.get_model("classrooms", "Classroom").objects.get().session_id == session.pk
        assert (
            back.get_model("recordings", "Recording").objects.get(pk=recording.pk).session_id
            == session.pk
        )
    finally:
        _migrate(executor_leaf_nodes())
