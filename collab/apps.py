from django.apps import AppConfig


class CollabConfig(AppConfig):
    name = "collab"
    verbose_name = "Espaces collaboratifs"

    def ready(self) -> None:
        from parcours import activity_links
        from parcours.models import Activity
        from realtime.topics import register_topic

        from . import activities, wordclouds

        # A collaborative activity opens the session's own space.
        activity_links.register(Activity.Kind.COLLABORATIVE, activities.activity_links)
        # A word cloud's counts, live (documents sync on /ws/docs/<id>/ instead).
        register_topic("wordcloud", authorize=wordclouds.topic_decision, presence=False)
