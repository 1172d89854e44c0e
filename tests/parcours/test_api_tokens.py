"""API tokens: stored hashed, named, listed and revoked by their owner, expiring, and dying
with a password change or a deactivation; logging in again does not pile up rows."""

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from parcours import services
from parcours.models import ApiToken
from tests import factories
from tests.conftest import ApiClient
from tests.realtime.support import connect


def _log_in(api, username="participant", name=None, password=factories.PASSWORD):
    body = {"username": username, "password": password}
    if name is not None:
        body["name"] = name
    return api().post("/auth/token", body)


def _as(token: str) -> ApiClient:
    """A client of its own, holding no session cookie, whose only credential is `token`."""
    return ApiClient(Client(), token)


def test_a_token_is_stored_only_as_its_hash(world, api):
    key = _log_in(api).json()["token"]
    (row,) = ApiToken.objects.filter(user=world.participant)
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiToken.objects.values_list().get())


def test_a_named_token_is_listed_to_its_owner_only(world, api, client, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 30
    issued = _log_in(api, name="Script de suivi").json()
    assert issued["name"] == "Script de suivi"
    expires = timezone.datetime.fromisoformat(issued["expires_at"])
    assert abs(expires - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    mine = _as(issued["token"]).get("/me/tokens").json()
    assert [(t["id"], t["name"], t["current"]) for t in mine] == [
        (issued["id"], "Script de suivi", True)
    ]
    assert "token" not in mine[0] and "key_hash" not in mine[0]
    assert api(world.trainer).get("/me/tokens").json()[0]["id"] != issued["id"]


def test_the_owner_revokes_a_token_and_it_stops_working(world, api, client):
    first = _log_in(api, name="Portable").json()
    second = _log_in(api, name="Bureau").json()
    me = _as(second["token"])
    assert me.delete(f"/me/tokens/{first['id']}").status_code == 204
    assert _as(first["token"]).get("/me").status_code == 401
    assert [t["name"] for t in me.get("/me/tokens").json()] == ["Bureau"]
    # Revoking the token one is using ends the session of that client.
    assert me.delete(f"/me/tokens/{second['id']}").status_code == 204
    assert me.get("/me").status_code == 401


@pytest.mark.parametrize("whose", ["someone_else", "unknown"])
def test_nobody_revokes_a_token_that_is_not_theirs(world, api, client, whose):
    victim = _log_in(api, "trainer", name="Formatrice").json()
    target = victim["id"] if whose == "someone_else" else victim["id"] + 1000
    refused = api(world.participant).delete(f"/me/tokens/{target}")
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "not_found"
    assert _as(victim["token"]).get("/me").status_code == 200


def test_an_expired_token_is_refused_over_http_and_websocket(world, api, client):
    key = _log_in(api).json()["token"]
    ApiToken.objects.filter(user=world.participant).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    refused = _as(key).get("/me")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthenticated"
    assert services.user_for_api_token(key) is None


@pytest.mark.django_db(transaction=True)
async def test_the_websocket_refuses_an_expired_token(world):
    from channels.db import database_sync_to_async

    key = await database_sync_to_async(ApiToken.issue)(world.participant)
    await database_sync_to_async(ApiToken.objects.filter(user=world.participant).update)(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    client, code = await connect(token=key)
    assert client is None and code == 4401


def test_a_password_change_kills_every_token(world, api, client):
    keys = [_log_in(api, name=name).json()["token"] for name in ("Un", "Deux")]
    world.participant.set_password("un-tout-nouveau-mot-de-passe")
    world.participant.save()
    for key in keys:
        assert _as(key).get("/me").status_code == 401
    assert not ApiToken.objects.filter(user=world.participant).exists()


def test_a_password_changed_without_saving_through_the_model_kills_them_too(world, api, client):
    """A bulk update (a script, an import) sends no signal: the token still checks."""
    from django.contrib.auth.hashers import make_password

    key = _log_in(api).json()["token"]
    type(world.participant).objects.filter(pk=world.participant.pk).update(
        password=make_password("un-autre-mot-de-passe")
    )
    assert _as(key).get("/me").status_code == 401


def test_deactivating_an_account_kills_its_tokens(world, api, client):
    key = _log_in(api).json()["token"]
    world.participant.is_active = False
    world.participant.save()
    assert not ApiToken.objects.filter(user=world.participant).exists()
    world.participant.is_active = True
    world.participant.save()
    assert _as(key).get("/me").status_code == 401


def test_logging_in_again_under_one_name_replaces_the_token(world, api, client):
    keys = [_log_in(api, name="Application mobile").json()["token"] for _ in range(30)]
    assert ApiToken.objects.filter(user=world.participant).count() == 1
    assert _as(keys[-1]).get("/me").status_code == 200
    assert _as(keys[0]).get("/me").status_code == 401


def test_unnamed_logins_keep_a_bounded_number_of_tokens(world, api, client, settings):
    settings.API_TOKENS_PER_USER = 5
    keys = [_log_in(api).json()["token"] for _ in range(34)]
    assert ApiToken.objects.filter(user=world.participant).count() == 5
    assert _as(keys[-1]).get("/me").status_code == 200
    assert _as(keys[-5]).get("/me").status_code == 200
    assert _as(keys[-6]).get("/me").status_code == 401


def test_the_tokens_page_lists_and_revokes(world, api, client):
    key = _log_in(api, name="Tableur").json()["token"]
    client.force_login(world.participant)
    page = client.get("/jetons/")
    assert page.status_code == 200
    assert "Tableur" in page.content.decode()
    token_id = ApiToken.objects.get(user=world.participant).pk
    assert client.post("/jetons/", {"revoke": token_id}).status_code == 302
    assert "Tableur" not in client.get("/jetons/").content.decode()
    assert _as(key).get("/me").status_code == 401


def test_the_tokens_page_revokes_nobody_else_s_token(world, api, client):
    victim = _log_in(api, "trainer", name="Formatrice").json()
    client.force_login(world.participant)
    assert client.post("/jetons/", {"revoke": victim["id"]}).status_code == 404
    assert client.post("/jetons/", {"revoke": "abc"}).status_code == 400
    assert _as(victim["token"]).get("/me").status_code == 200
