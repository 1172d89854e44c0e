"""`manage.py purge_recordings`: delete recordings past their retention period.

Meant to run daily from cron or a systemd timer. It also settles segments whose recorder
host died without finishing them: their spooled file is salvaged if it plays, or the
recording is marked failed, so that no class is left "recording" forever.
"""

from django.core.management.base import BaseCommand

from recordings import services


class Command(BaseCommand):
    help = "Supprime les enregistrements dont la durée de conservation est passée."

    def handle(self, *args, **options) -> None:
        settled = services.recover_interrupted()
        purged = services.purge_expired()
        self.stdout.write(
            f"{purged} enregistrement(s) supprimé(s), {len(settled)} interrompu(s) traité(s)."
        )
