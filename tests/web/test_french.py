"""French elision through one helper: "Message d'Enseignant·e", "Nous attestons qu'Hugo"."""

import pytest

from parcours.french import elide


@pytest.mark.parametrize(
    ("word", "name", "said"),
    [
        ("de", "Enseignant·e 01", "d'Enseignant·e 01"),
        ("de", "Élise Martin", "d'Élise Martin"),
        ("de", "Hugo Bernard", "d'Hugo Bernard"),
        ("de", "Claire Martin", "de Claire Martin"),
        ("que", "Anne Roy", "qu'Anne Roy"),
        ("que", "Paul Roy", "que Paul Roy"),
    ],
)
def test_de_and_que_are_elided_before_a_vowel_or_an_h(word, name, said):
    assert elide(word, name) == said


def test_a_message_notice_elides_before_the_senders_name():
    from messaging.notices import received

    data = {"sender_id": 2, "sender_name": "Enseignant·e 01", "parcours": "Lecture", "id": 1,
            "session_id": 1}  # fmt: skip
    assert received(data, user_id=3).text == "Message d'Enseignant·e 01 (Lecture)"
