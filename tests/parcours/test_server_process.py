import json
import urllib.request

import pytest

from tests import factories


@pytest.mark.slow
def test_a_server_process_serves_the_test_database(daphne):
    factories.user("visible", first_name="Visible")
    server = daphne()
    request = urllib.request.Request(
        f"{server.url}/api/v1/auth/token",
        data=json.dumps({"username": "visible", "password": factories.PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert "token" in json.load(response)
