"""Enrolment by CSV: a preview per line, then all lines or none."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from parcours import imports
from parcours.models import Membership, Profile
from tests import factories
from tests.conftest import STANDINGS

PREVIEW = "/api/v1/sessions/{session}/imports/preview"
IMPORT = "/api/v1/sessions/{session}/imports"


def upload(api, user, session, content: bytes, *, commit: bool, name: str = "liste.csv"):
    client = api(user)
    path = (IMPORT if commit else PREVIEW).format(session=session.pk)
    return client.client.post(
        path, {"file": SimpleUploadedFile(name, content, "text/csv")}, headers=client.headers
    )


def _state(session) -> dict:
    return {
        "members": sorted(
            Membership.objects.filter(session=session).values_list("user__username", "role")
        ),
        "users": get_user_model().objects.count(),
        "profiles": Profile.objects.count(),
    }


@pytest.fixture
def people(world):
    factories.user("alice", first_name="Alice", last_name="Leroux", email="alice@ac-normandie.fr")
    factories.user("bruno", first_name="Bruno", last_name="Marchal")
    return world


GOOD = (
    "identifiant;nom;prénom;courriel;rôle\n"
    "alice;;;;\n"
    ";;;ALICE@ac-normandie.fr;participant\n"  # the same person by e-mail: a duplicate
    "bruno;;;;tuteur\n"
).encode()


def test_the_preview_says_what_each_line_does_and_writes_nothing(people, api):
    content = b"identifiant,nom,pr\xc3\xa9nom\nalice,,\nparticipant,,\ncamille,Roy,Camille\n"
    before = _state(people.session)
    response = upload(api, people.admin, people.session, content, commit=False)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["imported"], body["enrol"], body["create"], body["member"], body["errors"]) == (
        False,
        1,
        1,
        1,
        0,
    )
    outcomes = [(line["line"], line["identifier"], line["outcome"]) for line in body["lines"]]
    assert outcomes == [
        (2, "alice", "enrol"),
        (3, "participant", "member"),
        (4, "camille", "create"),
    ]
    assert body["lines"][2]["name"] == "Camille Roy"
    assert _state(people.session) == before


def test_a_line_in_error_is_reported_with_its_reason_and_nothing_is_imported(people, api):
    before = _state(people.session)
    for commit in (False, True):
        response = upload(api, people.admin, people.session, GOOD, commit=commit)
        if commit:
            assert response.status_code == 422
            error = response.json()["error"]
            assert error["message"] == "1 ligne(s) en erreur : rien n'a été importé."
            lines = error["details"]["lines"]
        else:
            lines = [line for line in response.json()["lines"] if line["outcome"] == "error"]
        assert [(line["line"], line["reason"]) for line in lines] == [
            (3, "Déjà présent à la ligne 2 du fichier.")
        ]
    assert _state(people.session) == before


def test_once_fixed_every_line_is_imported_at_once(people, api):
    fixed = GOOD.replace(b";;;ALICE@ac-normandie.fr;participant\n", b"")
    fixed += b"nina;Roy;Nina;nina@ac-normandie.fr;\n"
    response = upload(api, people.admin, people.session, fixed, commit=True)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["imported"], body["enrol"], body["create"]) == (True, 2, 1)
    created = body["lines"][2]
    assert created["outcome"] == "create" and created["activation_path"].startswith("/compte/")
    members = dict(
        Membership.objects.filter(session=people.session).values_list("user__username", "role")
    )
    assert (members["alice"], members["bruno"], members["nina"]) == (
        "participant",
        "tutor",
        "participant",
    )
    nina = get_user_model().objects.get(username="nina")
    assert (nina.email, nina.profile.academy) == ("nina@ac-normandie.fr", people.session.academy)
    # Importing the same file again changes nothing: everyone is already in.
    again = upload(api, people.admin, people.session, fixed, commit=True).json()
    assert (again["member"], again["enrol"], again["create"]) == (3, 0, 0)


def test_a_trainer_imports_participants_but_creates_no_account_nor_staff(people, api):
    content = "identifiant;rôle\nalice;\nbruno;formateur\ninconnu;\n".encode()
    before = _state(people.session)
    response = upload(api, people.trainer, people.session, content, commit=True)
    assert response.status_code == 422
    reasons = {
        line["line"]: line["reason"] for line in response.json()["error"]["details"]["lines"]
    }
    assert reasons == {
        3: "Seul un administrateur nomme les formateurs et les tuteurs.",
        4: "Aucun compte « inconnu » : un administrateur peut le créer.",
    }
    assert _state(people.session) == before
    response = upload(api, people.trainer, people.session, b"identifiant\nalice\n", commit=True)
    assert response.status_code == 201
    assert Membership.objects.filter(session=people.session, user__username="alice").exists()


@pytest.mark.parametrize("standing", STANDINGS)
def test_who_may_preview_and_import(people, api, standing):
    before = _state(people.session)
    user = people.by_standing(standing)
    preview = upload(api, user, people.session, b"identifiant\nalice\n", commit=False)
    response = upload(api, user, people.session, b"identifiant\nalice\n", commit=True)
    if standing in {"trainer", "admin", "admin_granted"}:
        assert (preview.status_code, response.status_code) == (200, 201)
    else:
        assert (preview.status_code, response.status_code) == (403, 403)
        assert _state(people.session) == before


BAD_FILES = [
    # (name, content, status, words the message must hold)
    ("latin-1", "identifiant;nom\nalice;Lefèvre\n".encode("latin-1"), 422, "UTF-8"),
    ("utf-16", "identifiant\nalice\n".encode("utf-16"), 422, "caractère nul"),
    ("NUL", b"identifiant\nal\x00ice\n", 422, "Ligne 2"),
    ("empty", b"", 422, "vide"),
    ("header only", b"identifiant;nom\n", 422, "Aucune ligne"),
    ("unknown column", b"identifiant;age\nalice;40\n", 422, "age"),
    ("no identifier column", b"nom;prenom\nLeroux;Alice\n", 422, "identifiant"),
    ("twice the same column", b"identifiant;login;identifiant\n", 422, "login"),
    ("duplicate header", b"identifiant;courriel;email\nalice;a@b.fr;a@b.fr\n", 422, "double"),
    # Over the file limit (256 KiB) but within the route's body limit: judged as a file.
    ("huge", b"identifiant\n" + b"alice\n" * 45_000, 413, "volumineux"),
    ("too many lines", b"identifiant\n" + b"x\n" * 1_001, 413, "Trop de lignes"),
    ("unclosed quote", b'identifiant\n"alice\n', 422, "illisible"),
    ("binary", bytes(range(256)) * 4, 422, ""),
]


@pytest.mark.parametrize(("content", "status", "words"), [b[1:] for b in BAD_FILES],
                         ids=[b[0] for b in BAD_FILES])  # fmt: skip
@pytest.mark.parametrize("commit", [False, True])
def test_a_bad_file_is_refused_as_a_whole_with_a_clear_error(
    people, api, content, status, words, commit
):
    before = _state(people.session)
    response = upload(api, people.admin, people.session, content, commit=commit)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == ("too_large" if status == 413 else "invalid")
    assert error["details"]["field"] == "file"
    assert words in error["message"]
    assert _state(people.session) == before


LINE_ERRORS = [
    ("alice;roi\n", "Rôle inconnu « roi » : participant, tuteur ou formateur."),
    (";\n", None),  # blank line: skipped, not an error
    ("alice;;extra\n", "Plus de cellules que de colonnes dans l'en-tête."),
    ("avec espace;\n", "Identifiant invalide"),
    ("x" * 200 + ";\n", "L'identifiant compte de 1 à 150 caractères."),
]


@pytest.mark.parametrize(("row", "reason"), LINE_ERRORS)
def test_each_line_gets_its_own_reason(people, api, row, reason):
    content = f"identifiant;rôle\nbruno;\n{row}".encode()
    body = upload(api, people.admin, people.session, content, commit=False).json()
    errors = [line["reason"] for line in body["lines"] if line["outcome"] == "error"]
    if reason is None:
        assert errors == [] and len(body["lines"]) == 1
    else:
        assert len(errors) == 1 and errors[0].startswith(reason)


def test_a_missing_file_field_is_a_clear_error(people, api):
    client = api(people.admin)
    response = client.client.post(
        PREVIEW.format(session=people.session.pk), {}, headers=client.headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "file"


def test_an_unknown_or_huge_session_id_is_refused_before_reading_the_file(people, api):
    for session_id, status in ((999_999, 404), (2**64, 422)):
        client = api(people.admin)
        response = client.client.post(
            PREVIEW.replace("{session}", str(session_id)),
            {"file": SimpleUploadedFile("a.csv", b"identifiant\nalice\n")},
            headers=client.headers,
        )
        assert response.status_code == status, response.content


def test_semicolons_and_commas_are_both_read():
    for content in (b"identifiant;nom\nalice;Leroux\n", b"identifiant,nom\nalice,Leroux\n"):
        assert imports.read_csv(content) == [
            (2, {"username": "alice", "last_name": "Leroux", "_extra": ""})
        ]


def test_a_byte_order_mark_is_not_part_of_the_first_column():
    rows = imports.read_csv("\ufeffidentifiant\nalice\n".encode())
    assert rows[0][1]["username"] == "alice"
