"""Co-edited documents over /ws/docs/<id>/: convergence, persistence, who may write."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from pycrdt import Doc, XmlElement, XmlText

from collab import documents, richtext
from collab.models import Document, DocumentUpdate
from parcours.models import Space
from tests import factories
from tests.collab.ysupport import open_doc, until

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def space(db):
    return factories.space(title="Entre pairs : écrire", visibility=Space.Visibility.OPEN)


@pytest.fixture
def people(space):
    return {
        "animator": factories.space_member(space, "animator").user,
        "member": factories.space_member(space, "member").user,
        "member2": factories.space_member(space, "member").user,
        "outsider": factories.user(academy_obj=factories.academy("reunion")),
    }


def _document(space, *, reserved=False) -> Document:
    return Document.objects.create(scope=space.scope, title="Compte rendu", reserved=reserved)


def _stored_text(document_id: int) -> str:
    doc = Doc()
    doc.apply_update(documents.stored_state(document_id)[0])
    return richtext.plain_text(doc)


async def _saved(document_id: int, text: str) -> None:
    async def check() -> bool:
        return await database_sync_to_async(_stored_text)(document_id) == text

    for _ in range(100):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{text!r} never reached the database")


async def test_two_clients_editing_at_once_converge_through_the_server(space, people):
    document = await database_sync_to_async(_document)(space)
    alice, _ = await open_doc(people["member"], document.pk)
    bob, _ = await open_doc(people["member2"], document.pk)
    alice.add_paragraph("Bonjour")
    await until(lambda: bob.text() == "Bonjour")
    # Both type into the same paragraph at the same time, neither having seen the other.
    alice.type_into(0, 7, " à tous")
    bob.type_into(0, 0, "« ")
    await until(lambda: alice.text() == bob.text() and "à tous" in alice.text())
    assert alice.text() == bob.text() == "« Bonjour à tous"
    late, _ = await open_doc(people["animator"], document.pk)
    assert late.text() == "« Bonjour à tous"
    for client in (alice, bob, late):
        await client.close()
    await _saved(document.pk, "« Bonjour à tous")


async def test_the_text_survives_every_editor_leaving(space, people):
    document = await database_sync_to_async(_document)(space)
    alice, _ = await open_doc(people["member"], document.pk)
    alice.add_paragraph("Première ligne")
    await alice.close()
    # The room is gone from memory: the next one is read from the database.
    again, _ = await open_doc(people["member2"], document.pk)
    assert again.text() == "Première ligne"
    await again.close()


async def test_a_read_only_member_update_is_refused_and_not_applied(space, people):
    document = await database_sync_to_async(_document)(space, reserved=True)
    animator, _ = await open_doc(people["animator"], document.pk)
    animator.add_paragraph("Consigne")
    reader, _ = await open_doc(people["member"], document.pk)
    await until(lambda: reader.text() == "Consigne")
    reader.add_paragraph("Je modifie")
    await until(lambda: reader.denied != [])
    assert reader.denied == ["lecture seule"]
    await asyncio.sleep(0.3)
    assert animator.text() == "Consigne"
    for client in (animator, reader):
        await client.close()
    assert await database_sync_to_async(_stored_text)(document.pk) == "Consigne"


async def test_outsiders_unknown_documents_and_anonymous_sockets_are_refused(space, people):
    document = await database_sync_to_async(_document)(space)
    assert (await open_doc(people["outsider"], document.pk))[1] == 4403
    assert (await open_doc(people["member"], 987654))[1] == 4404
    assert (await open_doc(None, document.pk))[1] == 4401
    for bad in ("99999999999999999999", "abc", "1%00"):
        assert (await open_doc(people["member"], bad))[1] == 4404


async def test_malformed_messages_change_nothing_and_keep_the_socket(space, people):
    document = await database_sync_to_async(_document)(space)
    alice, _ = await open_doc(people["member"], document.pk)
    alice.add_paragraph("Texte")
    for junk in (
        b"",
        b"\x00",
        b"\x00\x02\xff\xff\xff",
        b"\x07\x01",
        b"\x00\x02\x05abcde",
        b"\x01\x03abc",
    ):
        alice.send_raw(junk)
    # Past 1 MiB a message is ignored whole, even a well-formed update.
    huge = Doc()
    richtext.fragment(huge).children.append(XmlElement("paragraph", {}, [XmlText("x" * (2 << 20))]))
    from collab import yprotocol

    alice.send_raw(yprotocol.update_message(huge.get_update()))
    bob, _ = await open_doc(people["member2"], document.pk)
    alice.add_paragraph("Suite")
    await until(lambda: bob.text() == "Texte\nSuite")
    for client in (alice, bob):
        await client.close()


async def test_compaction_keeps_the_text_and_shrinks_the_log(space, people):
    document = await database_sync_to_async(_document)(space)
    alice, _ = await open_doc(people["member"], document.pk)
    alice.add_paragraph("")
    for i, letter in enumerate("abcdefghij"):
        alice.type_into(0, i, letter)
        await asyncio.sleep(0.12)  # one flush each: one log row each
    await alice.close()
    rows_before = await database_sync_to_async(documents.log_length)(document.pk)
    assert rows_before > 5
    await database_sync_to_async(documents.compact)(document.pk)
    assert await database_sync_to_async(documents.log_length)(document.pk) == 0
    assert await database_sync_to_async(_stored_text)(document.pk) == "abcdefghij"
    reader, _ = await open_doc(people["member2"], document.pk)
    assert reader.text() == "abcdefghij"
    await reader.close()


async def test_an_update_written_elsewhere_reaches_live_editors(space, people, settings):
    """What another process (or a version restore) appends to the log is read back."""
    settings.COLLAB_DOC_POLL = 0.2
    document = await database_sync_to_async(_document)(space)
    alice, _ = await open_doc(people["member"], document.pk)
    other = Doc()
    richtext.fragment(other).children.append(XmlElement("paragraph", {}, [XmlText("Ailleurs")]))
    await database_sync_to_async(documents.append_update)(document.pk, other.get_update())
    await until(lambda: alice.text() == "Ailleurs")
    await alice.close()
    assert (
        await database_sync_to_async(DocumentUpdate.objects.filter(document=document).count)() == 1
    )


async def test_a_member_removed_from_the_space_loses_the_document_at_once(space, people):
    from parcours import spaces

    document = await database_sync_to_async(_document)(space)
    member, _ = await open_doc(people["member"], document.pk)
    await database_sync_to_async(spaces.remove_member)(
        space=space, actor=people["animator"], user_id=people["member"].pk
    )
    await until(lambda: member.transport.close_code is not None)
    assert member.transport.close_code == 4403
    await member.close()


async def test_a_document_reserved_while_open_refuses_members_from_then_on(space, people, settings):
    settings.COLLAB_DOC_RECHECK = 0.3
    document = await database_sync_to_async(_document)(space)
    member, _ = await open_doc(people["member"], document.pk)
    member.add_paragraph("Avant")
    await _saved(document.pk, "Avant")
    await database_sync_to_async(documents.update_document)(
        actor=people["animator"], document=document, title=None, reserved=True
    )
    await asyncio.sleep(0.8)
    member.add_paragraph("Après")
    await until(lambda: member.denied != [])
    await member.close()
    assert await database_sync_to_async(_stored_text)(document.pk) == "Avant"


async def test_edits_made_offline_merge_when_the_editor_reconnects(space, people):
    document = await database_sync_to_async(_document)(space)
    alice, _ = await open_doc(people["member"], document.pk)
    alice.add_paragraph("Texte commun")
    bob, _ = await open_doc(people["member2"], document.pk)
    await until(lambda: bob.text() == "Texte commun")
    # Bob's connection drops; he goes on typing, as does Alice online.
    offline = bob.detach()
    await bob.close()
    richtext.fragment(offline).children.append(XmlElement("paragraph", {}, [XmlText("Hors ligne")]))
    alice.type_into(0, 0, "Notre ")
    back, _ = await open_doc(people["member2"], document.pk, doc=offline)
    await until(lambda: alice.text() == back.text() == "Notre Texte commun\nHors ligne")
    for client in (alice, back):
        await client.close()


def test_a_socket_past_its_budget_is_read_more_slowly():
    from collab.consumers import Pace

    now = [100.0]
    pace = Pace(rate=5, burst=3, clock=lambda: now[0])
    assert [pace.wait() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert pace.wait() == pytest.approx(0.2)
    now[0] += 1.0  # five more messages' worth, capped at the burst
    assert [pace.wait() for _ in range(2)] == [0.0, 0.0]


async def test_a_flood_of_updates_is_slowed_and_none_is_lost(space, people, settings):
    settings.COLLAB_DOC_RATE, settings.COLLAB_DOC_BURST = 50, 5
    document = await database_sync_to_async(_document)(space)
    alice, _ = await open_doc(people["member"], document.pk)
    bob, _ = await open_doc(people["member2"], document.pk)
    alice.add_paragraph("")
    for i in range(40):
        alice.type_into(0, i, "x")
    await until(lambda: bob.text() == "x" * 40, timeout=10)
    for client in (alice, bob):
        await client.close()


async def test_a_burst_of_edits_reaches_the_others_merged_and_a_lone_edit_at_once(
    space, people, settings
):
    settings.COLLAB_DOC_PACE = 2.0
    document = await database_sync_to_async(_document)(space)
    alice, _ = await open_doc(people["member"], document.pk)
    bob, _ = await open_doc(people["member2"], document.pk)
    alice.add_paragraph("a")
    # After a quiet spell an edit leaves at once, not a pace later.
    await until(lambda: bob.text() == "a", timeout=1.5)
    before = bob.updates_received
    for i in range(20):
        alice.type_into(0, 1 + i, "b")
        await asyncio.sleep(0.02)
    await until(lambda: bob.text() == "a" + "b" * 20, timeout=10)
    # Twenty edits while they keep coming: one or two merged frames, not twenty.
    assert bob.updates_received - before <= 2
    for client in (alice, bob):
        await client.close()
    await _saved(document.pk, "a" + "b" * 20)


def test_updates_waiting_side_by_side_for_a_socket_go_as_one():
    from pycrdt import Text

    from collab import yprotocol
    from collab.rooms import Update, _coalesce

    source, updates = Doc(), []
    source.observe(lambda event: updates.append(event.update))
    text = source.get("t", type=Text)
    for word in ("un ", "deux ", "trois"):
        text += word
    awareness = yprotocol.awareness_message(b"\x00")
    frames = _coalesce([Update(updates[0]), Update(updates[1]), awareness, Update(updates[2])])
    assert len(frames) == 3 and frames[1] == awareness
    target = Doc()
    for frame in (frames[0], frames[2]):
        kind, payload = yprotocol.parse(frame)
        assert kind == yprotocol.UPDATE
        target.apply_update(payload)
    assert str(target.get("t", type=Text)) == "un deux trois"


async def test_an_edit_relayed_by_a_process_that_died_unwritten_is_saved_by_the_others(
    space, people
):
    """Another process relayed an edit and died before writing it: the copy here, which
    applied it, writes it when its last editor leaves."""
    from collab import rooms

    document = await database_sync_to_async(_document)(space)
    alice, _ = await open_doc(people["member"], document.pk)
    alice.add_paragraph("Ici")
    elsewhere = Doc()
    elsewhere.apply_update(documents.EMPTY_UPDATE)
    richtext.fragment(elsewhere).children.append(XmlElement("paragraph", {}, [XmlText("Relayé")]))
    room = next(r for r in rooms.live_rooms() if r.document_id == document.pk)
    room.doc.apply_update(elsewhere.get_update())  # as a peer frame is applied: not logged
    await until(lambda: "Relayé" in alice.text())
    await alice.close()
    assert set((await database_sync_to_async(_stored_text)(document.pk)).split("\n")) == {
        "Ici",
        "Relayé",
    }


async def test_a_late_joiner_sees_who_is_there_and_a_leaver_disappears(space, people):
    document = await database_sync_to_async(_document)(space)
    alice, _ = await open_doc(people["member"], document.pk)
    alice.announce(11, {"user": {"name": "Alice"}})
    await asyncio.sleep(0.2)
    bob, _ = await open_doc(people["member2"], document.pk)
    await until(lambda: {"user": {"name": "Alice"}} in bob.present())
    await alice.close()
    await until(lambda: bob.present() == [])
    await bob.close()
