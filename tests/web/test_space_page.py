"""A space's page gathers its forums, classes, series, documents, word clouds, mind maps and
resources, each from its own app; people outside the space see none of it."""

from datetime import timedelta

import pytest

from collab import resources, wordclouds
from collab.models import Document
from forums import services as forums
from parcours.models import Space
from tests import factories


@pytest.fixture
def space(db):
    return factories.space(title="Entre pairs : lecture", visibility=Space.Visibility.OPEN)


def test_the_space_page_composes_every_app(client, space):
    animator = factories.space_member(space, "animator").user
    member = factories.space_member(space, "member").user
    forums.create_forum(scope=space.scope, actor=animator, title="Nos lectures", kind="standard")
    factories.scheduled_class(space.scope, "Rencontre de rentrée", starts_in=timedelta(days=3))
    Document.objects.create(scope=space.scope, title="Compte rendu")
    Document.objects.create(scope=space.scope, title="Idées", kind="mindmap")
    wordclouds.create_cloud(actor=animator, scope=space.scope, question="Un mot ?")
    resources.share_link(
        actor=member, scope=space.scope, title="Éduscol", url="https://eduscol.education.fr/"
    )
    client.force_login(member)
    page = client.get(f"/spaces/{space.pk}/").content.decode()
    for expected in (
        "Nos lectures",
        "Rencontre de rentrée",
        "Compte rendu",
        "Idées",
        "Un mot ?",
        "Éduscol",
    ):
        assert expected in page, expected
    # A member writes documents; only animators open mind maps and word clouds.
    assert 'id="new-document"' in page and 'id="new-mindmap"' not in page
    client.force_login(animator)
    assert 'id="new-wordcloud"' in client.get(f"/spaces/{space.pk}/").content.decode()


def test_a_newcomer_sees_the_summary_only_and_an_outsider_nothing(client, space):
    Document.objects.create(scope=space.scope, title="Secret de travail")
    client.force_login(factories.user())
    page = client.get(f"/spaces/{space.pk}/")
    assert page.status_code == 200 and "Secret de travail" not in page.content.decode()
    client.force_login(factories.user(academy_obj=factories.academy("reunion")))
    assert client.get(f"/spaces/{space.pk}/").status_code == 403


def test_a_newcomer_is_offered_to_join_or_to_ask_and_a_member_is_not(client, space):
    newcomer = factories.user()
    client.force_login(newcomer)
    assert 'id="join-space"' in client.get(f"/spaces/{space.pk}/").content.decode()
    on_request = factories.space(title="Sur demande", visibility=Space.Visibility.ON_REQUEST)
    page = client.get(f"/spaces/{on_request.pk}/").content.decode()
    assert 'id="ask-to-join"' in page and 'id="join-space"' not in page
    client.force_login(factories.space_member(space, "member").user)
    page = client.get(f"/spaces/{space.pk}/").content.decode()
    assert 'id="join-space"' not in page and 'id="ask-to-join"' not in page
