"""The database refuses what must never be stored, and keeps the search vector current."""

import datetime

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import IntegrityError, transaction

from catalogue.models import Innovation, Region
from tests.factories import (
    InnovationFactory,
    OrganisationFactory,
    ReachFigureFactory,
    SectorFactory,
    region,
)
from tests.factories import refused as refused_row

pytestmark = pytest.mark.django_db


def matches(text: str) -> list[str]:
    query = SearchQuery(text, search_type="websearch", config="english_unaccent")
    return list(Innovation.objects.filter(search_vector=query).values_list("title", flat=True))


def refused(**changes) -> bool:
    """Whether the database refuses an innovation with these values."""
    return refused_row(InnovationFactory, **changes)


@pytest.mark.parametrize("level", [0, 6, 100])
def test_evidence_level_outside_1_to_5_is_refused(level):
    assert refused(evidence_level=level)


@pytest.mark.parametrize("level", [None, 1, 5])
def test_evidence_level_1_to_5_or_none_is_stored(level):
    assert not refused(evidence_level=level)


@pytest.mark.parametrize(
    "changes",
    [
        {"stage": "scaling"},
        {"kind": "gadget"},
        {"cost_band": "free"},
        {"status": "secret"},
        {"scaling_ways": ["out", "sideways"]},
        {"year_started": 1066},
        {"title": ""},
        {"status": "published", "published_at": None},
    ],
)
def test_values_outside_the_contract_are_refused(changes):
    assert refused(**changes)


def test_innovation_slugs_are_unique():
    InnovationFactory(slug="same")
    assert refused(slug="same")


def test_organisation_names_are_unique_whatever_the_case():
    OrganisationFactory(name="GoodGym")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(name="goodgym", slug="goodgym-2")


def test_reach_has_one_value_per_measure_and_date():
    figure = ReachFigureFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReachFigureFactory(innovation=figure.innovation, measure=figure.measure, date=figure.date)


def test_vocabulary_slug_is_slugify_of_name():
    assert SectorFactory(name="Children and families").slug == "children-and-families"


def test_nine_english_regions_sit_under_england():
    england = region("england")
    children = set(england.children.values_list("slug", flat=True))
    assert children == {
        "north-east",
        "north-west",
        "yorkshire-and-the-humber",
        "east-midlands",
        "west-midlands",
        "east-of-england",
        "london",
        "south-east",
        "south-west",
    }
    assert {r.slug for r in england.with_descendants()} == children | {"england"}


def test_nations_and_outside_uk_are_top_level():
    top = set(Region.objects.filter(parent__isnull=True).values_list("slug", flat=True))
    assert top == {"england", "wales", "scotland", "northern-ireland", "outside-uk"}


def test_search_vector_is_filled_on_insert():
    InnovationFactory(title="Shared reading groups", summary="People read aloud together.")
    assert matches("reading") == ["Shared reading groups"]
    assert matches("aloud") == ["Shared reading groups"]


def test_search_vector_follows_edits():
    innovation = InnovationFactory(title="Befriending", summary="Weekly visits.")
    innovation.summary = "Runners visit isolated older neighbours."
    innovation.save()
    assert matches("runners") == ["Befriending"]
    assert matches("weekly") == []


def test_search_vector_follows_bulk_updates_that_bypass_save():
    InnovationFactory(title="Befriending", how_it_works="Phone calls.")
    Innovation.objects.update(how_it_works="Letters written by pupils.")
    assert matches("pupils") == ["Befriending"]


def test_search_vector_follows_a_renamed_lead_organisation():
    organisation = OrganisationFactory(name="Old Name Trust")
    InnovationFactory(title="Peer groups", lead_organisation=organisation)
    organisation.name = "Compassionate Communities Trust"
    organisation.save()
    assert matches("compassionate") == ["Peer groups"]
    assert matches("old name") == []


def test_search_ignores_accents():
    InnovationFactory(title="Café conversations")
    assert matches("cafe") == ["Café conversations"]


def test_search_stems_english_words():
    InnovationFactory(title="Volunteering neighbours")
    assert matches("volunteer") == ["Volunteering neighbours"]


