def test_participant_gets_a_token_and_sees_their_session(world, api, client):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "participant", "password": "preau-test-pass"},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "participant"
    sessions = api(world.participant).get("/sessions").json()
    assert [s["title"] for s in sessions] == ["Session Rouen Nord"]
