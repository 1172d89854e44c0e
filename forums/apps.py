from django.apps import AppConfig


class ForumsConfig(AppConfig):
    name = "forums"
    verbose_name = "Forums"

    def ready(self) -> None:
        from realtime.topics import register_topic

        from . import selectors

        # A discussion lists who is reading it now ("qui lit en ce moment", live presence,
        # never stored); a forum's index, followed from every page of it, does not.
        register_topic("forum", authorize=selectors.authorize_forum_topic, presence=False)
        register_topic("discussion", authorize=selectors.authorize_discussion_topic)
