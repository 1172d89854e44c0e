from django.apps import AppConfig


class ForumsConfig(AppConfig):
    name = "forums"
    verbose_name = "Forums"

    def ready(self) -> None:
        from parcours import activity_links
        from parcours.models import Activity
        from parcours.signals import session_created
        from realtime.notifications import register_notification
        from realtime.topics import register_topic

        from . import activities, notices, selectors

        # A forum activity opens its forum; a new session gets one per forum activity.
        activity_links.register(Activity.Kind.FORUM, activities.activity_links)
        session_created.connect(activities.open_activity_forums, dispatch_uid="forums.activity")

        # A discussion shows how many read it now (live presence, never stored), never who:
        # a trainer must not watch a participant arrive (trust frame). A forum's index,
        # followed from every page of it, has no presence.
        register_topic("forum", authorize=selectors.authorize_forum_topic, presence=False)
        register_topic(
            "discussion", authorize=selectors.authorize_discussion_topic, presence_names=False
        )
        register_notification("forum.reply_notification", notices.reply)
        register_notification("forum.likes_notification", notices.likes)
