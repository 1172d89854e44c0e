"""French elision, in one place: "Message d'Enseignant·e", "Nous attestons qu'Hugo"."""

import re

# Before a vowel or a (mute) h, "de" and "que" lose their e.
_ELIDES = re.compile(r"^[aeiouyhàâäéèêëîïôöùûüÿœæ]", re.IGNORECASE)


def elide(word: str, following: str) -> str:
    """`word` ("de", "que", "le"…) then `following`, elided when French elides it."""
    if word.endswith("e") and _ELIDES.match(following):
        return f"{word[:-1]}'{following}"
    return f"{word} {following}"
