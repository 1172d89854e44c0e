"""Documents over HTTP: creating, listing, exporting, named versions; who may; bad input."""

import asyncio
import base64

import pytest
from channels.db import database_sync_to_async
from pycrdt import Doc, XmlElement, XmlText

from collab import documents, richtext
from collab.models import Document
from parcours.models import Space
from tests import factories
from tests.collab.ysupport import open_doc, until

HUGE = 2**64


@pytest.fixture
def space(db):
    return factories.space(title="Entre pairs", visibility=Space.Visibility.OPEN)


@pytest.fixture
def who(space):
    return {
        "animator": factories.space_member(space, "animator").user,
        "member": factories.space_member(space, "member").user,
        "newcomer": factories.user(),  # same academy, open space, not joined
        "outsider": factories.user(academy_obj=factories.academy("reunion")),
    }


def _write(document: Document, blocks: list[tuple[str, dict, str, dict | None]]) -> None:
    doc = documents.load_doc(document)
    before = doc.get_state()
    for tag, attrs, text, marks in blocks:
        element = richtext.fragment(doc).children.append(XmlElement(tag, attrs))
        piece = element.children.append(XmlText())
        piece.insert(0, text, marks)
    documents.append_update(document.pk, doc.get_update(before))


# (standing, action, reserved document, expected)
TABLE = [
    ("animator", "read", False, True),
    ("animator", "write", False, True),
    ("animator", "write", True, True),
    ("member", "read", True, True),
    ("member", "write", False, True),
    ("member", "write", True, False),
    ("newcomer", "read", False, False),
    ("newcomer", "write", False, False),
    ("outsider", "read", False, False),
    ("outsider", "write", False, False),
]


@pytest.mark.parametrize("standing,action,reserved,expected", TABLE)
def test_who_reads_and_writes_a_document(space, who, standing, action, reserved, expected):
    document = Document.objects.create(scope=space.scope, title="D", reserved=reserved)
    decide = documents.read_decision if action == "read" else documents.write_decision
    assert bool(decide(who[standing], document)) is expected


def test_nobody_writes_in_an_archived_space_but_members_still_read(space, who):
    document = Document.objects.create(scope=space.scope, title="D")
    Space.objects.filter(pk=space.pk).update(archived=True)
    document = documents.get_document(document.pk)
    assert documents.read_decision(who["member"], document)
    assert not documents.write_decision(who["animator"], document)
    assert documents.write_decision(who["member"], document).code == "frozen"


@pytest.mark.parametrize(
    "standing,body,status",
    [
        ("member", {"title": "Notes"}, 201),
        ("member", {"title": "Carte", "kind": "mindmap"}, 403),
        ("member", {"title": "Consigne", "reserved": True}, 403),
        ("animator", {"title": "Carte", "kind": "mindmap"}, 201),
        ("animator", {"title": "Consigne", "reserved": True}, 201),
        ("newcomer", {"title": "Notes"}, 403),
        ("outsider", {"title": "Notes"}, 403),
    ],
)
def test_who_opens_which_document(api, space, who, standing, body, status):
    response = api(who[standing]).post(f"/spaces/{space.pk}/documents", body)
    assert response.status_code == status, response.content
    assert space.scope.documents.count() == (1 if status == 201 else 0)
    if status == 201:
        assert response.json()["sync_url"] == f"/ws/docs/{response.json()['id']}/"
        assert response.json()["space_id"] == space.pk


@pytest.mark.parametrize(
    "method,path,body,status,field",
    [
        ("post", "/spaces/{space}/documents", {"title": ""}, 422, "title"),
        ("post", "/spaces/{space}/documents", {"title": "a" * 201}, 422, "title"),
        ("post", "/spaces/{space}/documents", {"title": "x\x00"}, 422, "title"),
        ("post", "/spaces/{space}/documents", {"title": "x", "kind": "wiki"}, 422, "kind"),
        ("post", "/spaces/{space}/documents", {"title": 5}, 422, "title"),
        ("post", f"/spaces/{HUGE}/documents", {"title": "x"}, 422, "space_id"),
        ("get", f"/documents/{HUGE}", None, 422, "document_id"),
        ("get", "/documents/{doc}/export?format=pdf", None, 422, "format"),
        ("post", "/documents/{doc}/versions", {"name": ""}, 422, "name"),
        (
            "post",
            "/documents/{doc}/versions",
            {"name": "v", "state": "pas du base64"},
            422,
            "state",
        ),
        ("post", "/documents/{doc}/versions", {"name": "v", "state": "AAEC/w=="}, 422, "state"),
        ("post", "/documents/{doc}/versions", {"name": "v", "state": 5}, 422, "state"),
        (
            "post",
            "/documents/{doc}/versions",
            {"name": "v", "state": "A" * 2_800_004},
            413,
            "body",
        ),
        ("post", f"/documents/{{doc}}/versions/{HUGE}/restore", None, 422, "version_id"),
    ],
)
def test_bad_input_is_named_and_changes_nothing(api, space, who, method, path, body, status, field):
    document = Document.objects.create(scope=space.scope, title="D")
    url = path.format(space=space.pk, doc=document.pk)
    response = (
        getattr(api(who["animator"]), method)(url, body)
        if body is not None
        else getattr(api(who["animator"]), method)(url)
    )
    assert response.status_code == status, response.content
    assert response.json()["error"]["details"]["field"] == field
    assert space.scope.documents.count() == 1 and document.versions.count() == 0


