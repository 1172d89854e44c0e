from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Planification"

    def ready(self) -> None:
        from realtime.topics import register_topic

        from .selectors import poll_topic_decision

        # `poll:<id>` carries live answer counts, or only seat counts while results are hidden.
        register_topic("poll", authorize=poll_topic_decision, presence=False)
