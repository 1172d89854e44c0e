"""A burst of 200 simultaneous requests on a real server process: every one is answered, by
its result or by a quick 503 with `Retry-After`; none hangs until the client gives up, and the
server serves normally afterwards."""

import asyncio
import json
import time

import pytest

from parcours.models import ApiToken

pytestmark = [pytest.mark.slow]
BURST = 200
CLIENT_TIMEOUT = 30


async def get(port: int, path: str, token: str) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        request = (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            "Connection: close\r\n\r\n"
        )
        writer.write(request.encode())
        raw = await reader.read()
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def test_a_burst_of_two_hundred_requests_gets_answers_or_quick_refusals(world, daphne):
    token = ApiToken.issue(world.participant)
    server = daphne(HTTP_THREADS="4", HTTP_QUEUE="40", HTTP_QUEUE_WAIT="2")

    async def burst():
        began = time.monotonic()
        calls = [
            asyncio.wait_for(
                get(server.port, f"/api/v1/sessions/{world.session.pk}", token),
                CLIENT_TIMEOUT,
            )
            for _ in range(BURST)
        ]
        return await asyncio.gather(*calls), time.monotonic() - began

    answers, took = asyncio.run(burst())

    statuses = sorted({status for status, _, _ in answers})
    assert set(statuses) <= {200, 503}, statuses
    refused = [(headers, body) for status, headers, body in answers if status == 503]
    served = len(answers) - len(refused)
    assert served >= 4  # at least what the four threads took at once
    assert refused, "the burst exceeds four threads and forty waiting: some are refused"
    for headers, body in refused:
        assert headers["retry-after"] == "2"
        assert json.loads(body)["error"]["code"] == "unavailable"
    assert took < CLIENT_TIMEOUT
    status, _, _ = asyncio.run(get(server.port, "/api/v1/me", token))
    assert status == 200
