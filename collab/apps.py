from django.apps import AppConfig


class CollabConfig(AppConfig):
    name = "collab"
    verbose_name = "Espaces collaboratifs"

    def ready(self) -> None:
        from parcours import activity_links
        from parcours.models import Activity
        from parcours.signals import access_changed
        from realtime.topics import register_topic

        from . import activities, rooms, wordclouds

        # A collaborative activity opens the session's own space.
        activity_links.register(Activity.Kind.COLLABORATIVE, activities.activity_links)
        # A word cloud's counts, live (documents sync on /ws/docs/<id>/ instead).
        register_topic("wordcloud", authorize=wordclouds.topic_decision, presence=False)
        # Document sockets of someone whose access changed are asked again.
        access_changed.connect(rooms.on_access_changed, dispatch_uid="collab.rooms.access")
