"""`GET /api/v1/innovations/` does what shared/CONTRACT.md ("Search API") says, to the letter."""

import datetime
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AdoptionFactory,
    BeneficiaryGroupFactory,
    InnovationFactory,
    OrganisationFactory,
    ScalingRouteFactory,
    SectorFactory,
    region,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/innovations/"
# The contract's keys, and its December 2026 additions (`match`, `corrected_q`).
RESPONSE_KEYS = {
    "count",
    "next",
    "previous",
    "results",
    "facets",
    "suggestions",
    "match",
    "corrected_q",
}
RESULT_KEYS = {
    "slug",
    "title",
    "summary",
    "url",
    "api_url",
    "stage",
    "kind",
    "evidence_level",
    "adoption_count",
    "sectors",
    "lead_organisation",
    "highlight",
}
FACET_KEYS = [
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
    "adopted_in",  # added (contract, December 2026)
]
FACET_VALUE_KEYS = {"value", "label", "count", "selected"}

SHARED = "shared-reading"
HOMEWORK = "homework-club"
DISCHARGE = "digital-discharge-planning"
BEFRIENDING = "national-befriending-line"
DRAFT = "secret-reading-draft"


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def catalogue():
    """Four published innovations that differ on every facet, and a draft like the first."""
    health = SectorFactory(name="Health")
    education = SectorFactory(name="Education")
    older = BeneficiaryGroupFactory(name="Older people")
    carers = BeneficiaryGroupFactory(name="Carers")
    replication = ScalingRouteFactory(name="Replication through partners")
    growth = ScalingRouteFactory(name="Organisational growth")

    shared = InnovationFactory(
        title="Shared reading",
        summary="Groups read stories and poems aloud.",
        stage="growing-scaling-spreading",
        kind="service",
        scaling_ways=["out", "deep"],
        cost_band="low",
        evidence_level=2,
        lead_organisation=OrganisationFactory(name="The Reader", kind="charity"),
        published_at=days_ago(30),
    )
    shared.sectors.add(health)
    shared.beneficiaries.add(older)
    shared.scaling_routes.add(replication)
    shared.regions.add(region("london"))
    AdoptionFactory(innovation=shared, status="adopted")

    homework = InnovationFactory(
        title="Homework club",
        summary="Volunteers help children with homework after school.",
        stage="developing-testing",
        kind="programme",
        scaling_ways=["up"],
        cost_band="medium",
        evidence_level=4,
        lead_organisation=OrganisationFactory(name="Fife Council", kind="local-authority"),
        published_at=days_ago(20),
    )
    homework.sectors.add(education)
    homework.beneficiaries.add(carers)
    homework.scaling_routes.add(growth)
    homework.regions.add(region("scotland"))
    AdoptionFactory(innovation=homework, status="exploring")  # not counted: not active

    discharge = InnovationFactory(
        title="Digital discharge planning",
        summary="Hospitals plan discharge with families online.",
        stage="changing-systems",
        kind="digital-tool",
        scaling_ways=["out"],
        cost_band="high",
        evidence_level=None,
        lead_organisation=OrganisationFactory(name="Northern NHS Trust", kind="nhs-body"),
        published_at=days_ago(10),
    )
    discharge.sectors.add(health, education)
    discharge.beneficiaries.add(carers)
    discharge.regions.add(region("north-west"), region("wales"))
    AdoptionFactory(innovation=discharge, status="piloting")
    AdoptionFactory(innovation=discharge, status="scaled")

    befriending = InnovationFactory(
        title="National befriending line",
        summary="A telephone befriending service across the country.",
        evidence_level=1,
        lead_organisation=None,
        published_at=days_ago(5),
    )
    befriending.regions.add(region("england"))

    draft = InnovationFactory(
        draft=True,
        title="Secret reading draft",
        summary="Groups read poems aloud in secret.",
        stage="growing-scaling-spreading",
        kind="service",
        scaling_ways=["out"],
        cost_band="low",
        evidence_level=2,
        lead_organisation=OrganisationFactory(name="Hidden Charity", kind="charity"),
    )
    draft.sectors.add(health)
    draft.beneficiaries.add(older)
    draft.regions.add(region("london"))
    AdoptionFactory(innovation=draft, status="adopted")
    return {"shared": shared, "homework": homework, "discharge": discharge, "draft": draft}


