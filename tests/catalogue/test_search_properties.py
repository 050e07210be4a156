"""Property tests: whatever the catalogue and whatever the filters, the search engine's total,
facet counts and result pages agree with a brute-force reading of shared/CONTRACT.md.

The reference below is plain Python over the records each example creates; it shares nothing
with the engine (no facet columns, no filter set), so a disagreement is a bug in one of them.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.search import criteria, ordered_ids, search
from tests.factories import (
    AdoptionFactory,
    BeneficiaryGroupFactory,
    InnovationFactory,
    OrganisationFactory,
    ScalingRouteFactory,
    SectorFactory,
    local_authority,
    region,
)

pytestmark = pytest.mark.django_db

property_settings = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,  # nothing written into the working tree
)

# --- The small world each example draws from ------------------------------------------------

SECTORS = {"health": "Health", "education": "Education", "housing": "Housing"}
BENEFICIARIES = {"older-people": "Older people", "carers": "Carers", "care-leavers": "Care leavers"}
ROUTES = {"replication-through-partners": "Replication through partners", "franchise": "Franchise"}
# Regions are seeded by a migration. `england` is a nation holding the English regions.
ENGLISH_REGIONS = ["london", "north-west", "south-west"]
REGIONS = [*ENGLISH_REGIONS, "england", "scotland", "wales", "outside-uk"]
NATION_OF = {slug: "england" for slug in [*ENGLISH_REGIONS, "yorkshire-and-the-humber"]}
# Local authorities (seeded too) by ONS code, with their regions: York, Camden, Glasgow.
LOCAL_AUTHORITIES = {
    "E06000014": "yorkshire-and-the-humber",
    "E09000007": "london",
    "S12000049": "scotland",
}
STAGES = ["", "exploring-opportunities", "developing-testing", "changing-systems"]
KINDS = ["", "product", "service", "policy"]
COST_BANDS = ["", "low", "medium", "high"]
EVIDENCE_LEVELS = [None, 1, 2, 3, 5]
SCALING_WAYS = ["out", "up", "deep"]
ORGANISATION_KINDS = [None, "charity", "local-authority", "nhs-body"]  # None: no lead organisation
ADOPTION_STATUSES = [
    "exploring",
    "planning",
    "piloting",
    "adopted",
    "scaled",
    "paused",
    "stopped",
]
ACTIVE = {"piloting", "adopted", "scaled"}
# Distinct stems, none of which appears in the factories' summaries or organisation names.
TITLE_WORDS = ["reading", "gardening", "cooking"]
DATES = [
    datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
    datetime.datetime(2021, 6, 1, tzinfo=datetime.UTC),
    datetime.datetime(2023, 3, 1, tzinfo=datetime.UTC),
]
UNKNOWN = "no-such-slug"

FACETS = [
    "sector",
    "beneficiary",
    "scaling_route",
    "stage",
    "kind",
    "scaling_way",
    "organisation_kind",
    "region",
    "cost_band",
    "evidence",
    "adopted",
    "adopted_in",
]
SORTS = [None, "relevance", "newest", "most_adopted", "evidence", "title"]


def subsets(values) -> st.SearchStrategy:
    return st.sets(st.sampled_from(list(values)), max_size=3).map(sorted)


innovation_specs = st.fixed_dictionaries(
    {
        "words": st.sets(st.sampled_from(TITLE_WORDS), min_size=1, max_size=3).map(sorted),
        "sectors": subsets(SECTORS),
        "beneficiaries": subsets(BENEFICIARIES),
        "routes": subsets(ROUTES),
        "regions": subsets(REGIONS),
        "stage": st.sampled_from(STAGES),
        "kind": st.sampled_from(KINDS),
        "cost_band": st.sampled_from(COST_BANDS),
        "evidence": st.sampled_from(EVIDENCE_LEVELS),
        "scaling_ways": subsets(SCALING_WAYS),
        "organisation_kind": st.sampled_from(ORGANISATION_KINDS),
        # Each adoption: its status, its region (or none) and its local authority (or none).
        # The adopters' services put the region right when an authority is named; a raw write
        # may not, and the authority's region still counts.
        "adoptions": st.lists(
            st.tuples(
                st.sampled_from(ADOPTION_STATUSES),
                st.sampled_from([None, *REGIONS]),
                st.sampled_from([None, *LOCAL_AUTHORITIES]),
            ),
            max_size=3,
        ),
        "status": st.sampled_from(["published", "published", "published", "draft", "archived"]),
        "published_at": st.sampled_from(DATES),
    }
)
catalogues = st.lists(innovation_specs, max_size=12)


def selection(values) -> st.SearchStrategy:
    """A parameter absent (empty list) or given one or two values, sometimes an unknown slug."""
    return st.one_of(
        st.just([]),
        st.lists(st.sampled_from([*values, UNKNOWN]), min_size=1, max_size=2, unique=True),
    )


filter_choices = st.fixed_dictionaries(
    {
        # One word, words joined by `or`, and several words, which the search widens to
        # most of them when no innovation has them all (issue 15).
        "q": st.sampled_from(
            [
                [],
                [],
                ["reading"],
                ["gardening"],
                ["reading or cooking"],
                ["reading gardening"],
                ["reading gardening cooking"],
                ["gardening cooking -reading"],
                ["reading or gardening cooking"],
            ]
        ),
        "sector": selection(SECTORS),
        "beneficiary": selection(BENEFICIARIES),
        "scaling_route": selection(ROUTES),
        "stage": selection(STAGES[1:]),
        "kind": selection(KINDS[1:]),
        "scaling_way": selection(SCALING_WAYS),
        "organisation_kind": selection(ORGANISATION_KINDS[1:]),
        "region": selection(REGIONS),
        "cost_band": selection(COST_BANDS[1:]),
        # Evidence levels outside 1–5 are malformed (400), not unknown: only levels here.
        "evidence": st.one_of(
            st.just([]),
            st.lists(
                st.sampled_from(["1", "2", "3", "4", "5"]), min_size=1, max_size=2, unique=True
            ),
        ),
        "adopted": st.sampled_from([[], ["yes"], ["no"]]),
        "adopted_in": selection([*REGIONS, "yorkshire-and-the-humber", *LOCAL_AUTHORITIES]),
    }
)


def query_dict(filters: dict[str, list[str]], **extra: str) -> QueryDict:
    params = QueryDict(mutable=True)
    for name, values in filters.items():
        if values:
            params.setlist(name, values)
    for name, value in extra.items():
        params[name] = value
    return params


# --- The reference ---------------------------------------------------------------------------


@dataclass
class Record:
    """What was created, as plain Python."""

    id: int
    slug: str
    title: str
    words: set[str]
    published: bool
    published_at: datetime.datetime
    sectors: set[str]
    beneficiaries: set[str]
    routes: set[str]
    regions: set[str]
    stage: str
    kind: str
    cost_band: str
    evidence: int | None
    scaling_ways: set[str]
    organisation_kind: str | None
    adoption_statuses: list[str] = field(default_factory=list)
    # (region or None, local authority's ONS code or None) of each adoption, in the same order.
    adoption_places: list[tuple[str | None, str | None]] = field(default_factory=list)

    @property
    def adoption_count(self) -> int:
        return sum(status in ACTIVE for status in self.adoption_statuses)

    def adopted_in(self) -> set[str]:
        """Where it has an active adoption: the adoptions' regions and their local authorities'
        regions, the nation of each, and the local authorities' codes."""
        found: set[str] = set()
        for status, (slug, code) in zip(self.adoption_statuses, self.adoption_places, strict=True):
            if status not in ACTIVE:
                continue
            regions = {slug, LOCAL_AUTHORITIES.get(code or "")} - {None}
            found |= {r for r in regions if r} | {NATION_OF[r] for r in regions if r in NATION_OF}
            if code:
                found.add(code)
        return found

    def places(self) -> set[str]:
        """Every region it operates in, and the nation of each of them."""
        found = set(self.regions)
        for slug in self.regions:
            if slug in NATION_OF:
                found.add(NATION_OF[slug])
        return found

    def facet_values(self, facet: str) -> set[str]:
        """The values of `facet` this innovation counts towards."""
        single = {
            "stage": self.stage,
            "kind": self.kind,
            "cost_band": self.cost_band,
            "organisation_kind": self.organisation_kind or "",
            "evidence": "" if self.evidence is None else str(self.evidence),
        }
        if facet in single:
            return {single[facet]} if single[facet] else set()
        return {
            "sector": self.sectors,
            "beneficiary": self.beneficiaries,
            "scaling_route": self.routes,
            "scaling_way": self.scaling_ways,
            "region": self.places(),
            "adopted": {"yes" if self.adoption_count else "no"},
            "adopted_in": self.adopted_in(),
        }[facet]

    def words_matched(self, q: str) -> int | None:
        """How many of the query's clauses it has, or None when it has an excluded word. The
        queries drawn are words, `a or b` and `-c`; each word is its own stem."""
        clauses, excluded = parsed(q)
        if self.words & excluded:
            return None
        return sum(bool(self.words & clause) for clause in clauses)

    def selected_by(self, facet: str, values: list[str]) -> bool:
        """Whether this innovation passes one parameter (values of a parameter OR together)."""
        if facet == "region":
            # A region selects innovations operating there; a nation also selects those
            # operating in any of its regions.
            return any(
                value in self.regions or any(NATION_OF.get(r) == value for r in self.regions)
                for value in values
            )
        if facet == "adopted":
            return (self.adoption_count >= 1) == (values[0] == "yes")
        return bool(self.facet_values(facet) & set(values))

    def passes(self, filters: dict[str, list[str]], *, ignoring: str | None = None) -> bool:
        """Whether it passes every selected facet (but `ignoring`), text aside."""
        return all(
            self.selected_by(facet, filters[facet])
            for facet in FACETS
            if facet != ignoring and filters[facet]
        )

    def matches(
        self,
        filters: dict[str, list[str]],
        *,
        ignoring: str | None = None,
        text: set[int] | None = None,
    ) -> bool:
        """Whether it is a result (`text`: the ids the text query selects; see `text_matches`)."""
        if not self.published or (text is not None and self.id not in text):
            return False
        return self.passes(filters, ignoring=ignoring)


