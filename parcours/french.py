"""French elision, in one place: "Message d'Enseignant·e", "Nous attestons qu'Hugo"."""

import re

# Before a vowel or a (mute) h, "de" and "que" lose their e.
_ELIDES = re.compile(r"^[aeiouyhàâäéèêëîïôöùûüÿœæ]", re.IGNORECASE)


def elide(word: str, following: str) -> str:
    """`word` ("de", "que", "le"…) then `following`, elided when French elides it."""
    if word.endswith("e") and _ELIDES.match(following):
        return f"{word[:-1]}'{following}"
    return f"{word} {following}"


# Each role as the person names it: (feminine, masculine, neutral). The neutral form is the
# one the platform writes elsewhere ("Enseignant·e").
ROLE_NAMES: dict[str, tuple[str, str, str]] = {
    "participant": ("participante", "participant", "participant·e"),
    "tutor": ("tutrice", "tuteur", "tuteur·rice"),
    "trainer": ("formatrice", "formateur", "formateur·rice"),
    "admin": ("administratrice", "administrateur", "administrateur·rice"),
    "inspector": ("inspectrice", "inspecteur", "inspecteur·rice"),
    "designer": ("conceptrice", "concepteur", "concepteur·rice"),
}


def role_name(role: str, form: str) -> str:
    """`role` ("trainer"…) named in the person's own form ("feminine", "masculine" or
    "neutral", `Profile.RoleForm`)."""
    feminine, masculine, neutral = ROLE_NAMES[role]
    return {"feminine": feminine, "masculine": masculine}.get(form, neutral)
