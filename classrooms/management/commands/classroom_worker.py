"""`manage.py classroom_worker`: run classrooms' media (the SFU) in a process of its own.

Needs REDIS_URL. Start as many as the media load needs, beside the web processes; each
classroom is pinned to one of them, and a worker that dies has its rooms taken over by
another (see classrooms/workers.py). SIGTERM closes the rooms it hosts and unpins them.
"""

import asyncio
import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the media (SFU) of the classrooms pinned to this process (needs REDIS_URL)."

    def handle(self, *args, **options) -> None:
        if not settings.REDIS_URL:
            raise CommandError(
                "classroom_worker needs REDIS_URL: without Redis the server runs the media."
            )
        asyncio.run(self.run())

    async def run(self) -> None:
        from classrooms.workers import Worker

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        worker = Worker()
        self.stdout.write(f"classroom worker {worker.id} ready", ending="\n")
        self.stdout.flush()
        await worker.run(stop)
