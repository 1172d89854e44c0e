from django.apps import AppConfig


class CollabConfig(AppConfig):
    name = "collab"
    verbose_name = "Espaces collaboratifs"

    def ready(self) -> None:
        from parcours import activity_links
        from parcours.models import Activity

        from . import activities

        # A collaborative activity opens the session's own space.
        activity_links.register(Activity.Kind.COLLABORATIVE, activities.activity_links)
