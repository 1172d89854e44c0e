"""The pages' realtime contract for the core domain: a participant's progress, sent to those
of the session who may see every progress bar (trainers, tutors) on their `user:<id>` topic.

`parcours` may not publish (imports point down to it), so it signals `progress_changed` and
this module, above both, turns the signal into an event.
"""

from typing import Literal

from parcours import policies
from parcours import selectors as parcours_selectors
from parcours.policies import Action
from realtime import publish_many
from realtime.events import Event


class ProgressChanged(Event):
    type: Literal["progress.changed"] = "progress.changed"
    session_id: int
    user_id: int
    completed: int
    total: int
    percent: int


def on_progress_changed(sender, *, session, user_id: int, **kwargs) -> None:
    """`parcours.signals.progress_changed`: tell the session's trainers and tutors."""
    rows = parcours_selectors.progress(session, only_user=user_id)
    watchers = policies.member_ids_granted(Action.VIEW_ALL_PROGRESS, session)
    if not rows or not watchers:
        return
    row = rows[0]
    event = ProgressChanged(
        session_id=session.pk,
        user_id=user_id,
        completed=row.completed,
        total=row.total,
        percent=row.percent,
    )
    publish_many((f"user:{watcher}" for watcher in sorted(watchers)), event)
