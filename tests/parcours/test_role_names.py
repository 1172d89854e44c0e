"""Roles named as the person's own (formatrice, formateur) or in a neutral form until they
say; the inspector's "Formation" column in one vocabulary."""

import pytest
from django.utils import timezone

from parcours.french import role_name
from parcours.models import Membership, Profile


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize(
    ("role", "form", "said"),
    [
        ("trainer", "feminine", "formatrice"),
        ("trainer", "masculine", "formateur"),
        ("trainer", "neutral", "formateur·rice"),
        ("tutor", "feminine", "tutrice"),
        ("tutor", "neutral", "tuteur·rice"),
        ("participant", "feminine", "participante"),
        ("participant", "neutral", "participant·e"),
        ("inspector", "feminine", "inspectrice"),
        ("admin", "masculine", "administrateur"),
        ("designer", "feminine", "conceptrice"),
    ],
)
def test_a_role_is_written_in_the_persons_own_form(role, form, said):
    assert role_name(role, form) == said


def _roles_on_the_session_page(client, world) -> dict[str, str]:
    client.force_login(world.trainer)
    response = client.get(f"/sessions/{world.session.pk}/")
    names = [m.user.get_username() for m in response.context["members"]]
    return dict(zip(names, _role_cells(response.content.decode()), strict=True))


def _role_cells(html: str) -> list[str]:
    section = html.split('id="members"')[1].split("</table>")[0]
    rows = section.split("<tr>")[2:]  # after the header row
    return [row.split("<td>")[2].split("</td>")[0] for row in rows]


def test_the_members_table_names_each_role_as_its_holder_said(client, world):
    Profile.objects.filter(user=world.trainer).update(role_form="feminine")
    Profile.objects.filter(user=world.tutor).update(role_form="masculine")
    roles = _roles_on_the_session_page(client, world)
    assert roles == {
        "participant": "participant·e",
        "participant2": "participant·e",
        "trainer": "formatrice",
        "tutor": "tuteur",
    }


def test_one_says_how_ones_role_is_written(api, world, client):
    me = api(world.trainer)
    assert me.get("/me").json()["role_form"] == "neutral"
    response = me.patch("/me", {"role_form": "masculine"})
    assert (response.status_code, response.json()["role_form"]) == (200, "masculine")
    client.force_login(world.trainer)
    assert "formateur</span>" in client.get("/").content.decode()


@pytest.mark.parametrize("bad", ["f", "", "feminine\x00", None, 3])
def test_an_unknown_form_is_refused_and_changes_nothing(api, world, bad):
    Profile.objects.filter(user=world.trainer).update(role_form="feminine")
    response = api(world.trainer).patch("/me", {"role_form": bad})
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "role_form"
    assert Profile.objects.get(user=world.trainer).role_form == "feminine"


def test_the_inspectors_formation_column_speaks_of_the_training(client, world):
    Membership.objects.filter(user=world.other_participant).update(finished_on=timezone.localdate())
    client.force_login(world.inspector)
    html = client.get(f"/sessions/{world.session.pk}/").content.decode()
    section = html.split('id="teachers"')[1].split("</table>")[0]
    assert section.count("<td>en cours</td>") == 1
    assert section.count("<td>terminée</td>") == 1
    assert "inscrit<" not in section