def parsed(q: str) -> tuple[list[set[str]], set[str]]:
    """The clauses of a query drawn above (each a set of words ORed) and its excluded words."""
    clauses: list[set[str]] = []
    excluded: set[str] = set()
    either = False
    for word in q.split():
        if word == "or":
            either = True
        elif word.startswith("-"):
            excluded.add(word[1:])
        elif either:
            clauses[-1].add(word)
            either = False
        else:
            clauses.append({word})
    return clauses, excluded


def text_matches(records: list[Record], filters: dict[str, list[str]]) -> tuple[set[int], str]:
    """The ids the text selects and the kind of match, by the rule of CONTRACT.md: those with
    every word; but when the filters keep none of those and the query has two clauses or more,
    those with at least half of them."""
    published = [record for record in records if record.published]
    if not filters["q"]:
        return {record.id for record in published}, ""
    q = filters["q"][0]
    clauses, _ = parsed(q)
    every = {r.id for r in published if r.words_matched(q) == len(clauses)}
    if len(clauses) < 2 or any(r.id in every and r.passes(filters) for r in published):
        return every, "all"
    need = math.ceil(len(clauses) / 2)
    return {r.id for r in published if (r.words_matched(q) or 0) >= need}, "some"


def expected_facet(
    records: list[Record], filters: dict[str, list[str]], facet: str
) -> set[tuple[str, int, bool]]:
    """Disjunctive counts: over everything matching every selected filter except facet's own."""
    counts: Counter[str] = Counter()
    text, _ = text_matches(records, filters)
    for record in records:
        if record.matches(filters, ignoring=facet, text=text):
            counts.update(record.facet_values(facet))
    chosen = set(filters[facet])
    if facet == "adopted_in":
        # Regions are listed; local authorities only when selected (`places` counts them).
        counts = Counter(
            {v: n for v, n in counts.items() if v not in LOCAL_AUTHORITIES or v in chosen}
        )
    listed = {(value, count, value in chosen) for value, count in counts.items() if count > 0}
    listed |= {(value, 0, True) for value in chosen if counts[value] == 0}
    return listed


