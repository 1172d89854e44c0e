"""Smoke test of the embedded default, as `make run` serves it: `python -m tests.smoke`.

Migrates a fresh SQLite file, loads the demo data, boots the server (`python -m config.serve`)
as a real process on a free port, then logs in through the login form, calls the API, reads
the OpenAPI schema and docs, and makes a WebSocket round trip. One line per check; exits
non-zero on any failure.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import tempfile
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from tests.servers import DaphneServer

ROOT = Path(__file__).resolve().parent.parent
DEMO_USER = "participant01"
DEMO_PASSWORD = "preau-demo"
SESSION_TITLE = "Compréhension en lecture — Rouen Nord"
OTHER_SESSION_TITLE = "Compréhension en lecture — Le Havre"


def embedded_env(workdir: Path) -> dict[str, str]:
    """No service at all: SQLite in a temporary file, the in-memory channel layer."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    for name in ("REQUIRE_SERVICES", "PREAU_DEMO", "DJANGO_SETTINGS_MODULE", "ALLOWED_HOSTS"):
        env.pop(name, None)
    env["SQLITE_PATH"] = str(workdir / "preau.sqlite3")
    env["MEDIA_ROOT"] = str(workdir / "media")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


class Smoke:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, name: str, step: Callable[[], str | None]) -> bool:
        try:
            detail = step()
        except Exception as exc:  # one line per failure, then keep going
            self.failed += 1
            print(f"FAIL {name}: {type(exc).__name__}: {exc}", flush=True)
            if os.environ.get("SMOKE_TRACEBACK"):
                traceback.print_exc()
            return False
        self.passed += 1
        print(f"ok   {name}" + (f" ({detail})" if detail else ""), flush=True)
        return True


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def call(url: str, *, data: dict | None = None, token: str | None = None, opener=None):
    headers = {"Accept": "application/json"}
    body = None
    if data is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(data).encode()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers)
    with (opener or urllib.request.build_opener()).open(request, timeout=10) as response:
        return response.status, response.headers, response.read()


def run(workdir: Path) -> Smoke:
    smoke = Smoke()
    env = embedded_env(workdir)
    state: dict = {}

    def migrate() -> str:
        manage(env, "migrate", "--noinput", "-v", "0")
        return Path(env["SQLITE_PATH"]).name

    def seed() -> str:
        out = manage(env, "seed_demo")
        expect(DEMO_USER in out and DEMO_PASSWORD in out, f"accounts not printed:\n{out}")
        again = manage(env, "seed_demo")
        expect(again == out, "a second seed_demo printed something else")
        return "demo accounts printed, idempotent"

    if not smoke.check("migrate a fresh SQLite database", migrate):
        return smoke
    if not smoke.check("seed_demo", seed):
        return smoke

    server = DaphneServer(env=env)
    try:
        if not smoke.check("the server boots (config.serve)", lambda: server.start(60).url):
            return smoke
        base = server.url
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

        def login_page() -> str:
            with browser.open(f"{base}/login/", timeout=10) as response:
                html = response.read().decode()
            expect(response.status == 200, f"status {response.status}")
            match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
            expect(match is not None, "no CSRF token in the form")
            expect(any(c.name == "csrftoken" for c in jar), "no csrftoken cookie")
            state["csrf"] = match.group(1)
            return "form with CSRF token and cookie"

        def form_login() -> str:
            form = urllib.parse.urlencode(
                {
                    "username": DEMO_USER,
                    "password": DEMO_PASSWORD,
                    "csrfmiddlewaretoken": state["csrf"],
                }
            ).encode()
            request = urllib.request.Request(
                f"{base}/login/", data=form, headers={"Referer": f"{base}/login/"}
            )
            with browser.open(request, timeout=10) as response:
                html = response.read().decode()
                final = response.geturl()
            expect(urllib.parse.urlparse(final).path == "/", f"landed on {final}")
            expect(any(c.name == "sessionid" for c in jar), "no session cookie")
            expect("Mes sessions" in html, "not the 'my sessions' page")
            expect(SESSION_TITLE in html, "the demo session is not listed")
            expect(OTHER_SESSION_TITLE not in html, "a session participant01 is not in is listed")
            return "redirected to my sessions"

        def token() -> str:
            status, _, body = call(
                f"{base}/api/v1/auth/token",
                data={"username": DEMO_USER, "password": DEMO_PASSWORD},
            )
            expect(status == 200, f"status {status}")
            state["token"] = json.loads(body)["token"]
            return "bearer token issued"

        def me() -> str:
            _, _, body = call(f"{base}/api/v1/me", token=state["token"])
            data = json.loads(body)
            expect(data["username"] == DEMO_USER, f"me is {data['username']}")
            state["user_id"] = data["id"]
            return f"user {data['id']}"

        def sessions() -> str:
            _, _, body = call(f"{base}/api/v1/sessions", token=state["token"])
            titles = [row["title"] for row in json.loads(body)]
            expect(titles == [SESSION_TITLE], f"sessions: {titles}")
            return "one session, role participant"

        def anonymous_refused() -> str:
            try:
                call(f"{base}/api/v1/me")
            except urllib.error.HTTPError as exc:
                code = json.loads(exc.read())["error"]["code"]
                expect(exc.code == 401 and code == "unauthenticated", f"{exc.code} {code}")
                return "401 unauthenticated"
            raise AssertionError("an anonymous /me was answered")

        def openapi() -> str:
            _, _, body = call(f"{base}/api/v1/openapi.json")
            schema = json.loads(body)
            expect("/api/v1/sessions" in schema["paths"], "no /api/v1/sessions in the schema")
            return f"{len(schema['paths'])} paths"

        def docs() -> str:
            with urllib.request.urlopen(f"{base}/api/v1/docs", timeout=10) as response:
                html = response.read().decode()
            expect(response.status == 200, f"status {response.status}")
            expect("openapi.json" in html, "the docs page does not load the schema")
            return "200"

        def websocket() -> str:
            from websockets.sync.client import connect

            topic = f"user:{state['user_id']}"
            url = f"{server.url.replace('http', 'ws', 1)}/ws/?token={state['token']}"
            with connect(url, origin=base, open_timeout=10, proxy=None) as ws:
                ws.send(json.dumps({"op": "subscribe", "topic": topic, "ref": "smoke-1"}))
                frame = json.loads(ws.recv(timeout=10))
            expect(frame.get("op") != "error", f"error frame: {frame}")
            return f"subscribed to {topic}: {json.dumps(frame)[:80]}"

        smoke.check("login page", login_page)
        smoke.check("form login with the CSRF cookie", form_login)
        smoke.check("POST /api/v1/auth/token", token)
        if "token" in state:
            smoke.check("GET /api/v1/me", me)
            smoke.check("GET /api/v1/sessions", sessions)
        smoke.check("anonymous API call refused", anonymous_refused)
        smoke.check("GET /api/v1/openapi.json", openapi)
        smoke.check("GET /api/v1/docs", docs)
        if "user_id" in state:
            smoke.check("WebSocket round trip on /ws/", websocket)
        else:
            smoke.check("WebSocket round trip on /ws/", lambda: expect(False, "no token"))
    finally:
        server.stop()
        if smoke.failed:
            print("--- server log ---\n" + server.log()[-4000:], flush=True)
    return smoke


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="preau-smoke-") as workdir:
        smoke = run(Path(workdir))
    print(f"{smoke.passed} passed, {smoke.failed} failed", flush=True)
    return 1 if smoke.failed else 0


if __name__ == "__main__":
    sys.exit(main())