def test_malformed_json_and_unknown_ids(api, space, who):
    client = api(who["member"])
    assert client.post(f"/spaces/{space.pk}/documents", raw="{").status_code == 400
    assert client.get("/documents/424242").status_code == 404
    assert client.post(f"/spaces/{space.pk}/documents", raw="{").json()["error"]["code"]
    assert space.scope.documents.count() == 0


def test_export_as_markdown_and_html(api, space, who):
    document = Document.objects.create(scope=space.scope, title="Compte rendu")
    _write(
        document,
        [
            ("heading", {"level": 2}, "Séance 1", None),
            ("paragraph", {}, "Lire chaque jour", {"strong": {}}),
            ("paragraph", {}, "<script>", None),
        ],
    )
    markdown = api(who["member"]).get(f"/documents/{document.pk}/export?format=markdown")
    assert markdown.status_code == 200
    assert markdown["Content-Type"].startswith("text/markdown")
    assert markdown.content.decode() == "## Séance 1\n\n**Lire chaque jour**\n\n\\<script\\>\n"
    page = api(who["member"]).get(f"/documents/{document.pk}/export?format=html").content.decode()
    assert (
        page
        == "<h2>Séance 1</h2>\n<p><strong>Lire chaque jour</strong></p>\n<p>&lt;script&gt;</p>\n"
    )
    assert api(who["outsider"]).get(f"/documents/{document.pk}/export").status_code == 403


@pytest.mark.django_db(transaction=True)
async def test_a_restored_version_reaches_the_live_editors(space, who, settings):
    settings.COLLAB_DOC_POLL = 0.2
    document = await database_sync_to_async(Document.objects.create)(scope=space.scope, title="D")
    editor, _ = await open_doc(who["member"], document.pk)
    editor.add_paragraph("Version une")
    await asyncio.sleep(0.4)
    version = await database_sync_to_async(documents.save_version)(
        actor=who["member"], document=document, name="Avant la relecture"
    )
    editor.type_into(0, 11, ", puis relue")
    await until(lambda: editor.text() == "Version une, puis relue")
    await asyncio.sleep(0.4)
    await database_sync_to_async(documents.restore_version)(actor=who["member"], version=version)
    await until(lambda: editor.text() == "Version une")
    await editor.close()
    stored = await database_sync_to_async(documents.stored_state)(document.pk)
    doc = Doc()
    doc.apply_update(stored[0])
    assert richtext.plain_text(doc) == "Version une"


def test_a_version_holds_what_its_author_saw_even_before_the_log_had_it(api, space, who):
    document = Document.objects.create(scope=space.scope, title="D")
    _write(document, [("paragraph", {}, "Plan valide", None)])
    page = Doc()
    page.apply_update(documents.stored_state(document.pk)[0])
    # The author's last keystrokes, shown on their page, not yet in the database.
    richtext.fragment(page).children[0].children[0].insert(11, " en conseil de cycle.")
    state = base64.b64encode(page.get_update()).decode()
    made = api(who["member"]).post(
        f"/documents/{document.pk}/versions", {"name": "Après le conseil", "state": state}
    )
    assert made.status_code == 201, made.content
    version = Doc()
    version.apply_update(bytes(document.versions.get().state))
    assert richtext.plain_text(version) == "Plan valide en conseil de cycle."
    # The document holds it too: nothing is in the version that the document lacks.
    stored = Doc()
    stored.apply_update(documents.stored_state(document.pk)[0])
    assert richtext.plain_text(stored) == "Plan valide en conseil de cycle."


def test_a_reader_of_a_reserved_document_may_not_save_or_restore_versions(api, space, who):
    document = Document.objects.create(scope=space.scope, title="D", reserved=True)
    refused = api(who["member"]).post(f"/documents/{document.pk}/versions", {"name": "v1"})
    assert refused.status_code == 403
    made = api(who["animator"]).post(f"/documents/{document.pk}/versions", {"name": "v1"})
    assert made.status_code == 201
    restore = f"/documents/{document.pk}/versions/{made.json()['id']}/restore"
    assert api(who["member"]).post(restore).status_code == 403
    assert api(who["animator"]).post(restore).status_code == 204


def test_the_space_page_lists_documents_and_the_document_page_says_read_only(client, space, who):
    document = Document.objects.create(scope=space.scope, title="Consigne", reserved=True)
    client.force_login(who["member"])
    page = client.get(f"/spaces/{space.pk}/").content.decode()
    assert "Consigne" in page and f'href="/documents/{document.pk}/"' in page
    doc_page = client.get(f"/documents/{document.pk}/").content.decode()
    assert 'data-writable="0"' in doc_page and "lecture seule" in doc_page
    client.force_login(who["outsider"])
    assert client.get(f"/documents/{document.pk}/").status_code == 403


@pytest.mark.parametrize(
    "standing,read,write",
    [
        ("participant", True, True),
        ("tutor", True, True),
        ("trainer", True, True),
        ("inspector", False, False),
        ("admin", False, False),
        ("admin_granted", True, False),
        ("designer", False, False),
        ("national", False, False),
        ("outsider", False, False),
    ],
)
def test_who_reads_and_writes_in_a_sessions_own_space(world, standing, read, write):
    from parcours import spaces

    space = spaces.open_session_space(session=world.session, actor=world.trainer)
    document = Document.objects.create(scope=space.scope, title="Synthèse")
    document = documents.get_document(document.pk)
    user = world.by_standing(standing)
    assert bool(documents.read_decision(user, document)) is read
    assert bool(documents.write_decision(user, document)) is write