def get(client, params=None, status=200):
    response = client.get(URL, params or {})
    assert response.status_code == status, response.content
    return response.json()


def slugs(data) -> list[str]:
    return [result["slug"] for result in data["results"]]


def facet(data, name: str) -> dict:
    """A facet as {value: (count, selected)}."""
    return {str(v["value"]): (v["count"], v["selected"]) for v in data["facets"][name]}


# --- Shape -------------------------------------------------------------------------------------


def test_response_has_exactly_the_contract_keys(client, catalogue):
    assert set(get(client)) == RESPONSE_KEYS


def test_each_result_has_exactly_the_contract_keys(client, catalogue):
    data = get(client)
    assert data["results"]
    for result in data["results"]:
        assert set(result) == RESULT_KEYS


def test_result_values_follow_the_contract(client, catalogue):
    result = next(r for r in get(client)["results"] if r["slug"] == SHARED)
    assert result["title"] == "Shared reading"
    assert result["summary"] == "Groups read stories and poems aloud."
    assert result["url"] == "/innovations/shared-reading/"
    assert result["api_url"] == "/api/v1/innovations/shared-reading/"
    assert result["stage"] == "growing-scaling-spreading"
    assert result["kind"] == "service"
    assert result["evidence_level"] == 2
    assert result["adoption_count"] == 1
    assert result["sectors"] == [{"slug": "health", "name": "Health"}]
    assert result["lead_organisation"] == {"name": "The Reader", "kind": "charity"}


def test_adoption_count_counts_only_piloting_adopted_and_scaled(client, catalogue):
    counts = {r["slug"]: r["adoption_count"] for r in get(client)["results"]}
    assert counts == {SHARED: 1, HOMEWORK: 0, DISCHARGE: 2, BEFRIENDING: 0}


def test_every_facet_key_is_present_even_when_empty(client):
    data = get(client)
    assert list(data["facets"]) == FACET_KEYS
    assert all(values == [] for values in data["facets"].values())


def test_every_facet_value_has_value_label_count_and_selected(client, catalogue):
    data = get(client, {"sector": "health"})
    values = [value for values in data["facets"].values() for value in values]
    assert values
    assert all(set(value) == FACET_VALUE_KEYS for value in values)
    assert {"value": "health", "label": "Health", "count": 2, "selected": True} in data["facets"][
        "sector"
    ]


# --- Each parameter filters ----------------------------------------------------------------------


def test_q_finds_innovations_by_their_words(client, catalogue):
    assert slugs(get(client, {"q": "poems"})) == [SHARED]


def test_q_takes_web_search_syntax(client, catalogue):
    assert set(slugs(get(client, {"q": "poems or homework"}))) == {SHARED, HOMEWORK}
    assert slugs(get(client, {"q": '"stories and poems"'})) == [SHARED]
    assert slugs(get(client, {"q": '"poems and stories"'})) == []
    assert SHARED not in slugs(get(client, {"q": "-poems"}))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sector": "health"}, {SHARED, DISCHARGE}),
        ({"beneficiary": "carers"}, {HOMEWORK, DISCHARGE}),
        ({"scaling_route": "organisational-growth"}, {HOMEWORK}),
        ({"stage": "developing-testing"}, {HOMEWORK}),
        ({"kind": "digital-tool"}, {DISCHARGE}),
        ({"scaling_way": "out"}, {SHARED, DISCHARGE}),
        ({"organisation_kind": "charity"}, {SHARED}),
        ({"region": "london"}, {SHARED}),
        ({"region": "scotland"}, {HOMEWORK}),
        ({"cost_band": "high"}, {DISCHARGE}),
        ({"evidence": "4"}, {HOMEWORK}),
        ({"adopted": "yes"}, {SHARED, DISCHARGE}),
        ({"adopted": "no"}, {HOMEWORK, BEFRIENDING}),
    ],
    ids=lambda v: "&".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else "",
)
def test_each_parameter_selects_exactly_the_matching_innovations(
    client, catalogue, params, expected
):
    data = get(client, params)
    assert set(slugs(data)) == expected
    assert data["count"] == len(expected)


def test_region_nation_england_selects_its_regions_and_england_itself(client, catalogue):
    # london and north-west are English regions; the befriending line operates in england.
    assert set(slugs(get(client, {"region": "england"}))) == {SHARED, DISCHARGE, BEFRIENDING}


