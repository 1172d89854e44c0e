"""Schemathesis over the served OpenAPI, as a trainer and as a participant: no 5xx.

The fuzzer runs against a real server process on the test database (SQLite, or PostgreSQL
with `DATABASE_URL`, where NUL characters and 64-bit overflows differ). Path ids are drawn
from the rows built here most of the time, so bodies and query strings reach the services,
and generated otherwise, so ids past 64 bits, zero and negatives are tried too. A fixed seed
and few examples per operation keep a run short and repeatable.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from parcours.models import ApiToken
from tests import factories
from tests.forums.conftest import make_board
from tests.scheduling.helpers import good_slots, slot_body

pytestmark = [pytest.mark.slow, pytest.mark.timeout(360)]
SEED = 20261129
MAX_EXAMPLES = 4


def _rows(world, api) -> dict[str, list]:
    """One of each thing the API names by id, in the world session."""
    board = make_board(world)
    trainer = api(world.trainer)
    poll = trainer.post(
        f"/sessions/{world.session.pk}/polls",
        {"title": "Classe virtuelle", "slots": [slot_body(s) for s in good_slots(2)]},
    ).json()
    room = trainer.post(f"/sessions/{world.session.pk}/classrooms", {"title": "Salle"}).json()
    parcours = world.session.parcours
    section = parcours.sections.first()
    return {
        "session_id": [world.session.pk],
        "space_id": [factories.space(academy_obj=world.session.academy).pk],
        "forum_id": [board.forum.pk],
        "discussion_id": [board.discussion.pk],
        "post_id": [board.opening.pk, board.reply.pk],
        "poll_id": [poll["id"]],
        "classroom_id": [room["id"]],
        "parcours_id": [parcours.pk],
        "section_id": [section.pk],
        "activity_id": [section.activities.first().pk],
        "user_id": [world.participant.pk, world.other_participant.pk],
    }


def _config(path: Path, rows: dict[str, list]) -> None:
    lines = []
    for name, values in rows.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    # Methods a path does not declare are answered 405 by ninja's router before any of our
    # code runs: trying each of them on every path would double the run for nothing.
    lines += ["[phases.coverage]", "unexpected-methods = []", ""]
    lines.append("[parameters]")
    lines += [f'"path.{name}" = {{ dictionary = "{name}", probability = 0.8 }}' for name in rows]
    path.write_text("\n".join(lines) + "\n")


# The coverage phase (each parameter's boundaries and wrong types, operation by operation) is
# the same for every role up to the policy check: it runs once, as the trainer, who passes
# the most checks; random fuzzing runs as both.
@pytest.mark.parametrize(
    ("who", "phases"), [("trainer", "coverage"), ("trainer", "fuzzing"), ("participant", "fuzzing")]
)
def test_no_generated_request_gets_a_server_error(world, api, daphne, tmp_path, who, phases):
    config, report = tmp_path / "schemathesis.toml", tmp_path / "junit.xml"
    _config(config, _rows(world, api))
    server = daphne()
    token = ApiToken.issue(world.by_standing(who))
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(config),
        "run",
        f"{server.url}/api/v1/openapi.json",
        "--checks",
        "not_a_server_error",
        "--phases",
        phases,
        "--seed",
        str(SEED),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "2",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
        "--header",
        f"Authorization: Bearer {token}",
        # Revoking the token the run speaks with would leave it fuzzing 401s.
        "--exclude-path-regex",
        "^/api/v1/me/tokens/",
        # Generous: the machine running the suite may be busy; a request that hangs past a
        # minute is reported as an error.
        "--request-timeout",
        "60",
        "--no-color",
    ]
    env = os.environ | {"SCHEMATHESIS_HOOKS": ""}
    run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    if os.environ.get("PREAU_FUZZ_LOG"):
        Path(f"{os.environ['PREAU_FUZZ_LOG']}.{who}").write_text(run.stdout + run.stderr)
    context = f"{run.stdout[-6000:]}\n{run.stderr[-2000:]}\n{server.log()[-4000:]}"
    assert report.exists(), context
    cases = list(ElementTree.parse(report).iter("testcase"))
    assert len(cases) > 100, context
    failures = [(c.get("name"), f.get("message")) for c in cases for f in c.findall("failure")]
    assert failures == [], context
    # The one error tolerated is schemathesis' own: its coverage generator, shared by two
    # workers, now and then raises a KeyError inside `cover_schema_iter` for one operation.
    errors = [
        (c.get("name"), f"{e.get('message')} {e.text}") for c in cases for e in c.findall("error")
    ]
    assert [e for e in errors if "cover_schema_iter" not in e[1]] == [], context
    assert len(errors) <= 1, context
