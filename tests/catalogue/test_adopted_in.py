"""`adopted_in`: where an innovation has an active adoption (piloting, adopted or scaled), by
region (a nation selects its regions) or by local authority's ONS code, on the page, in the
API, the CSV and the feed; and the counts by local authority that the map reads."""

from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from adopters import services
from catalogue.search import search
from tests.catalogue.test_search_exports import CSV_URL, FEED_URL, csv_rows, entry_slugs, feed
from tests.factories import AdoptionFactory, InnovationFactory, local_authority, region

pytestmark = pytest.mark.django_db

API = "/api/v1/innovations/"
PAGE = "/innovations/"


def params(**values) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in values.items():
        query.setlist(name, value if isinstance(value, list) else [value])
    return query


def api(client, query: dict | None = None, status: int = 200) -> dict:
    response = client.get(API, {"page_size": 100, **(query or {})})
    assert response.status_code == status, response.content
    return response.json()


def slugs(client, **query) -> set[str]:
    return {r["slug"] for r in api(client, query)["results"]}


@pytest.fixture
def places():
    """York's homeshare (adopted in York), Glasgow's tool (piloting in Glasgow), a club only
    explored in Camden, and a scheme adopted in Wales with no local authority named."""
    homeshare = InnovationFactory(title="Homeshare")
    AdoptionFactory(
        innovation=homeshare,
        status="adopted",
        region=region("yorkshire-and-the-humber"),
        local_authority=local_authority("E06000014"),
    )
    tool = InnovationFactory(title="Digital tool")
    AdoptionFactory(
        innovation=tool,
        status="piloting",
        region=region("scotland"),
        local_authority=local_authority("S12000049"),
    )
    club = InnovationFactory(title="Homework club")
    AdoptionFactory(
        innovation=club,
        status="exploring",
        region=region("london"),
        local_authority=local_authority("E09000007"),
    )
    scheme = InnovationFactory(title="Welsh scheme")
    AdoptionFactory(innovation=scheme, status="scaled", region=region("wales"))
    InnovationFactory(title="Draft in York", draft=True).adoptions.create(
        organisation=homeshare.adoptions.get().organisation,
        status="adopted",
        local_authority=local_authority("E06000014"),
    )
    return {"homeshare": homeshare, "tool": tool, "club": club, "scheme": scheme}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["E06000014"], {"homeshare"}),
        (["yorkshire-and-the-humber"], {"homeshare"}),
        (["england"], {"homeshare"}),  # a nation selects its regions
        (["scotland"], {"digital-tool"}),
        (["E06000014", "wales"], {"homeshare", "welsh-scheme"}),  # repeated: OR
        (["london"], set()),  # only explored there
        (["E09000007"], set()),
        (["E99999999"], set()),  # unknown: selects nothing
        (["atlantis"], set()),
    ],
)
def test_adopted_in_matches_innovations_with_an_active_adoption_there(
    client, places, value, expected
):
    assert slugs(client, adopted_in=value) == expected


def test_the_facet_lists_regions_and_nations_with_disjunctive_counts(client, places):
    facet = api(client, {"adopted_in": "scotland"})["facets"]["adopted_in"]

    assert {(v["value"], v["label"], v["count"], v["selected"]) for v in facet} == {
        ("yorkshire-and-the-humber", "Yorkshire and the Humber", 1, False),
        ("england", "England", 1, False),
        ("scotland", "Scotland", 1, True),
        ("wales", "Wales", 1, False),
    }


def test_a_selected_local_authority_is_listed_by_name_and_others_never(client, places):
    facet = api(client, {"adopted_in": ["E06000014", "E09000007"]})["facets"]["adopted_in"]

    listed = {(v["value"], v["label"], v["count"], v["selected"]) for v in facet}
    assert ("E06000014", "York", 1, True) in listed
    assert ("E09000007", "Camden", 0, True) in listed  # selected, at zero, named
    assert not any(v["value"] == "S12000049" for v in facet)


def test_counts_by_local_authority_come_only_when_asked_for(places):
    assert search(params()).places == {}
    assert search(params(), places=True).places == {"E06000014": 1, "S12000049": 1}
    # Disjunctive, like the facet: choosing a place keeps the others on the map.
    assert search(params(adopted_in="E06000014"), places=True).places == {
        "E06000014": 1,
        "S12000049": 1,
    }
    assert search(params(q="homeshare"), places=True).places == {"E06000014": 1}


def test_a_change_of_status_moves_an_innovation_in_and_out(client, places, curator):
    (adoption,) = places["club"].adoptions.all()
    assert slugs(client, adopted_in="london") == set()

    services.change_status(adoption, "piloting", by=curator)
    assert slugs(client, adopted_in="london") == {"homework-club"}
    assert slugs(client, adopted_in="E09000007") == {"homework-club"}

    services.change_status(adoption, "stopped", by=curator)
    assert slugs(client, adopted_in="london") == set()


def test_moving_an_adoption_moves_where_it_is_adopted(client, places, curator):
    (adoption,) = places["homeshare"].adoptions.all()

    services.edit_adoption(
        adoption,
        {"local_authority": local_authority("S12000049")},
        status="adopted",
        by=curator,
    )

    assert slugs(client, adopted_in="E06000014") == set()
    assert slugs(client, adopted_in="england") == set()
    assert slugs(client, adopted_in="S12000049") == {"homeshare", "digital-tool"}


def test_a_local_authority_counts_in_its_region_even_when_the_region_was_not_written(client):
    innovation = InnovationFactory(title="Raw")
    AdoptionFactory(
        innovation=innovation, status="adopted", local_authority=local_authority("E06000014")
    )

    assert slugs(client, adopted_in="yorkshire-and-the-humber") == {"raw"}


@pytest.mark.parametrize(
    "value", ["york\x00", "E0600001\x01", "x" * 51], ids=["nul", "control", "too-long"]
)
def test_a_malformed_place_is_a_400_naming_the_parameter(client, value):
    assert "adopted_in" in api(client, {"adopted_in": value}, status=400)
    assert client.get(PAGE, {"adopted_in": value}).status_code == 400
    assert client.get(CSV_URL, {"adopted_in": value}).status_code == 400
    assert client.get(FEED_URL, {"adopted_in": value}).status_code == 400


@pytest.mark.parametrize(
    "query", [{"adopted_in": ["E06000014", "wales"]}, {"adopted_in": "england", "q": "homeshare"}]
)
def test_page_api_csv_and_feed_agree(client, places, query):
    from_api = slugs(client, **query)
    page = client.get(PAGE, query).context["result"]
    from_csv = {row["slug"] for row in csv_rows(client.get(CSV_URL, query))}
    from_feed = set(entry_slugs(feed(client, query)))

    assert from_api == {hit.slug for hit in page.results} == from_csv == from_feed
    assert from_api
    assert page.facets == search(QueryDict(urlencode(query, doseq=True))).facets


def test_the_page_shows_the_facet_and_its_chosen_place(client, places):
    html = client.get(PAGE, {"adopted_in": "E06000014"}).content.decode()

    assert "Where it has been adopted" in html
    assert 'name="adopted_in" value="E06000014" checked' in html
    assert "Remove this filter: Where it has been adopted:</span> York" in html


def test_a_search_by_place_is_still_one_statement(client, places, django_assert_num_queries):
    with django_assert_num_queries(1):
        api(client, {"adopted_in": ["E06000014", "england"], "sector": "health"})
    with django_assert_num_queries(1):
        search(params(adopted_in="wales"), places=True)