def test_a_region_does_not_select_innovations_operating_only_in_its_nation(client, catalogue):
    assert BEFRIENDING not in slugs(get(client, {"region": "london"}))


def test_region_facet_counts_each_region_and_its_nation(client, catalogue):
    assert facet(get(client), "region") == {
        "london": (1, False),
        "north-west": (1, False),
        "england": (3, False),
        "wales": (1, False),
        "scotland": (1, False),
    }


def test_values_of_one_parameter_combine_with_or(client, catalogue):
    data = get(client, {"sector": ["health", "education"]})
    assert set(slugs(data)) == {SHARED, HOMEWORK, DISCHARGE}
    data = get(client, {"stage": ["developing-testing", "changing-systems"]})
    assert set(slugs(data)) == {HOMEWORK, DISCHARGE}


def test_a_repeated_adopted_selects_both_whatever_the_order(client, catalogue):
    both = get(client, {"adopted": ["yes", "no"]})
    assert both["count"] == 4
    assert get(client, {"adopted": ["no", "yes"]})["count"] == 4
    assert facet(both, "adopted") == {"yes": (2, True), "no": (2, True)}
    # A bad value beside good ones is still a 400 naming the parameter.
    refused = get(client, {"adopted": ["yes", "maybe"]}, status=400)
    assert "adopted" in str(refused)


def test_different_parameters_combine_with_and(client, catalogue):
    assert slugs(get(client, {"sector": "health", "adopted": "yes", "region": "wales"})) == [
        DISCHARGE
    ]
    assert get(client, {"sector": "health", "region": "scotland"})["count"] == 0


def test_facet_counts_are_disjunctive(client, catalogue):
    data = get(client, {"sector": "health"})
    # Sector is counted without its own selection; the others within it.
    assert facet(data, "sector") == {"health": (2, True), "education": (2, False)}
    assert facet(data, "stage") == {
        "growing-scaling-spreading": (1, False),
        "changing-systems": (1, False),
    }
    assert facet(data, "adopted") == {"yes": (2, False)}


@pytest.mark.parametrize(
    ("name", "unknown"),
    [("sector", "no-such-sector"), ("stage", "no-such-stage"), ("region", "atlantis")],
)
def test_unknown_slug_gives_zero_results_and_is_listed_selected_at_zero(
    client, catalogue, name, unknown
):
    data = get(client, {name: unknown})
    assert data["count"] == 0
    assert data["results"] == []
    assert facet(data, name)[unknown] == (0, True)


def test_unknown_slug_beside_a_known_one_selects_what_the_known_one_does(client, catalogue):
    data = get(client, {"sector": ["health", "no-such-sector"]})
    assert set(slugs(data)) == {SHARED, DISCHARGE}
    assert facet(data, "sector")["no-such-sector"] == (0, True)


def test_selected_known_value_is_listed_even_at_zero(client, catalogue):
    data = get(client, {"sector": "education", "kind": "service"})
    assert data["count"] == 0
    # Within education nothing is a service, and no service is in education: both at zero.
    assert facet(data, "kind")["service"] == (0, True)
    assert facet(data, "sector")["education"] == (0, True)


# --- Malformed values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("evidence", "seven"),
        ("evidence", "7"),
        ("page", "0"),
        ("page", "abc"),
        ("page_size", "0"),
        ("page_size", "1000"),
        ("adopted", "maybe"),
        ("sort", "random"),
        ("q", "reading\x00groups"),
        ("sector", "health\x00"),
        ("page", "1\x00"),
    ],
    ids=repr,
)
def test_malformed_value_is_a_400_naming_the_parameter(client, catalogue, name, value):
    body = get(client, {name: value}, status=400)
    assert name in body
    assert body[name]  # with a message


def test_page_sizes_of_one_and_a_hundred_are_accepted(client, catalogue):
    assert len(get(client, {"page_size": "1"})["results"]) == 1
    assert len(get(client, {"page_size": "100"})["results"]) == 4


# --- Sorting -----------------------------------------------------------------------------------


def test_default_sort_without_q_is_newest_first(client, catalogue):
    assert slugs(get(client)) == [BEFRIENDING, DISCHARGE, HOMEWORK, SHARED]


def test_sort_relevance_without_q_falls_back_to_newest(client, catalogue):
    assert slugs(get(client, {"sort": "relevance"})) == [BEFRIENDING, DISCHARGE, HOMEWORK, SHARED]