def test_title_outranks_body_text():
    InnovationFactory(title="Gardening clubs", summary="Clubs.")
    InnovationFactory(title="Lunch clubs", how_it_works="Some grow vegetables: gardening.")
    from django.contrib.postgres.search import SearchRank
    from django.db.models import F

    query = SearchQuery("gardening", config="english_unaccent")
    ranked = (
        Innovation.objects.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank")
        .values_list("title", flat=True)
    )
    assert list(ranked) == ["Gardening clubs", "Lunch clubs"]


def test_published_and_visible_to(innovator, other_innovator, curator, own_draft):
    public = InnovationFactory(title="Public one")
    from django.contrib.auth.models import AnonymousUser

    assert list(Innovation.objects.visible_to(AnonymousUser())) == [public]
    assert set(Innovation.objects.visible_to(innovator)) == {public, own_draft}
    assert list(Innovation.objects.visible_to(other_innovator)) == [public]
    assert set(Innovation.objects.visible_to(curator)) == {public, own_draft}


def test_reach_figure_reads_naturally():
    figure = ReachFigureFactory(
        value=8289, measure="people supported", date=datetime.date(2019, 3, 1)
    )
    assert str(figure) == "8,289 people supported on 01 March 2019"


def facet_columns(innovation):
    innovation = Innovation.objects.get(pk=innovation.pk)
    return (
        innovation.sector_ids,
        innovation.region_ids,
        innovation.organisation_kind,
        innovation.adoption_count,
    )


def test_facet_columns_follow_relations():
    from tests.factories import AdoptionFactory

    innovation = InnovationFactory(lead_organisation=OrganisationFactory(kind="charity"))
    health, care = SectorFactory(name="Health"), SectorFactory(name="Social care")
    innovation.sectors.set([health, care])
    innovation.regions.set([region("north-west")])
    AdoptionFactory(innovation=innovation, status="piloting")
    AdoptionFactory(innovation=innovation, status="exploring")
    assert facet_columns(innovation) == (
        sorted([health.pk, care.pk]),
        sorted([region("england").pk, region("north-west").pk]),
        "charity",
        1,
    )
    innovation.sectors.remove(care)
    innovation.lead_organisation.kind = "social-enterprise"
    innovation.lead_organisation.save()
    innovation.adoptions.filter(status="exploring").update(status="adopted")
    assert facet_columns(innovation)[::2] == ([health.pk], "social-enterprise")
    assert facet_columns(innovation)[3] == 2


def test_a_stale_python_object_cannot_overwrite_derived_columns():
    from tests.factories import AdoptionFactory

    innovation = InnovationFactory()
    stale = Innovation.objects.get(pk=innovation.pk)
    AdoptionFactory(innovation=innovation, status="adopted")
    stale.summary = "Edited elsewhere."
    stale.save()
    assert Innovation.objects.get(pk=innovation.pk).adoption_count == 1


def test_scotland_has_no_parent_so_selects_only_itself():
    innovation = InnovationFactory()
    innovation.regions.set([region("scotland")])
    assert facet_columns(innovation)[1] == [region("scotland").pk]


def recomputed_totals() -> dict[int, int]:
    from collections import Counter

    keys = Innovation.objects.published().values_list("facet_keys", flat=True)
    return dict(Counter(key for row in keys for key in row))


def stored_totals() -> dict[int, int]:
    from catalogue.models import FacetTotal

    totals = dict(FacetTotal.objects.filter(count__gt=0).values_list("key", "count"))
    # The members bit strings (migration 0009) must agree with the counts and the innovations,
    # and so must the search entries (0011).
    assert stored_members() == recomputed_members()
    assert search_entries() == published_search_columns()
    return totals


SEARCH_COLUMNS = ("search_vector", "published_at", "adoption_count", "evidence_level", "title")


def search_entries() -> dict[int, tuple]:
    from catalogue.models import SearchEntry

    rows = SearchEntry.objects.values_list("innovation_id", *SEARCH_COLUMNS)
    return {row[0]: row[1:] for row in rows}


