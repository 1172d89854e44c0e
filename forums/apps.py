from django.apps import AppConfig


class ForumsConfig(AppConfig):
    name = "forums"
    verbose_name = "Forums"

    def ready(self) -> None:
        from realtime.topics import register_topic

        from . import selectors

        register_topic("forum", authorize=selectors.authorize_forum_topic)
        register_topic("discussion", authorize=selectors.authorize_discussion_topic)