def test_sort_most_adopted(client, catalogue):
    assert slugs(get(client, {"sort": "most_adopted"})) == [
        DISCHARGE,
        SHARED,
        HOMEWORK,
        BEFRIENDING,
    ]


def test_sort_evidence_puts_the_strongest_first_and_unknown_last(client, catalogue):
    assert slugs(get(client, {"sort": "evidence"})) == [HOMEWORK, SHARED, BEFRIENDING, DISCHARGE]


def test_sort_title(client, catalogue):
    assert slugs(get(client, {"sort": "title"})) == [DISCHARGE, HOMEWORK, BEFRIENDING, SHARED]


@pytest.fixture
def title_and_body_matches():
    """An older innovation with the word in its title, a newer one with it only in the body."""
    InnovationFactory(
        title="Reading buddies", summary="Pairs meet weekly.", published_at=days_ago(9)
    )
    InnovationFactory(
        title="Night shelter",
        summary="Beds for the night.",
        problem="Guests had no reading glasses.",
        published_at=days_ago(1),
    )


def test_default_sort_with_q_is_relevance(client, title_and_body_matches):
    assert slugs(get(client, {"q": "reading"})) == ["reading-buddies", "night-shelter"]


def test_sort_newest_with_q_overrides_relevance(client, title_and_body_matches):
    data = get(client, {"q": "reading", "sort": "newest"})
    assert slugs(data) == ["night-shelter", "reading-buddies"]


# --- Paging ------------------------------------------------------------------------------------


def query(link: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link).query)


def test_page_size_limits_the_page_and_next_links_the_following_page(client, catalogue):
    data = get(client, {"page_size": "3", "sort": "title"})
    assert data["count"] == 4
    assert slugs(data) == [DISCHARGE, HOMEWORK, BEFRIENDING]
    assert data["previous"] is None
    assert urlsplit(data["next"]).path == URL
    assert query(data["next"]) == {"page_size": ["3"], "sort": ["title"], "page": ["2"]}


def test_last_page_has_a_previous_link_and_no_next(client, catalogue):
    data = get(client, {"page_size": "3", "sort": "title", "page": "2"})
    assert slugs(data) == [SHARED]
    assert data["next"] is None
    assert query(data["previous"]) == {"page_size": ["3"], "sort": ["title"], "page": ["1"]}


def test_following_next_links_visits_every_result_once(client, catalogue):
    seen, data = [], get(client, {"page_size": "1", "sector": ["health", "education"]})
    while True:
        seen += slugs(data)
        if not data["next"]:
            break
        data = get(client, {k: v for k, v in query(data["next"]).items()})
    assert sorted(seen) == sorted({SHARED, HOMEWORK, DISCHARGE})


def test_a_page_beyond_the_last_is_empty_not_an_error(client, catalogue):
    data = get(client, {"page": "9"})
    assert data["count"] == 4
    assert data["results"] == []
    assert data["next"] is None


def test_a_page_far_beyond_the_last_is_empty_not_an_error(client, catalogue):
    data = get(client, {"page": "100001"})
    assert data["count"] == 4
    assert data["results"] == []


def test_default_page_size_is_twenty(client):
    for n in range(21):
        InnovationFactory(title=f"Innovation number {n}")
    data = get(client)
    assert data["count"] == 21
    assert len(data["results"]) == 20
    assert data["next"] is not None


# --- Highlights and suggestions ------------------------------------------------------------------


def test_highlight_marks_the_matched_words(client, catalogue):
    (result,) = get(client, {"q": "poems"})["results"]
    assert "<mark>poems</mark>" in result["highlight"]


def test_highlight_escapes_html_in_the_summary(client):
    InnovationFactory(
        title="Fish suppers",
        summary='Fish & chips for 3 < 5 pounds <script>alert("x")</script> with poems.',
    )
    (result,) = get(client, {"q": "poems"})["results"]
    highlight = result["highlight"]
    assert "<mark>poems</mark>" in highlight
    assert "&amp; chips" in highlight
    assert "3 &lt; 5" in highlight
    assert "<script" not in highlight
    # Once the marks are gone, nothing that a browser would read as markup is left.
    assert not re.search(r"[<>]", re.sub(r"</?mark>", "", highlight))


