"""Chromium through a real server: an academy runs a training from nothing."""

import io

import pytest

from parcours.models import Membership, Parcours, Session
from tests import factories
from tests.browser import log_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


@pytest.fixture(autouse=True)
def orm_beside_playwright(monkeypatch):
    """Playwright's sync API runs an event loop in this thread; the test's own database
    reads are still plain blocking calls, made between browser steps."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


WITH_ERROR = (
    "identifiant;nom;prénom;rôle\nparticipant05;;;\nparticipant06;;;\ncamille.roy;Roy;Camille;roi\n"
)
FIXED = WITH_ERROR.replace(";roi\n", ";participant\n")


def _csv(text: str) -> dict:
    return {"name": "inscriptions.csv", "mimeType": "text/csv", "buffer": text.encode()}


def _demo_log_in(browser, server, username: str):
    """Log in with the demo password, as a newcomer after `make run` would."""
    from playwright.sync_api import expect

    from parcours.demo import DEMO_PASSWORD

    page = browser.new_context(base_url=server.url, locale="fr-FR").new_page()
    page.set_default_timeout(15_000)
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes sessions")).to_be_visible()
    return page


def test_admin_normandie_creates_a_session_and_enrols_three_people_by_csv(daphne, browser):
    from django.core.management import call_command
    from playwright.sync_api import expect

    call_command("seed_demo", stdout=io.StringIO())
    server = daphne()

    page = _demo_log_in(browser, server, "admin-normandie")
    expect(page.get_by_text("Vous n'êtes inscrit à aucune session")).to_have_count(0)
    page.get_by_role("navigation").get_by_role("link", name="Administration").click()
    expect(page.get_by_role("heading", name="Administration de l'académie")).to_be_visible()
    form = page.locator("#new-session form")
    form.get_by_label("Parcours").select_option(
        label="Compréhension en lecture — version normande (académique)"
    )
    form.get_by_label("Titre").fill("Lecture — Fécamp")
    form.get_by_label("Début").fill(factories.days_from_today(3).isoformat())
    form.get_by_label("Fin").fill(factories.days_from_today(60).isoformat())
    form.get_by_label("Circonscription").fill("Fécamp")
    form.get_by_label("Formateurs").fill("formatrice")
    form.get_by_label("Tuteurs").fill("tuteur")
    form.get_by_role("button", name="Créer la session").click()
    expect(page.get_by_role("heading", name="Gérer : Lecture — Fécamp")).to_be_visible()
    session = Session.objects.get(title="Lecture — Fécamp")
    assert sorted(session.memberships.values_list("user__username", "role")) == [
        ("formatrice", "trainer"),
        ("tuteur", "tutor"),
    ]

    # A file with a wrong role: the line and its reason are shown, nothing is imported.
    importer = page.locator("#import-form")
    importer.get_by_label("Fichier").set_input_files(_csv(WITH_ERROR))
    importer.get_by_role("button", name="Prévisualiser").click()
    report = page.locator("#import-report")
    expect(report.locator("tbody tr")).to_have_count(3)
    bad = report.locator('tr[data-outcome="error"]')
    expect(bad).to_have_count(1)
    expect(bad).to_contain_text("Rôle inconnu « roi »")
    expect(page.locator("#import-summary")).to_contain_text("1 ligne(s) en erreur")
    expect(page.get_by_role("button", name="Importer")).to_be_disabled()
    assert session.memberships.count() == 2

    # Fixed: the preview is clean, the import writes the three lines at once.
    importer.get_by_label("Fichier").set_input_files(_csv(FIXED))
    importer.get_by_role("button", name="Prévisualiser").click()
    expect(page.locator("#import-summary")).to_contain_text("Prêt : 2 inscription(s), 1 compte")
    page.get_by_role("button", name="Importer").click()
    expect(page.locator("#import-summary")).to_contain_text("3 personne(s) inscrite(s)")
    expect(report.locator('tr[data-outcome="create"] a')).to_contain_text("/compte/activer/")
    participants = session.memberships.filter(role=Membership.Role.PARTICIPANT)
    assert sorted(participants.values_list("user__username", flat=True)) == [
        "camille.roy",
        "participant05",
        "participant06",
    ]

    participant = _demo_log_in(browser, server, "participant05")
    expect(participant.get_by_role("link", name="Lecture — Fécamp")).to_be_visible()


def test_a_designer_copies_a_national_parcours_and_adapts_the_copy(daphne, world, browser):
    from playwright.sync_api import expect

    national = factories.parcours("Parcours national", origin="national", activities=2)
    server = daphne()
    page = log_in(browser, server, "designer")
    page.get_by_role("navigation").get_by_role("link", name="Parcours").click()
    row = page.locator(f'tr[data-parcours="{national.pk}"]')
    row.get_by_role("button", name="Dupliquer").click()
    expect(page.get_by_role("heading", name="Parcours national (copie)")).to_be_visible()
    copy = Parcours.objects.get(duplicated_from=national)
    add = page.locator("form.add-activity").first
    add.get_by_label("Titre de la nouvelle activité").fill("Forum : nos albums")
    add.get_by_label("Nature de la nouvelle activité").select_option("forum")
    add.get_by_role("button", name="Ajouter l'activité").click()
    expect(page.locator('li[data-activity] input[name="title"]').last).to_have_value(
        "Forum : nos albums"
    )
    added = copy.sections.get().activities.get(title="Forum : nos albums")
    assert added.kind == "forum"
    # The national parcours itself is untouched and offers no editing.
    page.goto(f"/parcours/{national.pk}/")
    expect(page.locator("#parcours-settings")).to_have_count(0)
    assert national.sections.get().activities.count() == 3


def test_a_teacher_joins_an_open_access_session_from_the_offer(daphne, world, browser):
    from playwright.sync_api import expect

    parcours = factories.parcours("Autoformation", origin="national", kind="self_enrolment")
    factories.session(parcours_obj=parcours, title="Session libre")
    server = daphne()
    page = log_in(browser, server, "outsider")
    page.get_by_role("navigation").get_by_role("link", name="Offre").click()
    page.get_by_role("button", name="M'inscrire").click()
    expect(page.get_by_role("heading", name="Session libre")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("link", name="Session libre")).to_be_visible()
