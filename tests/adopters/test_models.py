"""Adoptions and registrations: what the database refuses, and the status history."""

import datetime

import pytest
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from adopters import services
from adopters.models import Adoption
from tests.factories import (
    AdoptionFactory,
    InnovationFactory,
    RegistrationOfInterestFactory,
    UserFactory,
    refused,
)

pytestmark = pytest.mark.django_db


def test_adoption_cannot_end_before_it_started():
    assert refused(
        AdoptionFactory,
        started_on=datetime.date(2020, 5, 1),
        ended_on=datetime.date(2020, 4, 30),
    )


def test_adoption_may_end_the_day_it_started():
    day = datetime.date(2020, 5, 1)
    assert not refused(AdoptionFactory, started_on=day, ended_on=day)


def test_adoption_status_must_be_known():
    assert refused(AdoptionFactory, status="thinking")


def test_verified_adoption_needs_a_date():
    assert refused(AdoptionFactory, verified=True, verified_at=None)


def test_one_adoption_per_organisation_and_area():
    first = AdoptionFactory(area="Wirral")
    assert refused(
        AdoptionFactory, innovation=first.innovation, organisation=first.organisation, area="Wirral"
    )
    assert not refused(
        AdoptionFactory,
        innovation=first.innovation,
        organisation=first.organisation,
        area="Knowsley",
    )


def test_an_innovation_with_adoptions_cannot_be_deleted():
    adoption = AdoptionFactory()
    with pytest.raises(ProtectedError):
        adoption.innovation.delete()


def test_change_status_records_a_dated_step():
    curator = UserFactory(is_staff=True)
    adoption = AdoptionFactory(status="exploring")
    services.change_status(
        adoption, "piloting", by=curator, note="Pilot agreed", on=datetime.date(2021, 3, 1)
    )
    step = adoption.history.get()
    assert (step.status, step.changed_on, step.changed_by, step.note) == (
        "piloting",
        datetime.date(2021, 3, 1),
        curator,
        "Pilot agreed",
    )
    assert Adoption.objects.get(pk=adoption.pk).status == "piloting"


def test_change_to_the_same_status_adds_no_step():
    adoption = AdoptionFactory(status="adopted")
    services.change_status(adoption, "adopted")
    assert not adoption.history.exists()


def test_adoption_count_counts_piloting_adopted_and_scaled_only():
    from catalogue.models import Innovation

    innovation = InnovationFactory()
    for status in ["exploring", "planning", "piloting", "adopted", "scaled", "paused", "stopped"]:
        AdoptionFactory(innovation=innovation, status=status)
    assert Innovation.objects.get(pk=innovation.pk).adoption_count == 3


def test_verify_adoption_records_who_and_when(curator):
    adoption = services.verify_adoption(AdoptionFactory(), by=curator)
    adoption.refresh_from_db()
    assert adoption.verified
    assert adoption.verified_by == curator
    assert adoption.verified_at <= timezone.now()


def test_registration_needs_consent_and_its_wording():
    assert refused(RegistrationOfInterestFactory, consent=False)
    assert refused(RegistrationOfInterestFactory, consent_text="")


def test_registration_cannot_progress_unconfirmed():
    assert refused(RegistrationOfInterestFactory, status="contacted", confirmed_at=None)
    assert not refused(RegistrationOfInterestFactory, status="closed", confirmed_at=None)
    assert not refused(
        RegistrationOfInterestFactory, status="contacted", confirmed_at=timezone.now()
    )


def test_registration_interests_must_be_known():
    assert refused(RegistrationOfInterestFactory, interests=["find-out-more", "gossip"])
