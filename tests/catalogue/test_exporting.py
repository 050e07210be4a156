"""Exporting the catalogue in the import file's shape, so that a round trip loses nothing."""

import datetime

import pytest
from django.utils import timezone

from adopters.models import Adoption, RegistrationOfInterest
from catalogue.models import (
    BeneficiaryGroup,
    Innovation,
    Organisation,
    Resource,
    ScalingRoute,
    Sector,
)
from networks.models import Network
from portal.exporting import export_catalogue
from portal.importing import import_catalogue
from tests.factories import (
    AdoptionFactory,
    AdoptionStatusChangeFactory,
    BeneficiaryGroupFactory,
    InnovationFactory,
    OrganisationFactory,
    ReachFigureFactory,
    ResourceFactory,
    ScalingRouteFactory,
    SectorFactory,
    local_authority,
    region,
)

pytestmark = pytest.mark.django_db

SLUG = "example-peer-support-circles"


def rich_catalogue() -> None:
    """Every field, relation and section of the format filled in at least once."""
    trust = OrganisationFactory(
        name="Example Trust",
        slug="example-trust",
        kind="charity",
        region=region("london"),
        website="https://example.org",
        source="Charity register",
    )
    council = OrganisationFactory(
        name="Example Council", kind="local-authority", region=region("scotland")
    )
    university = OrganisationFactory(name="Partner University", kind="university")
    OrganisationFactory(name="Unconnected Group", kind="community-group")
    circles = InnovationFactory(
        title="Example peer support circles",
        slug=SLUG,
        summary="One or two sentences.",
        problem="Loneliness.",
        how_it_works="Volunteers run circles.",
        core="Weekly meetings.",
        adaptable="The venue.",
        outcomes="Less loneliness.",
        evidence_level=2,
        evidence_summary="A survey.",
        stage="growing-scaling-spreading",
        kind="service",
        scaling_ways=["out", "deep"],
        lead_organisation=trust,
        year_started=2014,
        cost_band="low",
        cost_notes="Mostly volunteer time.",
        funding_model="Grants.",
        website="https://example.org/circles",
        contact_name="Sam Example",
        contact_email="sam@example.org",
        source="Annual report 2016",
        last_reviewed_on=datetime.date(2024, 5, 1),
    )
    circles.sectors.set([SectorFactory(name="Health"), SectorFactory(name="Social care")])
    circles.beneficiaries.set([BeneficiaryGroupFactory(name="Older people")])
    circles.scaling_routes.set([ScalingRouteFactory(name="Replication through partners")])
    circles.regions.set([region("north-west"), region("london")])
    circles.partners.set([university, council])
    ReachFigureFactory(
        innovation=circles, measure="groups", value=43, date=datetime.date(2016, 3, 31)
    )
    ReachFigureFactory(
        innovation=circles,
        measure="people supported",
        value=900,
        date=datetime.date(2016, 3, 31),
        source="",
    )
    draft = InnovationFactory(
        draft=True, title="Early idea", slug="early-idea", stage="", lead_organisation=None
    )
    adoption = AdoptionFactory(
        innovation=circles,
        organisation=council,
        region=region("scotland"),
        local_authority=local_authority("S12000049"),
        area="Glasgow",
        status="adopted",
        adapted=True,
        adaptations="Met in libraries.",
        started_on=datetime.date(2019, 4, 1),
        ended_on=datetime.date(2022, 3, 31),
        people_reached=65,
        outcomes="Fewer GP visits.",
        lessons="Start small.",
        will_talk=True,
        contact_name="Alex Example",
        contact_email="alex@example.org",
        verified=True,
        verified_at=timezone.now(),
        source="Council minutes",
    )
    AdoptionStatusChangeFactory(
        adoption=adoption,
        status="exploring",
        changed_on=datetime.date(2018, 9, 1),
        note="First contact",
    )
    AdoptionStatusChangeFactory(
        adoption=adoption, status="adopted", changed_on=datetime.date(2019, 4, 1)
    )
    AdoptionFactory(innovation=draft, organisation=trust, status="exploring")
    toolkit = ResourceFactory(
        title="Scaling toolkit",
        kind="toolkit",
        publisher="Nesta",
        url="https://example.org/toolkit",
        description="How to scale.",
        source="Nesta website",
    )
    toolkit.innovations.set([circles, draft])
    ResourceFactory(title="Draft notes", kind="research").innovations.set([draft])
    ResourceFactory(title="General advice", kind="advice")


def empty_catalogue() -> None:
    """Delete everything the format holds, dependants first."""
    for model in (
        Network,
        Resource,
        RegistrationOfInterest,
        Adoption,
        Innovation,
        Organisation,
        Sector,
        BeneficiaryGroup,
        ScalingRoute,
    ):
        model.objects.all().delete()


def test_export_round_trip_loses_nothing():
    rich_catalogue()
    first = export_catalogue()
    empty_catalogue()
    assert not Innovation.objects.exists()

    import_catalogue(first)

    assert export_catalogue() == first


