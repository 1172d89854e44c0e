"""Administrators' break-glass access: a member asks for help, an administrator opens a grant
against that request (both in the audit log), and every read under the grant is written to
the log the trainers read, once per object and day."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from forums import services as forums
from parcours.models import AccessGrant, AuditEntry, HelpRequest
from tests import factories
from tests.conftest import STANDINGS
from tests.forums.conftest import make_board
from tests.realtime.support import connect
from tests.scheduling.test_polls import make_poll

SOON = (timezone.now() + timezone.timedelta(hours=4)).isoformat()
MEMBERS = {"participant", "tutor", "trainer"}


def _reads(user) -> list[tuple[str, str, int | None]]:
    return sorted(
        AuditEntry.objects.filter(actor=user).values_list("action", "object_kind", "object_id")
    )


@pytest.mark.parametrize("standing", STANDINGS)
def test_who_may_ask_for_help(world, api, standing):
    response = api(world.by_standing(standing)).post(
        f"/sessions/{world.session.pk}/help-requests",
        {"message": "Un message déplacé dans le forum"},
    )
    assert response.status_code == (201 if standing in MEMBERS else 403)
    assert HelpRequest.objects.exists() is (standing in MEMBERS)


@pytest.mark.parametrize("standing", STANDINGS)
def test_who_reads_the_help_requests(world, api, standing):
    factories.help_request(world.session)
    response = api(world.by_standing(standing)).get(f"/sessions/{world.session.pk}/help-requests")
    assert response.status_code == (200 if standing in {"admin", "admin_granted"} else 403)


def test_a_help_request_then_a_grant_against_it_are_both_in_the_trainers_log(world, api):
    asked = api(world.participant).post(
        f"/sessions/{world.session.pk}/help-requests",
        {"message": "  Un message déplacé dans le forum  "},
    )
    assert asked.status_code == 201
    request_id = asked.json()["id"]
    listed = api(world.admin).get(f"/sessions/{world.session.pk}/help-requests").json()
    assert [(r["id"], r["requester"], r["granted"]) for r in listed] == [
        (request_id, "Participant Test", False)
    ]

    granted = api(world.admin).post(
        f"/sessions/{world.session.pk}/access-grants",
        {"reason": "Modération demandée", "expires_at": SOON, "help_request_id": request_id},
    )
    assert granted.status_code == 201
    assert granted.json()["help_request_id"] == request_id
    log = api(world.trainer).get(f"/sessions/{world.session.pk}/audit").json()
    assert [(r["actor"], r["action"], r["reason"], r["help_request_id"]) for r in log] == [
        ("Admin Test", "grant_created", "Modération demandée", request_id),
        ("Participant Test", "help_requested", "Un message déplacé dans le forum", request_id),
    ]
    listed = api(world.admin).get(f"/sessions/{world.session.pk}/help-requests").json()
    assert listed[0]["granted"] is True


def test_no_grant_without_a_request_of_that_session(world, api):
    elsewhere = factories.help_request(world.other_session)
    for help_request_id, status, field in [
        (None, 422, "help_request_id"),
        (elsewhere.pk, 404, None),
        (999_999, 404, None),
        (2**64, 422, "help_request_id"),
    ]:
        body = {"reason": "Modération demandée", "expires_at": SOON}
        if help_request_id is not None:
            body["help_request_id"] = help_request_id
        response = api(world.admin).post(f"/sessions/{world.session.pk}/access-grants", body)
        assert response.status_code == status, response.content
        if field:
            assert response.json()["error"]["details"]["field"] == field
    assert not AccessGrant.objects.filter(grantee=world.admin).exists()
    assert not AuditEntry.objects.filter(actor=world.admin).exists()


def test_a_too_short_help_request_is_refused_and_nothing_is_logged(world, api):
    response = api(world.trainer).post(
        f"/sessions/{world.session.pk}/help-requests", {"message": "  aide  "}
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "message"
    assert not HelpRequest.objects.exists() and not AuditEntry.objects.exists()


@pytest.fixture
def content(world, api, settings, tmp_path):
    """A forum with a private reply carrying an attachment, and a poll, in the session."""
    settings.MEDIA_ROOT = tmp_path
    board = make_board(world)
    private = forums.reply(
        discussion=board.discussion, author=world.participant, body="<p>Entre nous</p>",
        private=True,
    )  # fmt: skip
    attachment = forums.add_attachment(
        post=private, user=world.participant, upload=SimpleUploadedFile("a.txt", b"notes")
    )
    poll = make_poll(api, world)
    return board, private, attachment, poll


def _api_reads(world, board, private, attachment, poll):
    session, scope = world.session, world.session.scope
    return [
        (f"/sessions/{session.pk}/forums", "forums", scope.pk),
        (f"/forums/{board.forum.pk}", "forum", board.forum.pk),
        (f"/discussions/{board.discussion.pk}", "discussion", board.discussion.pk),
        (f"/posts/{private.pk}", "private_post", private.pk),
        (f"/posts/{board.reply.pk}", "post", board.reply.pk),
        (f"/forum-attachments/{attachment.pk}", "attachment", attachment.pk),
        (f"/sessions/{session.pk}/polls", "polls", session.pk),
        (f"/polls/{poll['id']}", "poll", poll["id"]),
        (f"/sessions/{session.pk}/questionnaires", "questionnaires", session.pk),
    ]


def test_every_read_under_a_grant_is_logged_once_per_object_and_day(world, api, content):
    board, private, attachment, poll = content
    reads = _api_reads(world, board, private, attachment, poll)
    for _ in range(2):
        for path, _kind, _id in reads:
            assert api(world.admin_granted).get(path).status_code == 200, path
    expected = {("read", kind, object_id) for _path, kind, object_id in reads}
    # Reading a discussion shows its private reply: logged as read too.
    assert set(_reads(world.admin_granted)) == expected
    assert len(_reads(world.admin_granted)) == len(expected)

    log = api(world.trainer).get(f"/sessions/{world.session.pk}/audit").json()
    objects = {row["object"] for row in log}
    assert f"un message privé (n° {private.pk})" in objects
    assert f"une pièce jointe (n° {attachment.pk})" in objects
    assert all(row["reason"] == "Assistance demandée par la formatrice" for row in log)


@pytest.mark.parametrize("standing", ["trainer", "participant", "tutor"])
def test_members_reads_write_nothing(world, api, content, standing):
    board, private, attachment, poll = content
    for path, _kind, _id in _api_reads(world, board, private, attachment, poll):
        api(world.by_standing(standing)).get(path)
    assert not AuditEntry.objects.exists()


def test_pages_read_under_a_grant_are_logged_and_shown_to_the_trainers(world, client, content):
    board, private, _attachment, poll = content
    client.force_login(world.admin_granted)
    for url in (
        f"/forums/{board.forum.pk}/",
        f"/forums/discussions/{board.discussion.pk}/",
        f"/forums/messages/{private.pk}/",
        f"/sondages/{poll['id']}/",
    ):
        assert client.get(url).status_code == 200, url
    assert set(_reads(world.admin_granted)) >= {
        ("read", "forum", board.forum.pk),
        ("read", "discussion", board.discussion.pk),
        ("read", "private_post", private.pk),
        ("read", "poll", poll["id"]),
    }
    client.force_login(world.trainer)
    html = client.get(f"/sessions/{world.session.pk}/journal/").content.decode()
    assert f"une discussion (n° {board.discussion.pk})" in html
    assert "Admin_Granted Test" in html


@pytest.mark.django_db(transaction=True)
async def test_following_a_topic_live_under_a_grant_is_logged(world):
    from channels.db import database_sync_to_async

    board = await database_sync_to_async(make_board)(world)
    client, _ = await connect(world.admin_granted)
    answer = await client.subscribe(f"discussion:{board.discussion.pk}")
    assert answer["op"] == "subscribed"
    await client.close()
    member, _ = await connect(world.participant)
    await member.subscribe(f"discussion:{board.discussion.pk}")
    await member.close()
    rows = await database_sync_to_async(
        lambda: sorted(AuditEntry.objects.values_list("actor__username", "object_kind"))
    )()
    assert rows == [("admin_granted", "live:discussion")]


def test_the_sessions_own_space_and_its_documents_read_under_a_grant_are_logged(world, api, client):
    from collab.models import Document
    from parcours import spaces

    space = spaces.open_session_space(session=world.session, actor=world.trainer)
    document = Document.objects.create(scope=space.scope, title="Synthèse")
    client.force_login(world.admin_granted)
    assert client.get(f"/spaces/{space.pk}/").status_code == 200
    assert api(world.admin_granted).get(f"/documents/{document.pk}").status_code == 200
    assert api(world.participant).get(f"/documents/{document.pk}").status_code == 200
    # The space page lists its resources and word clouds: those lists are reads too.
    assert _reads(world.admin_granted) == sorted(
        [
            ("read", "document", document.pk),
            ("read", "space", space.pk),
            ("read", "resources", space.scope.pk),
            ("read", "wordclouds", space.scope.pk),
        ]
    )
    assert not AuditEntry.objects.filter(actor=world.participant).exists()


def test_word_clouds_and_resources_of_the_sessions_space_read_under_a_grant_are_logged(world, api):
    from collab import resources, wordclouds
    from parcours import spaces

    space = spaces.open_session_space(session=world.session, actor=world.trainer)
    cloud = wordclouds.create_cloud(actor=world.trainer, scope=space.scope, question="Un mot ?")
    link = resources.share_link(
        actor=world.trainer, scope=space.scope, title="Programme", url="https://example.org/"
    )
    admin, participant = api(world.admin_granted), api(world.participant)
    for who in (admin, participant):
        assert who.get(f"/spaces/{space.pk}/wordclouds").status_code == 200
        assert who.get(f"/wordclouds/{cloud.pk}").status_code == 200
        assert who.get(f"/spaces/{space.pk}/resources").status_code == 200
    assert _reads(world.admin_granted) == sorted(
        [
            ("read", "wordclouds", space.scope.pk),
            ("read", "wordcloud", cloud.pk),
            ("read", "resources", space.scope.pk),
        ]
    )
    assert link.pk and not AuditEntry.objects.filter(actor=world.participant).exists()
