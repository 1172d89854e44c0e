"""The browser's client of the gateway (web/static/js/realtime.js) speaks the fast tier:
directed signalling to one tab, binary updates, and the arrivals it learns peers from."""

import pytest

from tests.browser import log_in
from tests.realtime.support import ROOM_APPLICATION

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

FOLLOW = """topic => new Promise(resolve => {
  window.received = [];
  window.preauRealtime.subscribe(topic, frame => window.received.push(frame),
                                 { onSubscribed: resolve });
})"""


def frames_of(page, event_type: str, count: int = 1) -> list[dict]:
    page.wait_for_function(
        f"(window.received || []).filter(f => f.type === '{event_type}').length >= {count}"
    )
    return page.evaluate(
        f"""window.received.filter(f => f.type === '{event_type}')
            .map(f => ({{...f, bytes: f.bytes ? Array.from(f.bytes) : undefined}}))"""
    )


def test_two_tabs_signal_each_other_and_exchange_binary_updates(daphne, world, browser):
    server = daphne(application=ROOM_APPLICATION)
    topic = f"studio:{world.session.pk}"
    alice = log_in(browser, server, "participant")
    bob = log_in(browser, server, "trainer")
    alice.evaluate(FOLLOW, topic)
    bob.evaluate(FOLLOW, topic)
    (arrival,) = frames_of(alice, "connection.joined")
    assert arrival["user_id"] == world.trainer.pk

    sent = alice.evaluate(
        "([topic, to]) => window.preauRealtime.signal(topic, 'rtc.signal', {sdp: 'offre'}, {to})",
        [topic, arrival["from"]],
    )
    assert sent is True
    (offer,) = frames_of(bob, "rtc.signal")
    assert (offer["data"], offer["user_id"]) == ({"sdp": "offre"}, world.participant.pk)

    ack = bob.evaluate(
        "([topic, to]) => window.preauRealtime.send(topic, 'rtc.signal', {sdp: 'réponse'}, {to})",
        [topic, offer["from"]],
    )
    assert ack is None  # ephemeral: acknowledged, without a seq
    assert frames_of(alice, "rtc.signal")[0]["data"] == {"sdp": "réponse"}

    alice.evaluate(
        "topic => window.preauRealtime.sendBytes(topic, 'doc.update', new Uint8Array([0, 7, 255]))",
        topic,
    )
    (update,) = frames_of(bob, "doc.update")
    assert (update["bytes"], update["from"]) == ([0, 7, 255], offer["from"])
