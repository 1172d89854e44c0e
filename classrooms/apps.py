from django.apps import AppConfig


class ClassroomsConfig(AppConfig):
    name = "classrooms"
    verbose_name = "Classes virtuelles"

    def ready(self) -> None:
        from realtime.topics import register_topic

        from . import handlers, selectors, signalling

        # `classroom:<id>`: chat (durable), hands and reactions, the room's state, and the
        # SFU's signalling on the fast tier. Presence lists who is in the room now (never
        # stored); each socket's departure reaches the SFU (`connection.left`).
        register_topic(
            "classroom",
            authorize=selectors.topic_decision,
            authorize_send=selectors.send_decision,
            durable=handlers.DURABLE,
            ephemeral={**handlers.EPHEMERAL, **signalling.EPHEMERAL},
            announce_connections=True,
        )
