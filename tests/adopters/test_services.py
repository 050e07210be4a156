"""The adopters' rules, called as the forms, the API and the admin call them: recording and
editing an adoption (naming its organisation), verifying one, and signing up."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from adopters import services
from adopters.models import Adoption
from adopters.signals import adoption_status_noted
from catalogue.models import Organisation
from catalogue.services import NamedOrganisation
from kernel.models import OutgoingEmail
from tests.factories import (
    AdoptionFactory,
    InnovationFactory,
    OrganisationFactory,
    RegistrationOfInterestFactory,
    UserFactory,
    absolute,
    local_authority,
    region,
)

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def noted():
    """The adoptions whose status was added to their history while the test runs."""
    heard: list[tuple[int, str]] = []

    def receiver(adoption, **kwargs):
        heard.append((adoption.pk, adoption.status))

    adoption_status_noted.connect(receiver, dispatch_uid="test-services-noted")
    yield heard
    adoption_status_noted.disconnect(dispatch_uid="test-services-noted")


@pytest.fixture
def innovation():
    return InnovationFactory(title="Homeshare", slug="homeshare")


def new_adoption(innovation, **values) -> Adoption:
    return Adoption(innovation=innovation, **{"status": "piloting", "area": "Leeds", **values})


# -- Recording --------------------------------------------------------------------------------


def test_an_adoption_is_recorded_by_whoever_records_it_with_its_first_step(
    innovator, innovation, noted
):
    adoption = services.record_adoption(
        new_adoption(innovation, organisation=OrganisationFactory()),
        by=innovator,
        note="Two wards to start.",
    )

    adoption.refresh_from_db()
    assert (adoption.recorded_by, adoption.verified) == (innovator, False)
    (step,) = adoption.history.all()
    assert (step.status, step.note, step.changed_by) == (
        "piloting",
        "Two wards to start.",
        innovator,
    )
    assert noted == [(adoption.pk, "piloting")]


def test_only_someone_signed_in_records_an_adoption(innovation):
    with pytest.raises(PermissionDenied):
        services.record_adoption(
            new_adoption(innovation, organisation=OrganisationFactory()), by=AnonymousUser()
        )
    assert not Adoption.objects.exists()


def test_a_named_organisation_is_the_catalogues_own_or_added_in_the_adoptions_region(
    innovator, innovation
):
    known = OrganisationFactory(name="Leeds City Council", kind="local-authority")
    linked = services.record_adoption(
        new_adoption(innovation),
        by=innovator,
        organisation=NamedOrganisation("LEEDS city council", kind="charity"),
    )
    added = services.record_adoption(
        new_adoption(innovation, region=region("wales"), area="Cardiff"),
        by=innovator,
        organisation=NamedOrganisation(" Cardiff  Council ", kind="local-authority"),
    )
    assert linked.organisation == known
    organisation = added.organisation
    assert (organisation.name, organisation.kind, organisation.region.slug) == (
        "Cardiff Council",
        "local-authority",
        "wales",
    )
    assert Organisation.objects.filter(name__icontains="council").count() == 2


def test_only_curators_record_an_adoption_verified(innovator, curator, innovation):
    with pytest.raises(ValidationError) as refused:
        services.record_adoption(
            new_adoption(innovation, organisation=OrganisationFactory()),
            by=innovator,
            verified=False,
        )
    assert refused.value.message_dict == {"verified": [services.CURATORS_VERIFY]}
    assert not Adoption.objects.exists()

    adoption = services.record_adoption(
        new_adoption(innovation, organisation=OrganisationFactory()), by=curator, verified=True
    )
    assert (adoption.verified, adoption.verified_by) == (True, curator)


def test_an_owner_turns_a_registration_into_the_adoption(innovator, innovation):
    innovation.owners.add(innovator)
    registration = RegistrationOfInterestFactory(innovation=innovation, confirmed_at=timezone.now())

    adoption = services.record_adoption(
        new_adoption(innovation, organisation=OrganisationFactory()),
        by=innovator,
        registration=registration,
    )

    registration.refresh_from_db()
    assert (registration.adoption, registration.status) == (adoption, "adopted")


def test_nobody_else_turns_a_registration_into_an_adoption(innovator, other_innovator, innovation):
    innovation.owners.add(innovator)
    registration = RegistrationOfInterestFactory(innovation=innovation, confirmed_at=timezone.now())
    with pytest.raises(PermissionDenied):
        services.record_adoption(
            new_adoption(innovation, organisation=OrganisationFactory()),
            by=other_innovator,
            registration=registration,
        )
    elsewhere = RegistrationOfInterestFactory(
        innovation=InnovationFactory(), confirmed_at=timezone.now()
    )
    elsewhere.innovation.owners.add(innovator)
    with pytest.raises(PermissionDenied):  # interest in another innovation
        services.record_adoption(
            new_adoption(innovation, organisation=OrganisationFactory()),
            by=innovator,
            registration=elsewhere,
        )
    assert not Adoption.objects.exists()


# -- Editing ----------------------------------------------------------------------------------


def test_an_edit_writes_only_what_changed_and_dates_a_new_status(innovator, noted):
    adoption = AdoptionFactory(recorded_by=innovator, status="piloting", area="Leeds")
    Adoption.objects.filter(pk=adoption.pk).update(lessons="Written by someone else")

    edited = services.edit_adoption(
        adoption,
        {"area": "Leeds and Bradford", "lessons": adoption.lessons},
        status="adopted",
        by=innovator,
        note="Council funding agreed.",
    )

    edited.refresh_from_db()
    assert (edited.area, edited.lessons, edited.status) == (
        "Leeds and Bradford",
        "Written by someone else",
        "adopted",
    )
    assert [(s.status, s.note) for s in edited.history.all()] == [
        ("adopted", "Council funding agreed.")
    ]
    assert noted == [(adoption.pk, "adopted")]


def test_a_note_without_a_new_status_is_a_dated_step_and_silence_is_none(innovator):
    adoption = AdoptionFactory(recorded_by=innovator, status="piloting")
    services.edit_adoption(adoption, {}, status="piloting", by=innovator)
    assert not adoption.history.exists()
    services.edit_adoption(adoption, {}, status="piloting", by=innovator, note="40 people now.")
    assert [(s.status, s.note) for s in adoption.history.all()] == [("piloting", "40 people now.")]


def test_only_the_recorder_and_curators_edit(innovator, other_innovator, curator):
    adoption = AdoptionFactory(recorded_by=innovator, status="piloting")
    for nobody in (other_innovator, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            services.edit_adoption(adoption, {"area": "Mine"}, status="piloting", by=nobody)
    services.edit_adoption(adoption, {"area": "Checked"}, status="piloting", by=curator)
    adoption.refresh_from_db()
    assert adoption.area == "Checked"


def test_an_adopters_edit_of_a_verified_adoption_needs_verifying_again(innovator, curator):
    adoption = AdoptionFactory(recorded_by=innovator, status="piloting")
    services.verify_adoption(adoption, by=curator)

    services.edit_adoption(adoption, {"area": "Elsewhere"}, status="piloting", by=curator)
    adoption.refresh_from_db()
    assert adoption.verified  # a curator's own edit keeps their check

    services.edit_adoption(adoption, {"area": "Leeds"}, status="piloting", by=innovator)
    adoption.refresh_from_db()
    assert (adoption.verified, adoption.verified_by, adoption.verified_at) == (False, None, None)


def test_an_edit_names_a_new_organisation_in_the_adoptions_region(innovator):
    adoption = AdoptionFactory(recorded_by=innovator, status="piloting", region=region("wales"))
    edited = services.edit_adoption(
        adoption,
        {},
        status="piloting",
        by=innovator,
        organisation=NamedOrganisation("Newport Council", kind="local-authority"),
    )
    assert (edited.organisation.name, edited.organisation.region.slug) == (
        "Newport Council",
        "wales",
    )


def test_an_adoption_in_a_local_authority_is_in_its_region(innovator, innovation):
    adoption = services.record_adoption(
        new_adoption(
            innovation,
            organisation=OrganisationFactory(),
            region=region("london"),
            local_authority=local_authority("E06000014"),
        ),
        by=innovator,
        organisation=NamedOrganisation("City of York Council", kind="local-authority"),
    )

    adoption.refresh_from_db()
    assert adoption.region.slug == "yorkshire-and-the-humber"
    assert adoption.organisation.region.slug == "yorkshire-and-the-humber"


def test_moving_an_adoption_to_another_local_authority_moves_its_region(innovator):
    adoption = AdoptionFactory(
        recorded_by=innovator,
        status="piloting",
        local_authority=local_authority("E06000014"),
        region=region("yorkshire-and-the-humber"),
    )

    services.edit_adoption(
        adoption,
        {"local_authority": local_authority("S12000049")},
        status="piloting",
        by=innovator,
    )
    adoption.refresh_from_db()
    assert (adoption.local_authority.name, adoption.region.slug) == ("Glasgow City", "scotland")

    services.edit_adoption(adoption, {"region": region("wales")}, status="piloting", by=innovator)
    adoption.refresh_from_db()
    assert adoption.region.slug == "scotland"  # the authority says where it is

    services.edit_adoption(
        adoption,
        {"local_authority": None, "region": region("wales")},
        status="piloting",
        by=innovator,
    )
    adoption.refresh_from_db()
    assert (adoption.local_authority, adoption.region.slug) == (None, "wales")


def test_only_curators_say_an_edited_adoption_is_verified(innovator, curator):
    adoption = AdoptionFactory(recorded_by=innovator, status="piloting")
    with pytest.raises(ValidationError):
        services.edit_adoption(adoption, {}, status="piloting", by=innovator, verified=True)
    edited = services.edit_adoption(adoption, {}, status="piloting", by=curator, verified=True)
    assert edited.verified
    edited = services.edit_adoption(edited, {}, status="piloting", by=curator, verified=False)
    edited.refresh_from_db()
    assert (edited.verified, edited.verified_by, edited.verified_at) == (False, None, None)


# -- Verifying --------------------------------------------------------------------------------


def test_only_curators_verify_both_ways(innovator, curator):
    adoption = AdoptionFactory(recorded_by=innovator)
    with pytest.raises(ValidationError) as refused:
        services.verify_adoption(adoption, by=innovator)
    assert "verified" in refused.value.message_dict

    services.verify_adoption(adoption, by=curator)
    adoption.refresh_from_db()
    assert (adoption.verified, adoption.verified_by) == (True, curator)
    checked_at = adoption.verified_at

    services.verify_adoption(adoption, by=curator)  # verified already: left as it was
    adoption.refresh_from_db()
    assert adoption.verified_at == checked_at

    with pytest.raises(ValidationError):
        services.verify_adoption(adoption, by=innovator, verified=False)
    services.verify_adoption(adoption, by=curator, verified=False)
    adoption.refresh_from_db()
    assert (adoption.verified, adoption.verified_by, adoption.verified_at) == (False, None, None)


# -- Signing up -------------------------------------------------------------------------------


def sign_up(email: str = "ana@example.org", client: str = "client-1") -> None:
    services.sign_up(email=email, client=client, absolute=absolute)


def test_a_new_address_gets_a_link_and_no_account_until_it_is_followed():
    sign_up()

    assert not User.objects.exists()
    (email,) = OutgoingEmail.objects.all()
    assert email.to == "ana@example.org"
    (token,) = re.findall(r"http://testserver/account/verify/([^/\s]+)/", email.body)
    to_open = services.account_to_verify(token)
    assert to_open == services.AccountToOpen(email="ana@example.org", account=None)

    user = services.open_account(to_open, name="Ana", password="a-new-long-password")
    assert (user.username, user.email, user.first_name, user.is_active) == (
        "ana@example.org",
        "ana@example.org",
        "Ana",
        True,
    )
    assert user.check_password("a-new-long-password")
    with pytest.raises(services.InvalidLink, match="confirmed already"):
        services.account_to_verify(token)
    with pytest.raises(services.InvalidLink, match="confirmed already"):
        services.open_account(to_open, name="Mallory", password="another-long-password")


def test_signing_up_again_before_confirming_changes_nothing_stored_and_sends_a_link():
    sign_up()
    first = services.verification_token("ana@example.org")

    sign_up()

    assert not User.objects.exists()
    assert services.account_to_verify(first).email == "ana@example.org"
    assert OutgoingEmail.objects.count() == 2


def test_emails_to_one_address_stop_silently_and_one_client_is_refused():
    for n in range(5):
        sign_up(client=f"client-{n}")
    assert OutgoingEmail.objects.count() == 3  # ACCOUNT_EMAILS_PER_ADDRESS
    for n in range(10):  # ACCOUNT_EMAILS_PER_CLIENT
        sign_up(email=f"person{n}@example.org", client="busy")
    with pytest.raises(services.RateLimited):
        sign_up(email="one-more@example.org", client="busy")


def test_an_address_with_an_account_in_use_is_told_how_to_reset_its_password():
    person = UserFactory(username="ana", email="Ana@Example.org")

    sign_up(email="ana@example.org")

    assert User.objects.count() == 1
    person.refresh_from_db()
    assert person.check_password("a-long-test-password")
    (email,) = OutgoingEmail.objects.all()
    assert (email.to, email.subject) == (
        "Ana@Example.org",
        "You already have an account on Innovation Catalogue",
    )
    assert "http://testserver/account/password-reset/" in email.body
