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
