"""Word clouds: normalised words, per-person limits, live counts, hidden words, anonymity."""

import threading

import pytest
from django.db import connections

from collab import wordclouds
from collab.models import WordCloud, WordEntry
from parcours.models import Space
from tests import factories

HUGE = 2**64


@pytest.fixture
def space(db):
    return factories.space(title="Entre pairs", visibility=Space.Visibility.OPEN)


@pytest.fixture
def who(space):
    return {
        "animator": factories.space_member(space, "animator").user,
        "member": factories.space_member(space, "member").user,
        "member2": factories.space_member(space, "member").user,
        "newcomer": factories.user(),
        "outsider": factories.user(academy_obj=factories.academy("reunion")),
    }


@pytest.fixture
def cloud(space, who):
    return wordclouds.create_cloud(
        actor=who["animator"], scope=space.scope, question="Un mot pour la lecture ?"
    )


@pytest.mark.parametrize(
    "raw,normal",
    [
        ("Écoute", "ecoute"),
        (" ÉCOUTES ", "ecoute"),
        ("écoute !", "ecoute"),
        ("journaux", "journal"),
        ("Châteaux", "chateau"),
        ("plaisir", "plaisir"),
        ("plaisirs", "plaisir"),
        ("jeux", "jeu"),
        ("bus", "bus"),
        ("l'envie", "l'envie"),
        ("Vivre   ensemble", "vivre ensemble"),
    ],
)
def test_french_normalisation_kept_simple(raw, normal):
    assert wordclouds.normalise(raw) == normal


def test_variants_of_one_word_count_once_each_and_show_as_most_wrote_it(api, cloud, who):
    for user, word in [("member", "Écoute"), ("member2", "écoute"), ("animator", "écoutes")]:
        assert (
            api(who[user]).post(f"/wordclouds/{cloud.pk}/words", {"word": word}).status_code == 201
        )
    seen = api(who["member"]).get(f"/wordclouds/{cloud.pk}").json()
    # Three forms written once each: the first written is shown.
    assert [(w["word"], w["count"]) for w in seen["words"]] == [("Écoute", 3)]
    assert seen["mine"] == ["ecoute"] and seen["words"][0]["authors"] is None


def test_each_member_gives_at_most_max_words_and_each_word_once(api, cloud, who):
    client = api(who["member"])
    for word in ["calme", "partage", "curiosité"]:
        assert client.post(f"/wordclouds/{cloud.pk}/words", {"word": word}).status_code == 201
    again = client.post(f"/wordclouds/{cloud.pk}/words", {"word": "Calmes"})
    assert again.status_code == 409
    over = client.post(f"/wordclouds/{cloud.pk}/words", {"word": "joie"})
    assert over.status_code == 409 and over.json()["error"]["details"]["max_words"] == 3
    assert WordEntry.objects.filter(cloud=cloud).count() == 3
    assert client.delete(f"/wordclouds/{cloud.pk}/words/calme").status_code == 204
    assert client.post(f"/wordclouds/{cloud.pk}/words", {"word": "joie"}).status_code == 201


def test_new_words_are_published_live_with_their_count(cloud, who, capture_events):
    wordclouds.add_word(actor=who["member"], cloud=cloud, word="Partage")
    wordclouds.add_word(actor=who["member2"], cloud=cloud, word="partages")
    wordclouds.hide_word(actor=who["animator"], cloud=cloud, normal="partage")
    events = [(t, e.model_dump()) for t, e in capture_events.events]
    topic = f"wordcloud:{cloud.pk}"
    assert [e["count"] for t, e in events if e["type"] == "wordcloud.word_counted"] == [1, 2]
    assert all(t == topic for t, _ in events)
    assert events[-1][1] == {
        "type": "wordcloud.word_hidden",
        "cloud_id": cloud.pk,
        "normal": "partage",
        "hidden": True,
    }


def test_a_hidden_word_leaves_the_members_cloud_but_not_the_animators(api, cloud, who):
    api(who["member"]).post(f"/wordclouds/{cloud.pk}/words", {"word": "bêtise"})
    api(who["member2"]).post(f"/wordclouds/{cloud.pk}/words", {"word": "lire"})
    refused = api(who["member"]).post(f"/wordclouds/{cloud.pk}/hide", {"word": "bêtise"})
    assert refused.status_code == 403
    shown = api(who["animator"]).post(f"/wordclouds/{cloud.pk}/hide", {"word": "bêtise"}).json()
    assert {w["normal"]: w["hidden"] for w in shown["words"]} == {"betise": True, "lire": False}
    member_view = api(who["member2"]).get(f"/wordclouds/{cloud.pk}").json()
    assert [w["normal"] for w in member_view["words"]] == ["lire"]


def test_authors_are_shown_to_animators_of_a_nominative_cloud_only(api, space, cloud, who):
    named = wordclouds.create_cloud(
        actor=who["animator"], scope=space.scope, question="Qui lit quoi ?", anonymous=False
    )
    for c in (cloud, named):
        api(who["member"]).post(f"/wordclouds/{c.pk}/words", {"word": "Pennac"})
    assert api(who["animator"]).get(f"/wordclouds/{cloud.pk}").json()["words"][0]["authors"] is None
    authors = api(who["animator"]).get(f"/wordclouds/{named.pk}").json()["words"][0]["authors"]
    assert authors == [f"{who['member'].first_name} {who['member'].last_name}"]
    assert api(who["member2"]).get(f"/wordclouds/{named.pk}").json()["words"][0]["authors"] is None