def test_highlight_marks_only_matched_words_whatever_the_text_contains(client):
    InnovationFactory(title="Odd text", summary="Poems read \ue000aloud\ue001 and \ue000oops.")
    (result,) = get(client, {"q": "poems"})["results"]
    highlight = result["highlight"]
    assert highlight.count("<mark>") == highlight.count("</mark>")
    assert [w.lower() for w in re.findall(r"<mark>(.*?)</mark>", highlight)] == ["poems"]


def test_suggestions_respell_the_query_with_title_words_when_nothing_matches(client, catalogue):
    data = get(client, {"q": "shraed raeding"})
    assert data["count"] == 0
    assert data["suggestions"][0] == "shared reading"
    # and the suggestion finds what was meant
    assert get(client, {"q": data["suggestions"][0]})["count"] >= 1


def test_no_suggestions_when_the_query_finds_something(client, catalogue):
    assert get(client, {"q": "poems"})["suggestions"] == []


def test_suggestions_never_offer_a_draft_title(client, catalogue):
    data = get(client, {"q": "secrte raeding drfat"})
    assert data["count"] == 0
    assert not any("secret" in s.lower() or "draft" in s.lower() for s in data["suggestions"])


# --- Drafts --------------------------------------------------------------------------------------


def test_drafts_never_appear_in_results(client, catalogue):
    assert DRAFT not in slugs(get(client, {"page_size": "100"}))
    assert get(client, {"q": "secret"})["count"] == 0


def test_drafts_never_count_in_facets(client, catalogue):
    data = get(client)
    assert data["count"] == 4
    assert facet(data, "sector")["health"] == (2, False)
    assert facet(data, "organisation_kind")["charity"] == (1, False)
    assert facet(data, "region")["london"] == (1, False)


def test_archived_innovations_never_appear(client, catalogue):
    InnovationFactory(title="Old archived scheme", status="archived")
    data = get(client, {"q": "archived"})
    assert data["count"] == 0


# --- Facet counting edge cases -----------------------------------------------------------------


def test_scaling_way_facet_counts_innovations_not_array_entries(client):
    InnovationFactory(title="Repeated way", scaling_ways=["out", "out"])
    data = get(client)
    assert data["count"] == 1
    assert facet(data, "scaling_way") == {"out": (1, False)}


# --- Queries -----------------------------------------------------------------------------------


def count_queries(client, params) -> int:
    get(client, params)  # warm up anything done once per process
    with CaptureQueriesContext(connection) as captured:
        data = get(client, params)
    assert data["results"]
    return len(captured.captured_queries)


@pytest.fixture
def many_innovations(catalogue):
    for n in range(60):
        innovation = InnovationFactory(title=f"Extra innovation {n}", stage="changing-systems")
        innovation.sectors.add(catalogue["shared"].sectors.get())


def test_queries_do_not_grow_with_the_page_size(client, many_innovations):
    one = count_queries(client, {"page_size": "1"})
    fifty = count_queries(client, {"page_size": "50"})
    assert one == fifty
    assert fifty <= 3  # totals and facets, the page, the page's sectors


def test_queries_do_not_grow_with_the_facets_selected(client, many_innovations):
    none = count_queries(client, {})
    four = count_queries(
        client,
        {
            "sector": "health",
            "stage": "changing-systems",
            "kind": ["digital-tool", "service"],
            "region": "england",
        },
    )
    assert none == four


def test_a_search_is_one_statement(client, many_innovations, django_assert_num_queries):
    # Counts, the page of results, their organisations and sectors: one round trip.
    with django_assert_num_queries(1):
        data = client.get(URL, {"sector": "health", "page_size": "50"}).json()
    assert data["results"]


def test_a_text_search_reads_its_words_first(client, many_innovations, django_assert_num_queries):
    # One statement reads the words (corrections, synonyms, joined words), one searches,
    # however many words the query has and whether or not it is widened.
    for q in ["innovation", "innovation health", "innovatoin zzzzqqq"]:
        with django_assert_num_queries(2):
            data = client.get(URL, {"q": q, "sector": "health", "page_size": "50"}).json()
        assert data["results"], q


def test_suggestions_take_one_more_statement(client, many_innovations, django_assert_num_queries):
    with django_assert_num_queries(3):
        data = client.get(URL, {"q": "qqqqzzzz"}).json()
    assert data["count"] == 0


