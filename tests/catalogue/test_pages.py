"""The first public pages show published innovations only, readably, in few queries."""

import pytest
from django.urls import reverse

from networks.services import ensure_innovation_network
from tests.factories import (
    AdoptionFactory,
    InnovationFactory,
    OrganisationFactory,
    ReachFigureFactory,
    ResourceFactory,
    SectorFactory,
    region,
)
from tests.html import error_summary_targets, page, table_rows, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    innovation = InnovationFactory(
        title="Shared reading",
        summary="Groups read stories and poems aloud.",
        problem="Isolation.",
        core="Reading aloud together, live.",
        adaptable="Where and when groups meet.",
        stage="growing-scaling-spreading",
        evidence_level=2,
        scaling_ways=["out", "deep"],
    )
    innovation.sectors.add(SectorFactory(name="Health"))
    ReachFigureFactory(innovation=innovation, measure="groups", value=141)
    AdoptionFactory(
        innovation=innovation,
        organisation=OrganisationFactory(name="Wirral Council", kind="local-authority"),
        region=region("north-west"),
        area="Wirral",
        status="adopted",
    )
    ResourceFactory(title="Making it Big").innovations.add(innovation)
    ensure_innovation_network(innovation)
    return innovation


def test_home_shows_counts_sectors_and_recent(client, published):
    response = client.get(reverse("catalogue:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Shared reading" in html
    assert "Health" in html
    assert "Wirral Council" in html


def test_innovation_list_shows_published_only(client, published):
    InnovationFactory(draft=True, title="Secret draft")
    html = client.get(reverse("catalogue:innovation-list")).content.decode()
    assert "Shared reading" in html
    assert "Secret draft" not in html
    assert "<strong>1</strong> innovation" in html


def test_innovation_list_text_search(client, published):
    InnovationFactory(title="Running clubs", summary="Runners help neighbours.")
    html = client.get(reverse("catalogue:innovation-list"), {"q": "poems"}).content.decode()
    assert "Shared reading" in html
    assert "Running clubs" not in html


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"q": "a\x00b"}, "Keywords"),
        ({"sector": "health\x00"}, "Sector"),
        ({"beneficiary": "\x00"}, "Who it helps"),
        ({"page": "x"}, "page"),
        ({"evidence": "seven"}, "Evidence level"),
    ],
)
def test_malformed_parameters_get_an_error_summary_not_a_500(client, published, params, named):
    response = client.get(reverse("catalogue:innovation-list"), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem with this search" in html
    assert named in html
    # Only the keywords box is on the page to link to; no link leads nowhere.
    targets = error_summary_targets(page(response))
    assert [href for href, _ in targets] == (["#f-q"] if "q" in params else [])
    assert all(element is not None and element.name == "input" for _, element in targets)


def test_innovation_list_queries_do_not_grow_with_results(client, django_assert_num_queries):
    for n in range(15):
        innovation = InnovationFactory(title=f"Scheme {n}")
        innovation.sectors.add(SectorFactory(name=f"Sector {n}"))
    # Counts, the page of innovations with their lead organisations and sectors: one statement.
    with django_assert_num_queries(1):
        html = client.get(reverse("catalogue:innovation-list")).content.decode()
    for n in range(15):
        assert f"Scheme {n}" in html
        assert f'<li class="govuk-tag">Sector {n}</li>' in html


def test_innovation_page_shows_the_decision_facts(client, published):
    html = client.get(published.get_absolute_url()).content.decode()
    for expected in [
        "Shared reading",
        "Reading aloud together, live.",
        "Where and when groups meet.",
        "Growing, scaling and spreading (stage 6 of 7)",
        "Level 2 of 5",
        "Scaling out, Scaling deep",
        "141",
        "Wirral Council",
        "Making it Big",
        "Core network",
    ]:
        assert expected in html, expected


def test_draft_is_invisible_to_the_public(client):
    draft = InnovationFactory(draft=True)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_draft_is_visible_to_its_owner(client, innovator, own_draft):
    client.force_login(innovator)
    response = client.get(own_draft.get_absolute_url())
    assert response.status_code == 200
    assert "only its owners and curators can see this page" in response.content.decode()


def test_draft_is_invisible_to_another_innovator(client, other_innovator, own_draft):
    client.force_login(other_innovator)
    assert client.get(own_draft.get_absolute_url()).status_code == 404


def test_archived_is_invisible_to_the_public(client):
    archived = InnovationFactory(status="archived")
    assert client.get(archived.get_absolute_url()).status_code == 404


def test_organisation_page_lists_its_innovations_and_adoptions(client, published):
    html = client.get(published.lead_organisation.get_absolute_url()).content.decode()
    assert "Shared reading" in html
    adopter = published.adoptions.get().organisation
    assert "Shared reading" in client.get(adopter.get_absolute_url()).content.decode()


def test_organisation_known_only_through_drafts_is_not_public(client):
    draft = InnovationFactory(draft=True)
    assert client.get(draft.lead_organisation.get_absolute_url()).status_code == 404


def test_network_page_shows_rings(client, published):
    response = client.get(published.network.get_absolute_url())
    assert response.status_code == 200
    assert "Learning network" in response.content.decode()


def test_network_of_a_draft_is_not_public(client):
    draft = InnovationFactory(draft=True)
    network = ensure_innovation_network(draft)
    assert client.get(network.get_absolute_url()).status_code == 404


def test_innovation_list_filters_by_who_it_helps(client):
    from tests.factories import BeneficiaryGroupFactory

    helped = InnovationFactory(title="Grandmentors")
    helped.beneficiaries.add(BeneficiaryGroupFactory(name="Care leavers"))
    InnovationFactory(title="HenPower")
    html = client.get(
        reverse("catalogue:innovation-list"), {"beneficiary": "care-leavers"}
    ).content.decode()
    assert "Grandmentors" in html
    assert "HenPower" not in html
    assert 'class="app-filter-tag"' in html


def test_page_links_keep_the_filters(client):
    for n in range(25):
        InnovationFactory(title=f"Reading circle {n}")
    html = client.get(reverse("catalogue:innovation-list"), {"q": "reading"}).content.decode()
    assert "?q=reading&amp;page=2" in html


def test_a_padded_filter_value_is_removed_by_its_tag(client, published):
    response = client.get(reverse("catalogue:innovation-list"), {"sector": [" health ", "health"]})
    (chosen,) = response.context["chosen"]
    assert "sector" not in chosen[2]


@pytest.mark.parametrize("url", ["/innovations/", "/innovations/feed/", "/api/v1/innovations/"])
def test_control_characters_in_the_query_are_a_400(client, url):
    assert client.get(url, {"q": "a\x0bb"}).status_code == 400


def test_feed_leaves_out_control_characters_of_stored_text(client):
    InnovationFactory(title="Bell\x07 ringers", summary="Ring\x01 the bells.")
    response = client.get("/innovations/feed/")
    assert response.status_code == 200
    assert "Bell ringers" in response.content.decode()


def test_innovation_page_counts_adoptions_by_region_and_status(client, published):
    for status in ("piloting", "piloting", "exploring"):
        AdoptionFactory(innovation=published, region=region("wales"), status=status)
    AdoptionFactory(innovation=published, region=None, status="scaled")
    rows = table_rows(page(client.get(published.get_absolute_url())), "Adoptions by region")
    assert [tuple(row) for row in rows] == [
        ("North West", "1", "1 adopted"),
        ("Wales", "3", "1 exploring, 2 piloting"),
        ("Region not recorded", "1", "1 scaled"),
    ]


def _count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_innovation_page_queries_do_not_grow_with_what_it_shows(client, published):
    """Adoptions, reach figures, resources, partners and similar innovations are each read in
    a fixed number of queries, however many there are."""
    url = published.get_absolute_url()
    health = published.sectors.get()
    InnovationFactory(title="Reading aloud").sectors.add(health)
    before = _count_queries(client, url)
    for n in range(6):
        AdoptionFactory(innovation=published, region=region("wales"))
        ReachFigureFactory(innovation=published, measure=f"measure {n % 2}", date=f"202{n}-01-01")
        ResourceFactory(title=f"Guide {n}").innovations.add(published)
        published.partners.add(OrganisationFactory(name=f"Partner {n}"))
        InnovationFactory(title=f"Shared reading {n}").sectors.add(health)
    assert _count_queries(client, url) == before


def test_home_page_queries_do_not_grow_with_the_catalogue(client, published):
    from django.core.cache import cache

    before = _count_queries(client, "/")
    for n in range(6):
        InnovationFactory(title=f"Scheme {n}").sectors.add(SectorFactory(name=f"Sector {n}"))
        AdoptionFactory(innovation=published)
    cache.clear()  # the figures are kept for a minute
    assert _count_queries(client, "/") == before


def test_home_page_figures_are_kept_for_a_minute(client, published):
    first = _count_queries(client, "/")
    assert _count_queries(client, "/") < first


@pytest.mark.parametrize("q", ["the", "or", "-", "the and of"])
def test_a_query_of_only_common_words_says_why_it_finds_nothing(
    client, published, q, django_assert_num_queries
):
    # The query's words are read, then searched; no suggestions are looked for.
    with django_assert_num_queries(2):
        response = client.get(reverse("catalogue:innovation-list"), {"q": q})
    assert response.status_code == 200
    assert response.context["result"].count == 0
    assert response.context["result"].suggestions == []
    assert "has only words so common that searches leave them out" in text(page(response))


def test_a_misspelt_query_is_not_mistaken_for_common_words(client, published):
    InnovationFactory(title="Shared reading groups")
    response = client.get(reverse("catalogue:innovation-list"), {"q": "the redaing"})
    assert response.context["result"].count == 0
    assert not response.context["result"].only_common_words
    assert "has only words so common" not in text(page(response))
