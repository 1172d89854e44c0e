"""Mind maps co-built live: concurrent add, rename, move and delete give one tree everywhere."""

import pytest
from channels.db import database_sync_to_async
from pycrdt import Map

from collab import mindmaps
from collab.models import Document
from parcours.models import Space
from tests import factories
from tests.collab.ysupport import open_doc, until

pytestmark = [pytest.mark.django_db(transaction=True)]


def _setup():
    space = factories.space(title="Réseau", visibility=Space.Visibility.OPEN)
    people = [factories.space_member(space, "member").user for _ in range(2)]
    animator = factories.space_member(space, "animator").user
    document = Document.objects.create(scope=space.scope, title="Lire", kind="mindmap")
    return document, people, animator


def _nodes(client) -> Map:
    return client.doc.get("nodes", type=Map)


def add(client, key: str, label: str, parent: str = "root", order: float = 0) -> None:
    _nodes(client)[key] = Map({"label": label, "parent": parent, "order": order})


def outline(client) -> str:
    return mindmaps.outline(client.doc, "Lire", "markdown")


async def test_concurrent_edits_converge_to_one_tree():
    document, (alice_user, bob_user), _ = await database_sync_to_async(_setup)()
    alice, _ = await open_doc(alice_user, document.pk)
    bob, _ = await open_doc(bob_user, document.pk)
    add(alice, "a", "Albums", order=1)
    add(alice, "b", "Romans", order=2)
    add(alice, "c", "Contes", parent="a", order=3)
    await until(lambda: outline(bob) == outline(alice))

    # At once, unseen by each other: both rename "a"; A moves "a" under "b" while B moves
    # "b" under "a" (a cycle); A deletes "c" while B adds a child to it; both add a node.
    _nodes(alice)["a"]["label"] = "Albums illustrés"
    _nodes(bob)["a"]["label"] = "Albums jeunesse"
    _nodes(alice)["a"]["parent"] = "b"
    _nodes(bob)["b"]["parent"] = "a"
    _nodes(alice)["c"]["deleted"] = True
    add(bob, "d", "Contes de Perrault", parent="c", order=4)
    add(alice, "e", "Poésie", order=5)
    add(bob, "f", "Théâtre", order=6)
    await until(lambda: outline(alice) == outline(bob) and "Théâtre" in outline(alice))

    tree = mindmaps.as_dict(mindmaps.tree(alice.doc, "Lire"))
    labels = {child["label"] for child in tree["children"]}
    # The cycle is broken the same way everywhere: "a" (smallest id) goes back to the root.
    assert _nodes(alice)["a"]["label"] in ("Albums illustrés", "Albums jeunesse")
    assert {"Poésie", "Théâtre"} <= labels and "Contes" not in outline(alice)
    assert "Contes de Perrault" not in outline(alice)  # under a deleted node
    a = next(child for child in tree["children"] if child["id"] == "a")
    assert [child["label"] for child in a["children"]] == ["Romans"]
    for client in (alice, bob):
        await client.close()


async def test_outline_export_and_tree_api(client):
    document, (alice_user, _), _ = await database_sync_to_async(_setup)()
    alice, _ = await open_doc(alice_user, document.pk)
    add(alice, "a", "Albums", order=1)
    add(alice, "b", "Romans <policiers>", parent="a", order=2)
    await alice.close()
    await database_sync_to_async(client.force_login)(alice_user)
    markdown = await database_sync_to_async(client.get)(
        f"/api/v1/documents/{document.pk}/export?format=markdown"
    )
    assert markdown.content.decode() == "# Lire\n\n- Albums\n  - Romans <policiers>\n"
    page = await database_sync_to_async(client.get)(
        f"/api/v1/documents/{document.pk}/export?format=html"
    )
    assert "<li>Albums<ul><li>Romans &lt;policiers&gt;</li></ul></li>" in page.content.decode()
    tree = (
        await database_sync_to_async(client.get)(f"/api/v1/documents/{document.pk}/mindmap")
    ).json()
    assert tree["children"][0]["children"][0]["label"] == "Romans <policiers>"


async def test_members_may_not_change_a_reserved_map(settings):
    document, (alice_user, _), animator_user = await database_sync_to_async(_setup)()
    document.reserved = True
    await database_sync_to_async(document.save)()
    lead, _ = await open_doc(animator_user, document.pk)
    add(lead, "a", "Consigne")
    member, _ = await open_doc(alice_user, document.pk)
    await until(lambda: "Consigne" in outline(member))
    add(member, "z", "Ajout refusé")
    await until(lambda: member.denied != [])
    assert "Ajout refusé" not in outline(lead)
    for c in (lead, member):
        await c.close()


async def test_the_map_exports_as_an_image(client):
    import xml.etree.ElementTree as ET

    document, (alice_user, _), _ = await database_sync_to_async(_setup)()
    alice, _ = await open_doc(alice_user, document.pk)
    add(alice, "a", "Albums", order=1)
    add(alice, "b", "<script>alert(1)</script>", parent="a", order=2)
    add(alice, "c", "Romans", order=3)
    await alice.close()
    await database_sync_to_async(client.force_login)(alice_user)
    response = await database_sync_to_async(client.get)(
        f"/api/v1/documents/{document.pk}/export?format=svg"
    )
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response["X-Content-Type-Options"] == "nosniff"
    image = ET.fromstring(response.content)
    texts = [t.text for t in image.iter("{http://www.w3.org/2000/svg}text")]
    assert sorted(texts) == sorted(["Lire", "Albums", "<script>alert(1)</script>", "Romans"])
    assert not list(image.iter("{http://www.w3.org/2000/svg}script"))
    # Three links: root-Albums, Albums-child, root-Romans.
    assert len(list(image.iter("{http://www.w3.org/2000/svg}path"))) == 3
