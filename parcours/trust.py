"""The reviewed list of places that keep a user next to a date or time.

The trust frame forbids recording time spent, connection times, clicks or page views.
`tests/parcours/test_no_tracking.py` walks every model: one that links a user and stores a
date or time fails the suite unless it is listed here, with the reason it is allowed.
Add to this list only after review.
"""

REVIEWED_USER_TIMESTAMPS: dict[str, str] = {
    "auth.User.last_login": "never written: parcours/apps.py disconnects Django's "
    "update_last_login and migration 0002 emptied it; test_no_tracking logs in and checks",
    "auth.User.date_joined": "when the account was created by enrolment, once, not a trace "
    "of the person's activity",
    "parcours.Profile.last_visit": "the one trace of presence the platform allows, as a date",
    "parcours.Membership.finished_on": "the trainer marks the training finished; printed on "
    "the attestation",
    "parcours.Attestation.issued_on": "the date printed on the attestation",
    "parcours.AccessGrant.expires_at": "an administrator's access is time-limited by rule",
    "parcours.ApiToken.expires_at": "a token's end, set once when it is issued from a "
    "setting; never moved by its use",
    "parcours.AuditEntry.at": "the audit log the session's trainers read: who entered and why",
    "parcours.AuditEntry.day": "the audit log's once-a-day key for an administrator's reads "
    "under an access grant",
    "parcours.HelpRequest.created_at": "a member's request for an administrator's help is "
    "content its readers (administrators, the audit log) see dated",
    "forums.Post.created_at": "a post's date is content shown to its readers",
    "forums.Post.edited_at": '"modifié le" is content shown to a post\'s readers',
    "forums.ModerationEntry.at": "the moderation log the session's trainers read",
    "classrooms.ChatMessage.sent_at": "an in-class chat line's time is content shown to the "
    "class with it",
    "classrooms.Classroom.segment_started_at": "the class's agenda clock shown to everyone in "
    "the room; the row names its presenter, not who came when",
    "classrooms.Classroom.breakout_ends_at": "the breakout timer shown to everyone in the room",
    "messaging.Message.sent_at": "a direct message's sent time is part of its content, shown "
    "to its recipients",
}

# Times in the realtime events kept for replay (`realtime.StoredEvent`) next to a person,
# as `event type.field`; `test_no_tracking` walks the stored frames.
REVIEWED_EVENT_TIMES: dict[str, str] = {
    "message.received.sent_at": "a direct message's sent time is part of its content, shown "
    "to its recipients (as messaging.Message.sent_at)",
    "chat.message.sent_at": "an in-class chat line's time is content shown to the class with "
    "it (as classrooms.ChatMessage.sent_at)",
}
