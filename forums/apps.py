from django.apps import AppConfig


class ForumsConfig(AppConfig):
    name = "forums"
    verbose_name = "Forums"

    def ready(self) -> None:
        from realtime.topics import register_topic

        from . import selectors

        # No presence list: forum pages do not show who is reading them.
        register_topic("forum", authorize=selectors.authorize_forum_topic, presence=False)
        register_topic("discussion", authorize=selectors.authorize_discussion_topic, presence=False)
