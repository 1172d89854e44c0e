"""Resources of a space: links and files, shared and read by its members only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from collab.models import Resource
from parcours.models import Space
from tests import factories

PDF = b"%PDF-1.4\n% test\n"


@pytest.fixture
def space(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return factories.space(title="Entre pairs", visibility=Space.Visibility.OPEN)


@pytest.fixture
def who(space):
    return {
        "animator": factories.space_member(space, "animator").user,
        "member": factories.space_member(space, "member").user,
        "member2": factories.space_member(space, "member").user,
        "newcomer": factories.user(),
        "outsider": factories.user(academy_obj=factories.academy("reunion")),
    }


def _upload(client, space, name="fiche.pdf", content=PDF, title="Fiche"):
    return client.client.post(
        f"/api/v1/spaces/{space.pk}/resources/files",
        {"file": SimpleUploadedFile(name, content), "title": title},
        headers=client.headers,
    )


def test_members_share_a_link_and_a_file_and_read_both(api, space, who):
    link = api(who["member"]).post(
        f"/spaces/{space.pk}/resources/links",
        {"title": "Éduscol", "url": "https://eduscol.education.fr/"},
    )
    assert link.status_code == 201, link.content
    made = _upload(api(who["member2"]), space)
    assert made.status_code == 201, made.content
    listed = api(who["animator"]).get(f"/spaces/{space.pk}/resources").json()
    by_kind = {r["kind"]: r for r in listed}
    assert {k: r["title"] for k, r in by_kind.items()} == {"link": "Éduscol", "file": "Fiche"}
    assert by_kind["link"]["url"] == "https://eduscol.education.fr/"
    download = api(who["member"]).get(by_kind["file"]["url"].removeprefix("/api/v1"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("standing", ["newcomer", "outsider"])
def test_people_outside_the_space_neither_list_nor_download_nor_share(api, space, who, standing):
    _upload(api(who["member"]), space)
    resource = Resource.objects.get()
    client = api(who[standing])
    assert client.get(f"/spaces/{space.pk}/resources").status_code == 403
    assert client.get(f"/resources/{resource.pk}/file").status_code == 403
    shared = client.post(
        f"/spaces/{space.pk}/resources/links", {"title": "X", "url": "https://example.org/"}
    )
    assert shared.status_code == 403
    assert Resource.objects.count() == 1


def test_only_the_sharer_or_an_animator_takes_a_resource_down(api, space, who):
    made = (
        api(who["member"])
        .post(f"/spaces/{space.pk}/resources/links", {"title": "A", "url": "https://a.example/"})
        .json()
    )
    assert api(who["member2"]).delete(f"/resources/{made['id']}").status_code == 403
    assert api(who["member"]).delete(f"/resources/{made['id']}").status_code == 204
    again = (
        api(who["member"])
        .post(f"/spaces/{space.pk}/resources/links", {"title": "B", "url": "https://b.example/"})
        .json()
    )
    assert api(who["animator"]).delete(f"/resources/{again['id']}").status_code == 204
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    "body,field",
    [
        ({"title": "X", "url": "javascript:alert(1)"}, "url"),
        ({"title": "X", "url": "ftp://example.org/"}, "url"),
        ({"title": "X", "url": "https://"}, "url"),
        ({"title": "", "url": "https://example.org/"}, "title"),
        ({"title": "X\x00", "url": "https://example.org/"}, "title"),
        ({"title": "X", "url": 5}, "url"),
    ],
)
def test_bad_links_are_refused_and_nothing_is_stored(api, space, who, body, field):
    response = api(who["member"]).post(f"/spaces/{space.pk}/resources/links", body)
    assert response.status_code == 422, response.content
    assert response.json()["error"]["details"]["field"] == field
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    "name,content,status",
    [
        ("script.html", b"<script>", 422),
        ("faux.pdf", b"MZ\x90\x00", 422),
        ("gros.pdf", PDF + b"0" * (6 << 20), 413),
    ],
)
def test_refused_files_leave_no_resource(api, space, who, name, content, status):
    response = _upload(api(who["member"]), space, name=name, content=content)
    assert response.status_code == status, response.content
    assert not Resource.objects.exists()
