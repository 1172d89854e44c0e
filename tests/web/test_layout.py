"""What every page carries: an icon (no 404 on a first load), a navigation that folds."""


def test_pages_name_their_icon_and_favicon_ico_leads_to_it(world, client):
    client.force_login(world.participant)
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"


def test_the_top_bar_has_a_menu_button_controlling_the_navigation(world, client):
    client.force_login(world.participant)
    html = client.get("/").content.decode()
    assert 'aria-controls="site-menu"' in html and 'id="site-menu"' in html
    assert '<nav aria-label="Navigation principale">' in html


def test_a_missing_page_says_it_is_missing_not_that_access_is_refused(world, client):
    client.force_login(world.participant)
    missing = client.get("/sessions/999999/")
    assert missing.status_code == 404
    html = missing.content.decode()
    assert "<h1>Page introuvable</h1>" in html and "Accès impossible" not in html
    refused = client.get(f"/sessions/{world.other_session.pk}/")
    assert refused.status_code == 403
    assert "<h1>Accès impossible</h1>" in refused.content.decode()
