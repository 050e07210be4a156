"""Recording, editing and reading adoptions on the site: story pages, who may edit, bad input."""

import pytest
from django.utils import timezone

from adopters.models import Adoption, AdoptionStatusChange, RegistrationOfInterest
from catalogue.models import Organisation
from networks.models import Membership
from networks.services import ensure_innovation_network
from tests.factories import (
    AdoptionFactory,
    InnovationFactory,
    OrganisationFactory,
    RegistrationOfInterestFactory,
    UserFactory,
    region,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def innovation():
    return InnovationFactory(title="Homeshare", slug="homeshare")


def record_url(innovation) -> str:
    return f"/innovations/{innovation.slug}/adopt/"


def answers(**changes) -> dict:
    return {
        "organisation_name": "Example Borough Council",
        "organisation_kind": "local-authority",
        "region": region("north-west").pk,
        "area": "Northtown",
        "status": "piloting",
        "adapted": "on",
        "adaptations": "Matched through the library service",
        "started_on": "2026-02-01",
        "ended_on": "",
        "people_reached": "40",
        "outcomes": "Fewer people living alone",
        "lessons": "Start with one ward",
        "will_talk": "on",
        "contact_name": "Pat Adopter",
        "contact_email": "pat@example.org",
        **changes,
    }


def test_recording_needs_an_account(client, innovation):
    response = client.get(record_url(innovation))
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")


def test_an_adopter_records_an_adoption_with_a_new_organisation(client, innovation):
    ensure_innovation_network(innovation)
    adopter = UserFactory(email="pat@example.org")  # the adoption's contact
    client.force_login(adopter)
    response = client.post(record_url(innovation), answers())
    adoption = Adoption.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/adoptions/{adoption.pk}/"
    assert adoption.organisation.name == "Example Borough Council"
    assert adoption.organisation.kind == "local-authority"
    assert (adoption.recorded_by, adoption.status, adoption.adapted) == (adopter, "piloting", True)
    assert list(adoption.history.values_list("status", flat=True)) == ["piloting"]
    # Piloting, not verified yet: the contact joins the interest ring and asks for the core.
    member = Membership.objects.get(email="pat@example.org")
    assert member.ring == "interest"
    assert member.requests.get().ring == "core"

    story = client.get(f"/adoptions/{adoption.pk}/").content.decode()
    assert "Homeshare at Example Borough Council" in story
    assert "Matched through the library service" in story
    assert "They will talk to you" in story
    assert "pat@example.org" not in story  # the contact is never shown
    page = client.get(innovation.get_absolute_url()).content.decode()
    assert f'href="/adoptions/{adoption.pk}/"' in page


def test_an_existing_organisation_is_found_by_name_in_any_case(client, innovation):
    existing = OrganisationFactory(name="Example Borough Council")
    client.force_login(UserFactory())
    client.post(record_url(innovation), answers(organisation_name="example borough COUNCIL "))
    assert Adoption.objects.get().organisation == existing
    assert Organisation.objects.filter(name__iexact="example borough council").count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"organisation_name": ""}, "organisation_name", "Enter the organisation"),
        ({"organisation_kind": ""}, "organisation_kind", "Choose the kind of organisation"),
        ({"status": "famous"}, "status", "Select a valid choice"),
        ({"ended_on": "2026-01-01"}, "ended_on", "same as or after the start date"),
        ({"started_on": "2026-02-30"}, "started_on", "Enter a real date"),
        ({"people_reached": "-3"}, "people_reached", "greater than or equal to 0"),
        ({"contact_email": "nope"}, "contact_email", "correct format"),
        ({"region": "99999"}, "region", "Select a valid choice"),
        ({"local_authority": "E99999999"}, "local_authority", "Select a valid choice"),
        ({"local_authority": "E0600001\x00"}, "local_authority", "Null characters are not"),
        ({"local_authority": "E" * 5000}, "local_authority", "Select a valid choice"),
        ({"outcomes": "nul\x00byte"}, "outcomes", "Null characters are not allowed"),
    ],
)
def test_bad_answers_are_shown_the_govuk_way_and_nothing_is_kept(
    client, innovation, changes, field, message
):
    client.force_login(UserFactory())
    response = client.post(record_url(innovation), answers(**changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error:" in html
    assert f'href="#id_{field}"' in html
    assert message in html
    assert not Adoption.objects.exists()
    assert not Organisation.objects.filter(name="Example Borough Council").exists()


def test_an_adoption_in_a_local_authority_is_shown_there_in_its_region(client, innovation):
    client.force_login(UserFactory())
    form = client.get(record_url(innovation)).content.decode()
    assert '<option value="E06000014">York</option>' in form

    client.post(record_url(innovation), answers(local_authority="E06000014", area="Acomb"))

    adoption = Adoption.objects.get()
    assert (adoption.local_authority.code, adoption.region.slug) == (
        "E06000014",
        "yorkshire-and-the-humber",
    )
    story = client.get(f"/adoptions/{adoption.pk}/").content.decode()
    assert "Acomb, York, Yorkshire and the Humber" in story
    edit = client.get(f"/adoptions/{adoption.pk}/edit/").content.decode()
    assert '<option value="E06000014" selected>York</option>' in edit


def test_the_same_organisation_and_area_cannot_be_recorded_twice(client, innovation):
    AdoptionFactory(
        innovation=innovation,
        organisation=OrganisationFactory(name="Example Borough Council"),
        area="NORTHTOWN",
    )
    client.force_login(UserFactory())
    response = client.post(record_url(innovation), answers())
    assert response.status_code == 400
    assert "already recorded" in response.content.decode()
    assert Adoption.objects.count() == 1


def test_drafts_take_no_adoptions_and_their_stories_are_hidden(client):
    draft = InnovationFactory(draft=True)
    client.force_login(UserFactory())
    assert client.post(record_url(draft), answers()).status_code == 404
    hidden = AdoptionFactory(innovation=draft)
    assert client.get(f"/adoptions/{hidden.pk}/").status_code == 404


def test_only_the_recorder_and_curators_edit_and_a_status_change_is_dated(
    client, innovation, curator
):
    recorder, stranger = UserFactory(), UserFactory()
    adoption = AdoptionFactory(
        innovation=innovation, status="exploring", recorded_by=recorder, area="Northtown"
    )
    edit = f"/adoptions/{adoption.pk}/edit/"
    client.force_login(stranger)
    assert client.get(edit).status_code == 403
    assert client.post(edit, answers(status="adopted")).status_code == 403

    client.force_login(recorder)
    response = client.post(edit, answers(status="adopted", note="The board agreed"))
    assert response.status_code == 302
    adoption.refresh_from_db()
    assert adoption.status == "adopted"
    assert adoption.lessons == "Start with one ward"
    step = AdoptionStatusChange.objects.get(adoption=adoption)
    assert (step.status, step.note, step.changed_by) == ("adopted", "The board agreed", recorder)

    client.force_login(curator)
    assert client.get(edit).status_code == 200


def test_an_adopters_edit_of_a_verified_adoption_needs_checking_again(client, innovation):
    recorder = UserFactory()
    adoption = AdoptionFactory(
        innovation=innovation,
        recorded_by=recorder,
        area="Northtown",
        verified=True,
        verified_at=timezone.now(),
        status="piloting",
    )
    client.force_login(recorder)
    client.post(f"/adoptions/{adoption.pk}/edit/", answers(lessons="Something new"))
    adoption.refresh_from_db()
    assert adoption.lessons == "Something new"
    assert not adoption.verified


def test_an_owner_turns_a_registration_into_an_adoption(client, innovation, innovator):
    innovation.owners.add(innovator)
    registration = RegistrationOfInterestFactory(
        innovation=innovation,
        name="Pat Adopter",
        organisation_name="Example Borough Council",
        organisation_kind="local-authority",
        confirmed_at=timezone.now(),
        status="confirmed",
    )
    client.force_login(innovator)
    url = f"{record_url(innovation)}?registration={registration.pk}"
    form = client.get(url).content.decode()
    assert 'value="Example Borough Council"' in form
    assert 'value="Pat Adopter"' in form

    assert client.post(url, answers()).status_code == 302
    registration.refresh_from_db()
    assert registration.status == "adopted"
    assert registration.adoption == Adoption.objects.get()


def test_someone_elses_registration_cannot_be_turned_into_an_adoption(
    client, innovation, other_innovator
):
    registration = RegistrationOfInterestFactory(
        innovation=innovation, confirmed_at=timezone.now(), status="confirmed"
    )
    client.force_login(other_innovator)
    url = f"{record_url(innovation)}?registration={registration.pk}"
    assert client.get(url).status_code == 404
    assert client.post(url, answers()).status_code == 404
    assert client.get(f"{record_url(innovation)}?registration=abc").status_code == 404
    assert not Adoption.objects.exists()
    assert RegistrationOfInterest.objects.get().status == "confirmed"


def test_a_note_without_a_change_of_status_is_kept_as_a_dated_step(client, innovation):
    recorder = UserFactory()
    adoption = AdoptionFactory(
        innovation=innovation, status="piloting", recorded_by=recorder, area="Northtown"
    )
    client.force_login(recorder)
    client.post(f"/adoptions/{adoption.pk}/edit/", answers(note="Second ward joined"))
    step = AdoptionStatusChange.objects.get(adoption=adoption)
    assert (step.status, step.note) == ("piloting", "Second ward joined")
    # And nothing at all is added when nothing is said.
    client.post(f"/adoptions/{adoption.pk}/edit/", answers())
    assert AdoptionStatusChange.objects.filter(adoption=adoption).count() == 1
