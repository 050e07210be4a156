"""How we know of each adoption (its provenance): the adopter's word, the innovation team's
word, or a curator's check; set by every way an adoption comes in, kept by every change, and
shown on the pages, in the API, in the admin and in the catalogue file."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adopters import services
from adopters.models import Adoption
from portal.exporting import export_catalogue
from portal.importing import ImportFailed, import_catalogue
from tests.adopters.test_adoption_pages import answers
from tests.api.test_writes import ADOPTIONS, adoption_data, patch, post
from tests.catalogue.test_importing import document
from tests.factories import (
    AdoptionFactory,
    InnovationFactory,
    OrganisationFactory,
    UserFactory,
    region,
)
from tests.html import page, table_rows, text
from tests.test_audit_history import edit_in_admin

pytestmark = pytest.mark.django_db

SELF, TEAM, CHECKED = "self-reported", "reported-by-innovator", "verified"


@pytest.fixture
def innovation(innovator):
    """A published innovation that `innovator` owns."""
    innovation = InnovationFactory(title="Shared reading")
    innovation.owners.add(innovator)
    return innovation


@pytest.fixture
def adopter(db):
    return UserFactory(username="adopter")


def new_adoption(innovation, **values) -> Adoption:
    return Adoption(
        innovation=innovation,
        organisation=OrganisationFactory(),
        **{"status": "piloting", "area": "Leeds", **values},
    )


# -- The rules (adopters.services) -------------------------------------------------------------


def test_recording_sets_who_told_us(innovation, innovator, adopter, curator):
    told_by_adopter = services.record_adoption(new_adoption(innovation), by=adopter)
    told_by_team = services.record_adoption(new_adoption(innovation, area="York"), by=innovator)
    checked = services.record_adoption(
        new_adoption(innovation, area="Hull"), by=curator, verified=True
    )
    passed_on = services.record_adoption(new_adoption(innovation, area="Bath"), by=curator)
    assert [a.provenance for a in (told_by_adopter, told_by_team, checked, passed_on)] == [
        SELF,
        TEAM,
        CHECKED,
        SELF,
    ]
    assert (checked.verified, passed_on.verified) == (True, False)


def test_verifying_and_taking_it_back_returns_to_who_told_us(innovation, innovator, curator):
    adoption = services.record_adoption(new_adoption(innovation), by=innovator)
    services.verify_adoption(adoption, by=curator)
    adoption.refresh_from_db()
    assert (adoption.provenance, adoption.verified) == (CHECKED, True)
    services.verify_adoption(adoption, by=curator, verified=False)
    adoption.refresh_from_db()
    assert (adoption.provenance, adoption.verified) == (TEAM, False)


def test_an_adopters_edit_unverifies_and_makes_it_their_word_again(adopter, innovation, curator):
    adoption = services.record_adoption(new_adoption(innovation), by=adopter)
    services.verify_adoption(adoption, by=curator)
    services.edit_adoption(adoption, {"area": "Elsewhere"}, status="piloting", by=curator)
    adoption.refresh_from_db()
    assert adoption.provenance == CHECKED  # a curator's own edit keeps their check

    services.edit_adoption(adoption, {"lessons": "More"}, status="piloting", by=adopter)
    adoption.refresh_from_db()
    assert (adoption.provenance, adoption.verified) == (SELF, False)


def test_an_edit_by_someone_who_has_since_become_an_owner_is_the_teams_word(
    adopter, innovation, curator
):
    adoption = services.record_adoption(new_adoption(innovation), by=adopter)
    innovation.owners.add(adopter)
    services.edit_adoption(adoption, {"lessons": "More"}, status="piloting", by=adopter)
    adoption.refresh_from_db()
    assert adoption.provenance == TEAM


def test_an_edit_that_changes_nothing_keeps_the_check(adopter, innovation, curator):
    adoption = services.record_adoption(new_adoption(innovation), by=adopter)
    services.verify_adoption(adoption, by=curator)
    services.edit_adoption(adoption, {"area": "Leeds"}, status="piloting", by=adopter)
    adoption.refresh_from_db()
    assert adoption.provenance == CHECKED


def test_only_curators_say_how_we_know(adopter, innovation, curator):
    adoption = services.record_adoption(new_adoption(innovation), by=adopter)
    with pytest.raises(ValidationError):
        services.edit_adoption(adoption, {}, status="piloting", by=adopter, provenance=TEAM)
    with pytest.raises(ValidationError):
        services.record_adoption(new_adoption(innovation, area="York"), by=adopter, provenance=SELF)
    services.edit_adoption(adoption, {}, status="piloting", by=curator, provenance=TEAM)
    adoption.refresh_from_db()
    assert (adoption.provenance, adoption.verified) == (TEAM, False)
    services.edit_adoption(adoption, {}, status="piloting", by=curator, provenance=CHECKED)
    adoption.refresh_from_db()
    assert (adoption.provenance, adoption.verified, adoption.verified_by) == (
        CHECKED,
        True,
        curator,
    )


def test_the_database_refuses_a_provenance_that_disagrees_with_verified(innovation):
    from django.db import IntegrityError, transaction

    adoption = AdoptionFactory(innovation=innovation)
    with pytest.raises(IntegrityError), transaction.atomic():
        Adoption.objects.filter(pk=adoption.pk).update(provenance=CHECKED)


# -- The site's form ---------------------------------------------------------------------------


def test_the_sites_form_records_the_adopters_word_or_the_teams(
    client, innovation, innovator, adopter
):
    client.force_login(adopter)
    assert client.post(f"/innovations/{innovation.slug}/adopt/", answers()).status_code == 302
    client.force_login(innovator)
    response = client.post(f"/innovations/{innovation.slug}/adopt/", answers(area="Southtown"))
    assert response.status_code == 302
    assert dict(Adoption.objects.values_list("area", "provenance")) == {
        "Northtown": SELF,
        "Southtown": TEAM,
    }


def test_an_adopters_edit_on_the_site_unverifies(client, innovation, adopter, curator):
    adoption = services.record_adoption(new_adoption(innovation), by=adopter)
    services.verify_adoption(adoption, by=curator)
    client.force_login(adopter)
    response = client.post(f"/adoptions/{adoption.pk}/edit/", answers(lessons="Something new"))
    assert response.status_code == 302
    adoption.refresh_from_db()
    assert (adoption.provenance, adoption.verified) == (SELF, False)


# -- The pages ---------------------------------------------------------------------------------


def test_the_adoption_page_says_how_we_know(client, innovation, innovator, curator):
    adoption = services.record_adoption(new_adoption(innovation), by=innovator)
    shown = text(page(client.get(adoption.get_absolute_url())))
    assert "Reported by the innovation's team" in shown
    assert "The team behind the innovation told us about it" in shown
    services.verify_adoption(adoption, by=curator)
    shown = text(page(client.get(adoption.get_absolute_url())))
    assert "Checked by a curator" in shown
    assert "A curator has checked this adoption." in shown


def test_the_innovation_page_tags_each_adoption(client, innovation, innovator, adopter, curator):
    services.record_adoption(new_adoption(innovation, area="Aton"), by=adopter)
    services.record_adoption(new_adoption(innovation, area="Bton"), by=innovator)
    services.record_adoption(new_adoption(innovation, area="Cton"), by=curator, verified=True)
    response = client.get(innovation.get_absolute_url())
    rows = table_rows(page(response), "Every adoption recorded")
    assert [row[-1] for row in rows] == [
        "Reported by the adopter",
        "Reported by the innovation's team",
        "Checked by a curator",
    ]
    assert '<th scope="col" class="govuk-table__header">How we know</th>' in response.text


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_showing_provenance_adds_no_queries_however_many_adoptions(client, innovation, curator):
    url = innovation.get_absolute_url()
    AdoptionFactory(innovation=innovation, region=region("wales"))
    before = _queries(client, url)
    for n in range(6):
        adoption = AdoptionFactory(innovation=innovation, area=f"Place {n}", region=region("wales"))
        if n % 2:
            services.verify_adoption(adoption, by=curator)
        else:
            Adoption.objects.filter(pk=adoption.pk).update(provenance=TEAM)
    assert _queries(client, url) == before
    adoption = Adoption.objects.filter(provenance=TEAM).first()
    checked = Adoption.objects.filter(provenance=CHECKED).first()
    assert _queries(client, adoption.get_absolute_url()) == _queries(
        client, checked.get_absolute_url()
    )


# -- The API -----------------------------------------------------------------------------------


@pytest.fixture
def adoptable(innovation):
    OrganisationFactory(name="Knowsley Council", kind="local-authority")
    return innovation


def test_the_api_records_and_shows_provenance(client, adoptable, innovator, adopter, curator):
    client.force_login(adopter)
    response = post(client, ADOPTIONS, adoption_data())
    assert response.status_code == 201, response.json()
    assert response.json()["provenance"] == SELF
    client.force_login(innovator)
    response = post(client, ADOPTIONS, adoption_data(area="Huyton"))
    assert response.json()["provenance"] == TEAM
    client.force_login(curator)
    response = post(client, ADOPTIONS, adoption_data(area="Prescot", verified=True))
    assert response.json()["provenance"] == CHECKED


def test_the_api_unverifies_on_an_adopters_edit_and_curators_set_it(
    client, adoptable, adopter, curator
):
    client.force_login(adopter)
    url = post(client, ADOPTIONS, adoption_data()).json()["api_url"]
    assert patch(client, url, {"provenance": CHECKED}).status_code == 400
    client.force_login(curator)
    assert patch(client, url, {"provenance": CHECKED}).json()["provenance"] == CHECKED
    client.force_login(adopter)
    data = patch(client, url, {"lessons": "Keep going"}).json()
    assert (data["provenance"], data["verified"]) == (SELF, False)
    client.force_login(curator)
    assert patch(client, url, {"provenance": TEAM}).json()["provenance"] == TEAM


def test_the_api_filters_adoptions_by_provenance(client, innovation, curator):
    AdoptionFactory(innovation=innovation, area="A")
    checked = AdoptionFactory(innovation=innovation, area="B")
    services.verify_adoption(checked, by=curator)
    team = AdoptionFactory(innovation=innovation, area="C")
    Adoption.objects.filter(pk=team.pk).update(provenance=TEAM)

    def areas(query: str) -> list[str]:
        response = client.get(f"{ADOPTIONS}?{query}")
        assert response.status_code == 200, response.json()
        return sorted(row["area"] for row in response.json()["results"])

    assert areas("provenance=verified") == ["B"]
    assert areas("provenance=verified&provenance=reported-by-innovator") == ["B", "C"]
    assert areas("provenance=self-reported") == ["A"]
    assert client.get(f"{ADOPTIONS}?provenance=hearsay").status_code == 400


# -- The admin ---------------------------------------------------------------------------------


def test_the_admin_filters_by_provenance(curator_client, innovation, curator):
    AdoptionFactory(innovation=innovation, organisation=OrganisationFactory(name="Unchecked"))
    checked = AdoptionFactory(innovation=innovation, organisation=OrganisationFactory(name="Ok"))
    services.verify_adoption(checked, by=curator)
    url = reverse("admin:adopters_adoption_changelist")
    response = curator_client.get(url, {"provenance__exact": CHECKED})
    assert [a.pk for a in response.context["cl"].result_list] == [checked.pk]
    assert "Checked by a curator" in response.content.decode()


def test_a_curator_adds_and_changes_provenance_in_the_admin(curator_client, innovation, curator):
    base = {
        "innovation": innovation.pk,
        "status": "piloting",
        "history-TOTAL_FORMS": "0",
        "history-INITIAL_FORMS": "0",
    }
    add = reverse("admin:adopters_adoption_add")
    for area, provenance in (("Leeds", ""), ("York", TEAM), ("Hull", CHECKED)):
        data = {**base, "organisation": OrganisationFactory().pk, "area": area}
        response = curator_client.post(add, {**data, "provenance": provenance})
        assert response.status_code == 302, response.context["adminform"].form.errors
    assert dict(Adoption.objects.values_list("area", "provenance")) == {
        "Leeds": SELF,
        "York": TEAM,
        "Hull": CHECKED,
    }
    hull = Adoption.objects.get(area="Hull")
    assert (hull.verified, hull.verified_by) == (True, curator)

    edit_in_admin(curator_client, hull, provenance=SELF)
    hull.refresh_from_db()
    assert (hull.provenance, hull.verified) == (SELF, False)
    edit_in_admin(curator_client, hull, provenance=CHECKED)
    hull.refresh_from_db()
    assert (hull.provenance, hull.verified) == (CHECKED, True)


# -- The catalogue file ------------------------------------------------------------------------


def adoption_in(data: dict) -> dict:
    return data["adoptions"][0]


def test_the_import_sets_provenance_and_the_export_gives_it_back():
    data = document()
    import_catalogue(data)
    adoption = Adoption.objects.get()
    assert (adoption.provenance, adoption.verified) == (SELF, False)
    assert adoption_in(export_catalogue())["provenance"] == SELF

    adoption_in(data)["provenance"] = TEAM
    import_catalogue(data)
    adoption.refresh_from_db()
    assert (adoption.provenance, adoption.verified) == (TEAM, False)

    adoption_in(data)["provenance"] = CHECKED
    import_catalogue(data)
    adoption.refresh_from_db()
    assert (adoption.provenance, adoption.verified) == (CHECKED, True)
    assert adoption.verified_at is not None
    exported = adoption_in(export_catalogue())
    assert (exported["provenance"], exported["verified"]) == (CHECKED, True)


def test_a_file_with_only_verified_still_sets_provenance():
    data = document()
    adoption_in(data)["verified"] = True
    import_catalogue(data)
    assert Adoption.objects.get().provenance == CHECKED
    adoption_in(data)["verified"] = False
    import_catalogue(data)
    assert Adoption.objects.get().provenance == SELF


def test_a_file_without_provenance_leaves_it_alone():
    data = document()
    adoption_in(data)["provenance"] = TEAM
    import_catalogue(data)
    del adoption_in(data)["provenance"]
    report = import_catalogue(data)
    assert Adoption.objects.get().provenance == TEAM
    assert report.counts["adoptions"]["unchanged"] == 1


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"provenance": "hearsay"}, "adoptions[0].provenance"),
        ({"provenance": CHECKED, "verified": False}, "adoptions[0].provenance"),
        ({"provenance": SELF, "verified": True}, "adoptions[0].provenance"),
    ],
)
def test_the_import_refuses_a_provenance_it_does_not_know_or_that_disagrees(values, problem):
    data = document()
    adoption_in(data).update(values)
    with pytest.raises(ImportFailed) as failed:
        import_catalogue(data)
    assert any(p.startswith(problem) for p in failed.value.problems), failed.value.problems
    assert not Adoption.objects.exists()


def test_a_round_trip_keeps_each_provenance(innovation, curator):
    AdoptionFactory(innovation=innovation, area="A")
    checked = AdoptionFactory(innovation=innovation, area="B")
    services.verify_adoption(checked, by=curator)
    team = AdoptionFactory(innovation=innovation, area="C")
    Adoption.objects.filter(pk=team.pk).update(provenance=TEAM)
    exported = export_catalogue()
    report = import_catalogue(exported)
    assert report.counts["adoptions"] == {"created": 0, "updated": 0, "unchanged": 3}
    assert dict(Adoption.objects.values_list("area", "provenance")) == {
        "A": SELF,
        "B": CHECKED,
        "C": TEAM,
    }


# -- Existing adoptions (the migration) --------------------------------------------------------


def test_the_migration_gives_existing_adoptions_the_best_answer_their_records_hold(
    innovation, innovator, adopter, curator
):
    """Run on rows as they were before the field (here all self-reported, and the constraint
    set aside by writing verified ones as the old code did), the data step says: verified when
    checked, the team's word when an owner recorded it, otherwise the adopter's."""
    migration = importlib.import_module("adopters.migrations.0010_adoption_provenance")
    by_adopter = AdoptionFactory(innovation=innovation, area="A", recorded_by=adopter)
    by_owner = AdoptionFactory(innovation=innovation, area="B", recorded_by=innovator)
    by_nobody = AdoptionFactory(innovation=innovation, area="C")
    checked = AdoptionFactory(innovation=innovation, area="D", recorded_by=adopter)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "ALTER TABLE adopters_adoption DROP CONSTRAINT adoption_provenance_matches_verified"
        )
        cursor.execute(
            "UPDATE adopters_adoption SET verified = true, verified_at = now() WHERE id = %s",
            [checked.pk],
        )
    migration.set_provenance(django_apps, None)
    found = dict(Adoption.objects.values_list("pk", "provenance"))
    assert found == {
        by_adopter.pk: SELF,
        by_owner.pk: TEAM,
        by_nobody.pk: SELF,
        checked.pk: CHECKED,
    }