def test_export_writes_every_field_of_an_innovation():
    rich_catalogue()

    exported = next(i for i in export_catalogue()["innovations"] if i["slug"] == SLUG)

    assert exported == {
        "title": "Example peer support circles",
        "slug": SLUG,
        "summary": "One or two sentences.",
        "problem": "Loneliness.",
        "how_it_works": "Volunteers run circles.",
        "core": "Weekly meetings.",
        "adaptable": "The venue.",
        "outcomes": "Less loneliness.",
        "evidence_level": 2,
        "evidence_summary": "A survey.",
        "stage": "growing-scaling-spreading",
        "kind": "service",
        "scaling_ways": ["out", "deep"],
        "scaling_routes": ["Replication through partners"],
        "sectors": ["Health", "Social care"],
        "beneficiaries": ["Older people"],
        "regions": ["north-west", "london"],
        "lead_organisation": "Example Trust",
        "partners": ["Example Council", "Partner University"],
        "year_started": 2014,
        "cost_band": "low",
        "cost_notes": "Mostly volunteer time.",
        "funding_model": "Grants.",
        "website": "https://example.org/circles",
        "contact_name": "Sam Example",
        "contact_email": "sam@example.org",
        "status": "published",
        "source": "Annual report 2016",
        "last_reviewed_on": "2024-05-01",
        "published_at": Innovation.objects.get(slug=SLUG).published_at.isoformat(),
        "reach": [
            {"measure": "groups", "value": 43, "date": "2016-03-31", "source": "Test source"},
            {"measure": "people supported", "value": 900, "date": "2016-03-31", "source": None},
        ],
    }


def test_export_has_the_contract_sections_and_keys():
    rich_catalogue()

    exported = export_catalogue()

    assert list(exported) == ["organisations", "innovations", "adoptions", "resources"]
    contract_keys = {
        "organisations": {"name", "kind", "region", "website"},
        "innovations": {
            "title",
            "slug",
            "summary",
            "problem",
            "how_it_works",
            "core",
            "adaptable",
            "outcomes",
            "evidence_level",
            "evidence_summary",
            "stage",
            "kind",
            "scaling_ways",
            "scaling_routes",
            "sectors",
            "beneficiaries",
            "regions",
            "lead_organisation",
            "partners",
            "year_started",
            "cost_band",
            "website",
            "status",
            "reach",
        },
        "adoptions": {
            "innovation",
            "organisation",
            "region",
            "area",
            "status",
            "adapted",
            "adaptations",
            "started_on",
            "people_reached",
        },
    }
    for section, keys in contract_keys.items():
        assert exported[section]
        for record in exported[section]:
            assert keys <= set(record), (section, keys - set(record))
    for figure in exported["innovations"][0]["reach"]:
        assert set(figure) == {"measure", "value", "date", "source"}


def test_export_writes_adoptions_with_their_history():
    rich_catalogue()

    glasgow = next(a for a in export_catalogue()["adoptions"] if a["area"] == "Glasgow")

    assert glasgow == {
        "innovation": SLUG,
        "organisation": "Example Council",
        "region": "scotland",
        "local_authority": "S12000049",
        "area": "Glasgow",
        "status": "adopted",
        "adapted": True,
        "adaptations": "Met in libraries.",
        "started_on": "2019-04-01",
        "ended_on": "2022-03-31",
        "people_reached": 65,
        "outcomes": "Fewer GP visits.",
        "lessons": "Start small.",
        "will_talk": True,
        "contact_name": "Alex Example",
        "contact_email": "alex@example.org",
        "verified": True,
        "provenance": "verified",
        "source": "Council minutes",
        "history": [
            {"status": "exploring", "changed_on": "2018-09-01", "note": "First contact"},
            {"status": "adopted", "changed_on": "2019-04-01", "note": None},
        ],
    }


def test_export_is_in_a_stable_order():
    rich_catalogue()

    exported = export_catalogue()

    assert [o["name"] for o in exported["organisations"]] == [
        "Example Council",
        "Example Trust",
        "Partner University",
        "Unconnected Group",
    ]
    assert [i["slug"] for i in exported["innovations"]] == ["early-idea", SLUG]
    assert [r["slug"] for r in exported["resources"]] == [
        "draft-notes",
        "general-advice",
        "scaling-toolkit",
    ]


def test_importing_an_export_into_the_same_catalogue_changes_nothing():
    rich_catalogue()

    report = import_catalogue(export_catalogue())

    assert all(c["created"] == c["updated"] == 0 for c in report.counts.values()), report.counts


def test_published_only_export_leaves_drafts_out():
    rich_catalogue()

    exported = export_catalogue(Innovation.objects.published())

    assert [i["slug"] for i in exported["innovations"]] == [SLUG]
    assert [a["innovation"] for a in exported["adoptions"]] == [SLUG]
    assert [r["slug"] for r in exported["resources"]] == ["scaling-toolkit"]


def test_published_only_export_names_no_draft_in_a_resource_it_shares():
    rich_catalogue()

    exported = export_catalogue(Innovation.objects.published())

    assert exported["resources"][0]["innovations"] == [SLUG]


def test_published_only_export_has_only_the_organisations_it_refers_to():
    rich_catalogue()

    exported = export_catalogue(Innovation.objects.published())

    assert [o["name"] for o in exported["organisations"]] == [
        "Example Council",
        "Example Trust",
        "Partner University",
    ]


def test_published_only_export_imports_into_an_empty_catalogue():
    rich_catalogue()
    exported = export_catalogue(Innovation.objects.published())
    empty_catalogue()

    import_catalogue(exported)

    assert export_catalogue(Innovation.objects.published()) == exported


def test_published_only_export_leaves_out_adopters_contact_details():
    rich_catalogue()
    exported = export_catalogue(Innovation.objects.published())
    assert all("contact_email" not in a and "contact_name" not in a for a in exported["adoptions"])
