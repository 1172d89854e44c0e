"""Guessing passwords is throttled per account and per address, in the API and on the page.

Counted in Django's cache: Redis when `REDIS_URL` is set (CI), memory otherwise.
"""

import pytest

from parcours import throttle
from tests import factories

WRONG = "pas-le-bon-mot-de-passe"


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.LOGIN_MAX_FAILURES_PER_ACCOUNT = 4
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 10
    settings.LOGIN_FAILURE_WINDOW = 900


def _token(api, username, password, address="10.0.0.1"):
    return api().post(
        "/auth/token", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def _page(client, username, password, address="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_api_refuses_even_the_right_password_after_too_many_wrong_ones(world, api):
    for _ in range(4):
        assert _token(api, "participant", WRONG).status_code == 401
    refused = _token(api, "participant", factories.PASSWORD)
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "rate_limited"
    assert "tentatives" in error["message"]
    retry = int(refused["Retry-After"])
    assert 0 < retry <= 900
    assert error["details"]["retry_after"] == retry


def test_a_few_mistakes_do_not_lock_anyone_out(world, api):
    for _ in range(3):
        assert _token(api, "participant", WRONG).status_code == 401
    assert _token(api, "participant", factories.PASSWORD).status_code == 200
    # A success forgets the account's mistakes: three more are allowed again.
    for _ in range(3):
        assert _token(api, "participant", WRONG).status_code == 401
    assert _token(api, "participant", factories.PASSWORD).status_code == 200


def test_the_account_limit_holds_whatever_the_address(world, api):
    for n in range(4):
        _token(api, "participant", WRONG, address=f"10.0.1.{n}")
    assert _token(api, "participant", factories.PASSWORD, "10.0.9.9").status_code == 429
    # Other accounts are not affected.
    assert _token(api, "trainer", factories.PASSWORD, "10.0.9.9").status_code == 200


def test_one_address_trying_many_accounts_is_stopped(world, api):
    for n in range(10):
        _token(api, f"inconnu{n}", WRONG, address="10.0.0.7")
    assert _token(api, "participant", factories.PASSWORD, "10.0.0.7").status_code == 429
    assert _token(api, "participant", factories.PASSWORD, "10.0.0.8").status_code == 200


def test_the_login_page_says_so_in_french_and_logs_nobody_in(world, client):
    for _ in range(4):
        assert _page(client, "participant", WRONG).status_code == 200
    page = _page(client, "participant", factories.PASSWORD)
    assert page.status_code == 429
    text = page.content.decode()
    assert "Trop de tentatives de connexion" in text
    assert 0 < int(page["Retry-After"]) <= 900
    assert client.get(f"/sessions/{world.session.pk}/").status_code == 302  # to the login


def test_page_and_api_share_one_count(world, api, client):
    for _ in range(2):
        _page(client, "participant", WRONG)
        _token(api, "participant", WRONG)
    assert _token(api, "participant", factories.PASSWORD).status_code == 429
    assert _page(client, "participant", factories.PASSWORD).status_code == 429


def test_the_limit_lifts_when_its_window_has_passed(world, api, monkeypatch):
    now = 1_000_000.0
    monkeypatch.setattr(throttle, "_now", lambda: now)
    for _ in range(4):
        _token(api, "participant", WRONG)
    assert _token(api, "participant", factories.PASSWORD).status_code == 429
    now += 900
    assert _token(api, "participant", factories.PASSWORD).status_code == 200


def test_usernames_are_counted_whatever_their_case_and_spaces(world, api):
    for name in ("Participant", "PARTICIPANT", " participant", "participant "):
        _token(api, name, WRONG)
    assert _token(api, "participant", factories.PASSWORD).status_code == 429
