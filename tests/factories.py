"""Factories for every model, so each test builds only what it is about."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from adopters.models import Adoption, AdoptionStatusChange, RegistrationOfInterest
from catalogue.models import (
    BeneficiaryGroup,
    Innovation,
    LocalAuthority,
    Organisation,
    ReachFigure,
    Region,
    Resource,
    ScalingRoute,
    Sector,
)
from networks.models import Membership, Network


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("a-long-test-password")


def region(slug: str) -> Region:
    """Regions are seeded by a migration: look them up, never create them."""
    return Region.objects.get(slug=slug)


def local_authority(code: str) -> LocalAuthority:
    """Local authorities are seeded by a migration too: look them up by ONS code."""
    return LocalAuthority.objects.select_related("region").get(code=code)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = "charity"


class SectorFactory(DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Sector {n}")


class BeneficiaryGroupFactory(DjangoModelFactory):
    class Meta:
        model = BeneficiaryGroup
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Group {n}")


class ScalingRouteFactory(DjangoModelFactory):
    class Meta:
        model = ScalingRoute
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Route {n}")


class InnovationFactory(DjangoModelFactory):
    class Meta:
        model = Innovation

    title = factory.Sequence(lambda n: f"Innovation {n}")
    summary = "A short account of what it does."
    lead_organisation = factory.SubFactory(OrganisationFactory)
    status = "published"
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(status="draft", published_at=None)


class ReachFigureFactory(DjangoModelFactory):
    class Meta:
        model = ReachFigure

    innovation = factory.SubFactory(InnovationFactory)
    measure = "groups"
    value = 10
    date = datetime.date(2019, 1, 1)
    source = "Test source"


class ResourceFactory(DjangoModelFactory):
    class Meta:
        model = Resource

    title = factory.Sequence(lambda n: f"Resource {n}")
    kind = "toolkit"


class AdoptionFactory(DjangoModelFactory):
    class Meta:
        model = Adoption

    innovation = factory.SubFactory(InnovationFactory)
    organisation = factory.SubFactory(OrganisationFactory, kind="local-authority")
    status = "adopted"
    verified = False
    # Verified exactly when a curator checked it (a constraint); unverified, the adopter's word.
    provenance = factory.LazyAttribute(lambda o: "verified" if o.verified else "self-reported")


class AdoptionStatusChangeFactory(DjangoModelFactory):
    class Meta:
        model = AdoptionStatusChange

    adoption = factory.SubFactory(AdoptionFactory)
    status = "exploring"
    changed_on = datetime.date(2020, 1, 1)


class RegistrationOfInterestFactory(DjangoModelFactory):
    class Meta:
        model = RegistrationOfInterest

    innovation = factory.SubFactory(InnovationFactory)
    name = "Sam Example"
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    consent = True
    consent_text = "I agree that the innovation's team may contact me."


class NetworkFactory(DjangoModelFactory):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: f"Network {n}")
    slug = factory.Sequence(lambda n: f"network-{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    network = factory.SubFactory(NetworkFactory)
    email = factory.Sequence(lambda n: f"member{n}@example.org")
    joined_on = datetime.date(2021, 1, 1)


def refused(factory, **values) -> bool:
    """Whether the database refuses the row the factory builds with these values."""
    from django.db import IntegrityError, transaction

    try:
        with transaction.atomic():
            factory(**values)
    except IntegrityError:
        return True
    return False


def absolute(path: str) -> str:
    """A path as a full address, as the services' emails need one (a view passes
    `request.build_absolute_uri`)."""
    return f"http://testserver{path}"
