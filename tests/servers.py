"""Real server processes serving the test database, for browser and cross-process tests.

They are started as production starts them (`python -m config.serve`: gunicorn and its
uvicorn workers), with one worker unless a test asks for more.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.services import free_port

ROOT = Path(__file__).resolve().parent.parent


def server_env(**overrides: str) -> dict[str, str]:
    """The environment of a server process that shares this test run's database."""
    env = os.environ.copy()
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(db["NAME"])
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    env["PREAU_CHANNEL_PREFIX"] = settings.REDIS_PREFIX
    env.setdefault("ALLOWED_HOSTS", "*")
    env["PREAU_DEMO"] = "0"
    env["PREAU_FAST_PASSWORD_HASHER"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    return env | overrides


@dataclass
class DaphneServer:
    env: dict[str, str]
    application: str = "config.asgi:application"
    host: str = "127.0.0.1"
    workers: int = 1
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log_path: str = ""

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    def start(self, timeout: float = 30) -> DaphneServer:
        with tempfile.NamedTemporaryFile(prefix="preau-server-", suffix=".log", delete=False) as f:
            self.log_path = f.name
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "config.serve",
                    "-v",
                    "1",
                    "--host",
                    self.host,
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                    self.application,
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own process group: kill() takes the supervisor and its workers at once.
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited early:\n{self.log()}")
            try:
                urllib.request.urlopen(f"{self.url}/login/", timeout=1).close()
                return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not answer within {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return Path(self.log_path).read_text(errors="replace") if self.log_path else ""

    def kill(self) -> None:
        """kill -9 of the supervisor and its workers: none gets a chance to clean up."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, as a deployment stops it: the workers finish and stop their hubs."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def daphne(transactional_db) -> Iterator[Callable[..., DaphneServer]]:
    """`daphne(**env)` starts a server process on the test database; all stop at teardown."""
    started: list[DaphneServer] = []

    def start(
        host: str = "127.0.0.1",
        application: str = "config.asgi:application",
        workers: int = 1,
        **env: str,
    ) -> DaphneServer:
        server = DaphneServer(
            env=server_env(**env), application=application, host=host, workers=workers
        )
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()
