"""Signals other apps listen to, so that `parcours` depends on none of them."""

from django.dispatch import Signal

# Sent after commit when who may see a session changes (a member removed, a session closed,
# its content closed): `session_id`, and `user_ids` (None: everyone in the session).
# The realtime gateway re-checks the affected sockets' subscriptions at once.
access_changed = Signal()

# Sent inside the transaction that created a session, once its members are in: `session`.
# Apps that give each activity of the parcours its tool in the session (a forum activity
# its forum) listen to it.
session_created = Signal()

# Sent after commit when a participant's progress in a session changes (an activity ticked
# or unticked): `session`, `user_id`. The pages' live progress table listens to it (web/).
progress_changed = Signal()
