from django.conf import settings
from django.core.management.base import BaseCommand

from parcours import demo


class Command(BaseCommand):
    help = "Load the demo academies, parcours, sessions and accounts (idempotent)."

    def handle(self, *args, **options) -> None:
        accounts = demo.seed()
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
        if not settings.DEMO_MODE:
            return
        self.stdout.write(f"Comptes de démonstration (mot de passe : {demo.DEMO_PASSWORD}) :")
        for username, description in accounts.items():
            self.stdout.write(f"  {username:<30} {description}")