def published_search_columns() -> dict[int, tuple]:
    rows = Innovation.objects.published().values_list("pk", *SEARCH_COLUMNS)
    return {row[0]: row[1:] for row in rows}


def stored_members() -> dict[int, set[int]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT key, members::text FROM catalogue_facettotal")
        rows = cursor.fetchall()
    assert len({len(bits) for _, bits in rows}) <= 1, "every bit string has the same width"
    return {
        key: {position for position, bit in enumerate(bits) if bit == "1"}
        for key, bits in rows
        if "1" in bits
    }


def recomputed_members() -> dict[int, set[int]]:
    members: dict[int, set[int]] = {}
    for pk, keys in Innovation.objects.published().values_list("pk", "facet_keys"):
        for key in keys:
            members.setdefault(key, set()).add(pk)
    return members


def test_facet_totals_follow_every_kind_of_change():
    from catalogue import services
    from tests.factories import AdoptionFactory

    health = SectorFactory(name="Health")
    one, two = InnovationFactory(stage="making-the-case"), InnovationFactory(draft=True)
    one.sectors.add(health)
    two.sectors.add(health)
    one.regions.set([region("london"), region("scotland")])
    adoption = AdoptionFactory(innovation=one, status="piloting")
    assert stored_totals() == recomputed_totals()

    services.publish(two)
    Innovation.objects.filter(pk=one.pk).update(stage="changing-systems", evidence_level=3)
    adoption.status = "stopped"
    adoption.save()
    one.lead_organisation.kind = "university"
    one.lead_organisation.save()
    assert stored_totals() == recomputed_totals()

    Innovation.objects.filter(pk=two.pk).update(title="Renamed scheme")
    assert stored_totals() == recomputed_totals()

    services.archive(one)
    two.sectors.clear()
    assert stored_totals() == recomputed_totals()
    adoption.delete()
    Innovation.objects.filter(pk=one.pk).delete()
    assert stored_totals() == recomputed_totals()
    assert stored_totals()[0] == 1  # key 0 counts the published innovations


def test_facet_members_widen_for_an_innovation_beyond_their_width():
    from django.db import connection

    first = InnovationFactory()
    with connection.cursor() as cursor:
        cursor.execute("SELECT length(members) FROM catalogue_facettotal WHERE key = 0")
        (width,) = cursor.fetchone()
    far = InnovationFactory(id=first.pk + width + 5)
    draft = InnovationFactory(id=far.pk + 2 * width, draft=True)  # drafts have no bits
    assert stored_totals() == recomputed_totals()
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT length(members) FROM catalogue_facettotal")
        widths = [row[0] for row in cursor.fetchall()]
    assert len(widths) == 1
    assert far.pk < widths[0] <= draft.pk
    assert widths[0] % 64 == 0


def test_facet_keys_encode_every_facet():
    from catalogue.facets import decode

    innovation = InnovationFactory(
        stage="making-the-case",
        kind="policy",
        cost_band="high",
        evidence_level=4,
        scaling_ways=["up"],
        lead_organisation=OrganisationFactory(kind="nhs-body"),
    )
    innovation.sectors.add(SectorFactory(name="Health"))
    innovation.regions.add(region("wales"))
    keys = Innovation.objects.get(pk=innovation.pk).facet_keys
    facets = {decode(key)[0] for key in keys if key}
    assert facets == {
        "sector", "region", "stage", "kind", "cost_band", "evidence", "scaling_way",
        "organisation_kind", "adopted",
    }  # fmt: skip


def test_facet_columns_survive_truncate_and_a_region_moving_nation():
    from django.db import connection

    innovation = InnovationFactory()
    innovation.sectors.add(SectorFactory(name="Health"))
    innovation.regions.add(region("north-west"))
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending FK checks
        cursor.execute("TRUNCATE catalogue_innovation_sectors")
    assert Innovation.objects.get(pk=innovation.pk).sector_ids == []
    assert stored_totals() == recomputed_totals()

    Region.objects.filter(slug="north-west").update(parent=region("wales"))
    assert region("wales").pk in Innovation.objects.get(pk=innovation.pk).region_ids

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE catalogue_innovation CASCADE")
    assert stored_totals() == {}