# (standing, action, expected status)
TABLE = [
    ("animator", "create", 201),
    ("member", "create", 403),
    ("newcomer", "create", 403),
    ("outsider", "create", 403),
    ("animator", "read", 200),
    ("member", "read", 200),
    ("newcomer", "read", 403),
    ("outsider", "read", 403),
    ("animator", "add", 201),
    ("member", "add", 201),
    ("newcomer", "add", 403),
    ("outsider", "add", 403),
    ("animator", "hide", 200),
    ("member", "hide", 403),
    ("newcomer", "hide", 403),
    ("animator", "close", 200),
    ("member", "close", 403),
    ("outsider", "close", 403),
]


@pytest.mark.parametrize("standing,action,status", TABLE)
def test_who_does_what_with_a_word_cloud(api, space, cloud, who, standing, action, status):
    client = api(who[standing])
    calls = {
        "create": lambda: client.post(f"/spaces/{space.pk}/wordclouds", {"question": "Q ?"}),
        "read": lambda: client.get(f"/wordclouds/{cloud.pk}"),
        "add": lambda: client.post(f"/wordclouds/{cloud.pk}/words", {"word": "mot"}),
        "hide": lambda: client.post(f"/wordclouds/{cloud.pk}/hide", {"word": "mot"}),
        "close": lambda: client.post(f"/wordclouds/{cloud.pk}/close", {"closed": True}),
    }
    assert calls[action]().status_code == status


def test_a_closed_cloud_or_an_archived_space_takes_no_more_words(api, space, cloud, who):
    api(who["animator"]).post(f"/wordclouds/{cloud.pk}/close", {"closed": True})
    closed = api(who["member"]).post(f"/wordclouds/{cloud.pk}/words", {"word": "tard"})
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "frozen"
    api(who["animator"]).post(f"/wordclouds/{cloud.pk}/close", {"closed": False})
    Space.objects.filter(pk=space.pk).update(archived=True)
    archived = api(who["member"]).post(f"/wordclouds/{cloud.pk}/words", {"word": "tard"})
    assert archived.json()["error"]["code"] == "frozen"
    assert not WordEntry.objects.exists()


@pytest.mark.parametrize(
    "path,body,field",
    [
        ("/wordclouds/{c}/words", {"word": ""}, "word"),
        ("/wordclouds/{c}/words", {"word": "x" * 41}, "word"),
        ("/wordclouds/{c}/words", {"word": "!!!"}, "word"),
        ("/wordclouds/{c}/words", {"word": 12}, "word"),
        ("/wordclouds/{c}/words", {"word": "a\x00b"}, "word"),
        (f"/wordclouds/{HUGE}/words", {"word": "mot"}, "cloud_id"),
        ("/spaces/{s}/wordclouds", {"question": "Q", "max_words": 0}, "max_words"),
        ("/spaces/{s}/wordclouds", {"question": ""}, "question"),
    ],
)
def test_bad_input_is_named_and_changes_nothing(api, space, cloud, who, path, body, field):
    response = api(who["animator"]).post(path.format(c=cloud.pk, s=space.pk), body)
    assert response.status_code == 422, response.content
    assert response.json()["error"]["details"]["field"] == field
    assert not WordEntry.objects.exists() and WordCloud.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_all_count(space):
    """Many members at once: every word is a row, so no vote is lost (no shared counter)."""
    animator = factories.space_member(space, "animator").user
    cloud = wordclouds.create_cloud(actor=animator, scope=space.scope, question="Q ?")
    members = [factories.space_member(space, "member").user for _ in range(8)]
    errors: list[Exception] = []

    def give(user) -> None:
        try:
            for word in ("lire", "écrire"):
                wordclouds.add_word(actor=user, cloud=cloud, word=word)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=give, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    counts = {w["normal"]: w["count"] for w in wordclouds.cloud(animator, cloud)["words"]}
    assert counts == {"lire": 8, "ecrire": 8}


@pytest.mark.django_db(transaction=True)
async def test_members_following_the_cloud_see_words_arrive_and_outsiders_cannot_follow(space):
    from channels.db import database_sync_to_async

    from tests.realtime.support import connect

    def setup():
        animator = factories.space_member(space, "animator").user
        member = factories.space_member(space, "member").user
        outsider = factories.user(academy_obj=factories.academy("reunion"))
        made = wordclouds.create_cloud(actor=animator, scope=space.scope, question="Q ?")
        return made, animator, member, outsider

    made, animator, member, outsider = await database_sync_to_async(setup)()
    topic = f"wordcloud:{made.pk}"
    watcher, _ = await connect(animator)
    assert (await watcher.subscribe(topic))["op"] == "subscribed"
    stranger, _ = await connect(outsider)
    assert (await stranger.subscribe(topic))["code"] == "forbidden"
    await database_sync_to_async(wordclouds.add_word)(actor=member, cloud=made, word="Lectures")
    frame = await watcher.recv()
    assert frame["type"] == "wordcloud.word_counted"
    assert frame["data"] == {
        "cloud_id": made.pk,
        "normal": "lecture",
        "word": "Lectures",
        "count": 1,
    }
