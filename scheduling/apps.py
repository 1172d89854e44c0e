from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Planification"

    def ready(self) -> None:
        from parcours import activity_links
        from parcours.models import Activity
        from realtime.notifications import register_notification
        from realtime.topics import register_topic

        from . import activities, notices
        from .selectors import poll_topic_decision

        # A virtual-class activity opens the session's polls and classes.
        activity_links.register(Activity.Kind.VIRTUAL_CLASS, activities.activity_links)

        # `poll:<id>` carries live answer counts, or only seat counts while results are hidden.
        register_topic("poll", authorize=poll_topic_decision, presence=False)
        register_notification("class.scheduled", notices.class_scheduled)
        register_notification("poll.opened", notices.poll_opened)
