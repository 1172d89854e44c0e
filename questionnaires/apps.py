from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "questionnaires"
    verbose_name = "Questionnaires"

    def ready(self) -> None:
        from parcours import activity_links
        from parcours.models import Activity

        from . import selectors

        # A questionnaire activity opens its questionnaire in the session.
        activity_links.register(Activity.Kind.QUESTIONNAIRE, selectors.activity_links)
