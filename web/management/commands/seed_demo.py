from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from classrooms import demo as classrooms_demo
from collab import demo as collab_demo
from forums import demo as forums_demo
from parcours import demo, demo_running
from questionnaires import demo as questionnaires_demo
from scheduling import demo as scheduling_demo


class Command(BaseCommand):
    help = "Load the demo academies, parcours, sessions, accounts and their activity (idempotent)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            world = demo.seed()
            # Activity kinds first: the forum and questionnaire demos link to them.
            accounts = world.accounts | demo_running.seed(world.session)
            forums_demo.seed(world.session)
            scheduling_demo.seed(world.session)
            questionnaires_demo.seed(world.session)
            classrooms_demo.seed(world.session)
            collab_demo.seed(world.session)
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
        if not settings.DEMO_MODE:
            return
        self.stdout.write(f"Comptes de démonstration (mot de passe : {demo.DEMO_PASSWORD}) :")
        for username, description in accounts.items():
            self.stdout.write(f"  {username:<30} {description}")
