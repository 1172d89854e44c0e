from django.apps import AppConfig


class ClassroomsConfig(AppConfig):
    name = "classrooms"
    verbose_name = "Classes virtuelles"

    def ready(self) -> None:
        from realtime.topics import register_topic

        from . import handlers, selectors

        # `classroom:<id>`: chat (durable), the room's state, hands, reactions, and the
        # SFU's signalling. Presence lists who is in the room now (never stored).
        register_topic("classroom", authorize=selectors.topic_decision, handlers=handlers.HANDLERS)