def engine_facet(result, facet: str) -> set[tuple[str, int, bool]]:
    return {(str(v.value), v.count, v.selected) for v in result.facets[facet]}


# --- Building a catalogue inside a savepoint that is rolled back -------------------------------


@contextmanager
def rolled_back():
    """Each example's catalogue lives in a savepoint that is always rolled back."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def build(specs: list[dict], order: list[int]) -> list[Record]:
    sectors = {slug: SectorFactory(name=name) for slug, name in SECTORS.items()}
    groups = {slug: BeneficiaryGroupFactory(name=name) for slug, name in BENEFICIARIES.items()}
    routes = {slug: ScalingRouteFactory(name=name) for slug, name in ROUTES.items()}
    regions = {slug: region(slug) for slug in REGIONS}
    assert {s: o.slug for s, o in {**sectors, **groups, **routes}.items()} == {
        s: s for s in {**SECTORS, **BENEFICIARIES, **ROUTES}
    }
    records = []
    for position, spec in zip(order, specs, strict=False):
        # Unique titles whose order is decided before the first space, in any collation.
        title = f"T{position:02d} {' '.join(spec['words'])}"
        published = spec["status"] == "published"
        innovation = InnovationFactory(
            title=title,
            status=spec["status"],
            published_at=spec["published_at"] if published else None,
            stage=spec["stage"],
            kind=spec["kind"],
            cost_band=spec["cost_band"],
            evidence_level=spec["evidence"],
            scaling_ways=spec["scaling_ways"],
            lead_organisation=OrganisationFactory(kind=spec["organisation_kind"])
            if spec["organisation_kind"]
            else None,
        )
        innovation.sectors.set([sectors[s] for s in spec["sectors"]])
        innovation.beneficiaries.set([groups[s] for s in spec["beneficiaries"]])
        innovation.scaling_routes.set([routes[s] for s in spec["routes"]])
        innovation.regions.set([regions[s] for s in spec["regions"]])
        for status, slug, code in spec["adoptions"]:
            AdoptionFactory(
                innovation=innovation,
                status=status,
                region=regions[slug] if slug else None,
                local_authority=local_authority(code) if code else None,
            )
        records.append(
            Record(
                id=innovation.id,
                slug=innovation.slug,
                title=title,
                words=set(spec["words"]),
                published=published,
                published_at=spec["published_at"],
                sectors=set(spec["sectors"]),
                beneficiaries=set(spec["beneficiaries"]),
                routes=set(spec["routes"]),
                regions=set(spec["regions"]),
                stage=spec["stage"],
                kind=spec["kind"],
                cost_band=spec["cost_band"],
                evidence=spec["evidence"],
                scaling_ways=set(spec["scaling_ways"]),
                organisation_kind=spec["organisation_kind"],
                adoption_statuses=[status for status, _, _ in spec["adoptions"]],
                adoption_places=[(slug, code) for _, slug, code in spec["adoptions"]],
            )
        )
    return records


orders = st.permutations(list(range(12)))


def expected_places(records: list[Record], filters: dict[str, list[str]]) -> dict[str, int]:
    """By local authority, the innovations matching every filter but `adopted_in` that have
    an active adoption there."""
    counts: Counter[str] = Counter()
    text, _ = text_matches(records, filters)
    for record in records:
        if record.matches(filters, ignoring="adopted_in", text=text):
            counts.update(record.adopted_in() & set(LOCAL_AUTHORITIES))
    return dict(counts)


# --- Properties --------------------------------------------------------------------------------


@property_settings
@given(specs=catalogues, order=orders, filters=filter_choices)
def test_total_and_every_facet_count_match_the_brute_force_reference(specs, order, filters):
    with rolled_back():
        records = build(specs, order)
        result = search(query_dict(filters))

        text, match = text_matches(records, filters)
        expected_total = sum(record.matches(filters, text=text) for record in records)
        assert result.count == expected_total
        assert result.match == (match or None)
        for facet in FACETS:
            assert engine_facet(result, facet) == expected_facet(records, filters, facet), facet
        assert result.places == {}  # not asked for


@property_settings
@given(specs=catalogues, order=orders, filters=filter_choices)
def test_counts_by_local_authority_match_the_brute_force_reference(specs, order, filters):
    with rolled_back():
        records = build(specs, order)
        result = search(query_dict(filters), places=True)

        text, _ = text_matches(records, filters)
        assert result.places == expected_places(records, filters)
        assert result.count == sum(record.matches(filters, text=text) for record in records)
        assert engine_facet(result, "adopted_in") == expected_facet(records, filters, "adopted_in")


@property_settings
@given(specs=catalogues, order=orders, filters=filter_choices)
def test_drafts_and_archived_innovations_never_count_in_any_facet(specs, order, filters):
    with rolled_back():
        records = build(specs, order)
        published_only = [record for record in records if record.published]
        result = search(query_dict(filters))

        # Counting over the published records alone gives the engine's numbers exactly.
        text, _ = text_matches(published_only, filters)
        assert result.count == sum(record.matches(filters, text=text) for record in published_only)
        for facet in FACETS:
            assert engine_facet(result, facet) == expected_facet(published_only, filters, facet)


def expected_order(records: list[Record], sort: str) -> list[str]:
    """The contract's sorts made total with the engine's documented tie-breaks."""
    keys = {
        "newest": lambda r: (-r.published_at.timestamp(), -r.id),
        "most_adopted": lambda r: (-r.adoption_count, r.title, r.id),
        "evidence": lambda r: (r.evidence is None, -(r.evidence or 0), r.title, r.id),
        "title": lambda r: (r.title, r.id),
    }
    return [r.slug for r in sorted(records, key=keys[sort])]


@property_settings
@given(
    specs=catalogues,
    order=orders,
    filters=filter_choices,
    sort=st.sampled_from(SORTS),
    page_size=st.integers(min_value=1, max_value=5),
)
def test_pages_together_hold_exactly_the_matching_innovations_for_every_sort(
    specs, order, filters, sort, page_size
):
    with rolled_back():
        records = build(specs, order)
        extra = {"page_size": str(page_size)}
        if sort:
            extra["sort"] = sort
        seen: list[str] = []
        seen_ids: list[int] = []
        first = search(query_dict(filters, **extra))
        for page in range(1, first.num_pages + 2):  # one page past the last, which is empty
            result = search(query_dict(filters, **extra, page=str(page)))
            assert len(result.results) <= page_size
            seen += [innovation.slug for innovation in result.results]
            seen_ids += [innovation.id for innovation in result.results]
        # What the CSV export and the feed read: the pages, concatenated.
        assert ordered_ids(criteria(query_dict(filters, **extra))) == seen_ids

        text, match = text_matches(records, filters)
        matching = [record for record in records if record.matches(filters, text=text)]
        assert len(seen) == len(set(seen)) == first.count  # no innovation twice, none lost
        assert set(seen) == {record.slug for record in matching}
        effective = sort or ("relevance" if filters["q"] else "newest")
        if effective == "relevance" and not filters["q"]:
            effective = "newest"
        if effective != "relevance":
            assert seen == expected_order(matching, effective)
        elif match == "some":
            # Widened: those with more of the words first.
            by_slug = {record.slug: record for record in matching}
            had = [by_slug[slug].words_matched(filters["q"][0]) for slug in seen]
            assert had == sorted(had, reverse=True)


# --- Any query text ------------------------------------------------------------------------------

query_texts = st.one_of(
    # Control characters other than tab and line breaks are refused with a 400 (tested in
    # tests/catalogue/test_pages.py); everything else must give a consistent result.
    st.text(
        st.characters(
            blacklist_characters="".join(map(chr, [*range(0, 9), 11, 12, *range(14, 32)])),
            blacklist_categories=["Cs"],
        ),
        max_size=60,
    ),
    # Pieces of tsquery and web-search syntax, shuffled together.
    st.lists(
        st.sampled_from(
            ['"', "-", "or", "OR", "&", "|", "!", ":*", "(", ")", "<->", "'", "\\", "reading", " "]
        ),
        max_size=12,
    ).map("".join),
)


@pytest.fixture
def small_catalogue():
    for title, summary in [
        ("Shared reading", "Groups read <em>stories</em> & poems aloud."),
        ("Homework club", "Volunteers help children after school."),
        ("Reading buddies", "Older readers pair with children."),
    ]:
        InnovationFactory(title=title, summary=summary)
    InnovationFactory(title="Secret reading draft", summary="Drafted.", draft=True)


@property_settings
@given(q=query_texts)
def test_any_query_text_gives_a_consistent_result(small_catalogue, q):
    result = search(query_dict({"q": [q]}))

    assert 0 <= result.count <= 3
    assert len(result.results) == result.count  # all fit on the first page
    assert "secret-reading-draft" not in {i.slug for i in result.results}
    # With nothing selected, no facet value can count more innovations than were found.
    for facet in FACETS:
        assert all(0 < value.count <= result.count for value in result.facets[facet])
    for innovation in result.results:
        if innovation.highlight is not None:
            unmarked = innovation.highlight.replace("<mark>", "").replace("</mark>", "")
            assert "<" not in unmarked
            assert ">" not in unmarked
    if result.count:
        assert result.suggestions == []