# --- The page and the API agree ------------------------------------------------------------------


@pytest.mark.parametrize(
    "query_string",
    [
        "",
        "sector=health",
        "sector=health&sector=education&adopted=yes",
        "region=england&evidence=1&evidence=2",
        "q=poems",
        "stage=no-such-stage",
        "kind=service&page=2&page_size=1&sort=title",
    ],
)
def test_page_and_api_agree_on_count_and_facets(client, catalogue, query_string):
    data = client.get(f"{URL}?{query_string}").json()
    response = client.get(f"{reverse('catalogue:innovation-list')}?{query_string}")
    assert response.status_code == 200
    result = response.context["result"]
    assert result.count == data["count"]
    page_facets = {
        name: [
            {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}
            for v in values
        ]
        for name, values in result.facets.items()
    }
    assert page_facets == data["facets"]
    assert [i.slug for i in result.results] == slugs(data)


def test_page_shows_the_facet_counts_the_api_gives(client, catalogue):
    data = get(client, {"sector": "health"})
    html = client.get(reverse("catalogue:innovation-list"), {"sector": "health"}).content.decode()
    for values in data["facets"].values():
        for value in values:
            assert value["label"] in html
    assert f"<strong>{data['count']}</strong>" in html


def test_a_page_number_too_large_for_the_database_is_a_400(client):
    # Found by schemathesis: page=10**20 became an OFFSET beyond bigint (a 500).
    response = client.get(URL, {"page": str(10**20)})
    assert response.status_code == 400
    assert "page" in response.json()


def test_deleting_a_vocabulary_value_leaves_searches_working(client):
    # Found in review: a deleted sector's key stayed in the facet table at zero, without a
    # name, and sorting the sector facet compared None with a name (a 500).
    alpha, beta, gamma = (SectorFactory(name=n) for n in ("Alpha", "Beta", "Gamma"))
    first, second = InnovationFactory(stage="changing-systems"), InnovationFactory()
    first.sectors.add(alpha, beta)
    second.sectors.add(gamma)
    beta.delete()
    for params in ({}, {"stage": "changing-systems"}, {"q": "innovation"}, {"sector": "beta"}):
        response = client.get(URL, params)
        assert response.status_code == 200, params
        sectors = {v["value"] for v in response.json()["facets"]["sector"]}
        assert "beta" not in sectors or params == {"sector": "beta"}


# --- The schema ----------------------------------------------------------------------------------


def test_the_schema_describes_every_search_parameter(client):
    """Generated from the declaration of the facets and sorts (catalogue/facets.py); this says
    what it must come to, independently of it."""
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/innovations/"]["get"]
    described = {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}
    assert set(described) == {
        "q",
        *FACET_KEYS,
        "sort",
        "as_typed",
        "modified_since",
        "page",
        "page_size",
        "format",
    }
    slug = {"type": "string", "pattern": "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]*$"}
    for name in ("sector", "beneficiary", "scaling_route", "region"):
        assert described[name] == {"type": "array", "items": slug}, name
    enums = {
        "stage": ["exploring-opportunities", "generating-ideas", "developing-testing",
                  "making-the-case", "delivering-implementing", "growing-scaling-spreading",
                  "changing-systems"],
        "kind": ["product", "service", "programme", "organisational-model", "delivery-approach",
                 "digital-tool", "policy"],
        "scaling_way": ["out", "up", "deep"],
        "organisation_kind": ["local-authority", "nhs-body", "central-government", "charity",
                              "social-enterprise", "community-group", "university", "business",
                              "other"],
        "cost_band": ["low", "medium", "high"],
    }  # fmt: skip
    for name, values in enums.items():
        assert described[name] == {"type": "array", "items": {"type": "string", "enum": values}}
    assert described["evidence"] == {
        "type": "array",
        "items": {"type": "integer", "minimum": 1, "maximum": 5},
    }
    assert described["adopted"] == {
        "type": "array",
        "items": {"type": "string", "enum": ["yes", "no"]},
    }
    assert described["sort"]["type"] == "string"
    assert sorted(described["sort"]["enum"]) == sorted(
        ["relevance", "newest", "most_adopted", "evidence", "title"]
    )
    assert described["q"]["maxLength"] == 500
    facets = schema["components"]["schemas"]["Facets"]["properties"]
    assert list(facets) == FACET_KEYS
