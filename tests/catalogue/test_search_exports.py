"""The CSV export and the Atom feed of a search hold exactly what the search matches."""

import csv
import datetime
import html
import io
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from catalogue import views
from tests.factories import (
    AdoptionFactory,
    InnovationFactory,
    OrganisationFactory,
    SectorFactory,
    region,
)

pytestmark = pytest.mark.django_db

CSV_URL = "/innovations/export.csv"
FEED_URL = "/innovations/feed/"
ATOM = "{http://www.w3.org/2005/Atom}"


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def catalogue():
    health = SectorFactory(name="Health")
    education = SectorFactory(name="Education")
    shared = InnovationFactory(
        title="Shared reading",
        summary="Groups read stories and poems aloud.",
        stage="growing-scaling-spreading",
        evidence_level=2,
        lead_organisation=OrganisationFactory(name="The Reader", kind="charity"),
        published_at=days_ago(30),
    )
    shared.sectors.add(health)
    shared.regions.add(region("london"))
    AdoptionFactory(innovation=shared, status="adopted")
    homework = InnovationFactory(
        title="Homework club",
        summary="Volunteers help children with homework.",
        evidence_level=4,
        published_at=days_ago(20),
    )
    homework.sectors.add(education)
    homework.regions.add(region("scotland"))
    discharge = InnovationFactory(
        title="Digital discharge planning",
        summary="Hospitals plan discharge with families online.",
        published_at=days_ago(10),
    )
    discharge.sectors.add(health, education)
    discharge.regions.add(region("north-west"))
    draft = InnovationFactory(draft=True, title="Secret reading draft", summary="Poems, secretly.")
    draft.sectors.add(health)
    draft.regions.add(region("london"))
    InnovationFactory(title="Archived reading scheme", status="archived")


def api_slugs(client, query_string: str) -> list[str]:
    data = client.get(f"/api/v1/innovations/?{query_string}&page_size=100").json()
    assert data["count"] <= 100
    return [result["slug"] for result in data["results"]]


# --- CSV ---------------------------------------------------------------------------------------


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert all(len(row) == len(header) for row in body)
    return [dict(zip(header, row, strict=True)) for row in body]


def test_csv_is_streamed_as_a_csv_attachment(client, catalogue):
    response = client.get(CSV_URL)
    assert isinstance(response, StreamingHttpResponse)
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]


def test_csv_starts_with_a_header_row(client, catalogue):
    response = client.get(CSV_URL)
    text = b"".join(response.streaming_content).decode("utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert header[:3] == ["slug", "title", "summary"]
    assert "url" in header


def test_csv_of_an_empty_search_is_only_the_header(client, catalogue):
    assert csv_rows(client.get(CSV_URL, {"sector": "no-such-sector"})) == []


def test_csv_without_parameters_lists_every_published_innovation_and_no_other(client, catalogue):
    slugs = {row["slug"] for row in csv_rows(client.get(CSV_URL))}
    assert slugs == {"shared-reading", "homework-club", "digital-discharge-planning"}


def test_csv_never_lists_drafts_even_when_they_match(client, catalogue):
    slugs = [row["slug"] for row in csv_rows(client.get(CSV_URL, {"q": "secret"}))]
    assert slugs == []


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [
        ("sector=health", {"shared-reading", "digital-discharge-planning"}),
        ("sector=health&sector=education", None),
        ("sector=health&region=england", {"shared-reading", "digital-discharge-planning"}),
        ("region=scotland&evidence=4", {"homework-club"}),
        ("q=poems", {"shared-reading"}),
        ("adopted=yes", {"shared-reading"}),
        ("adopted=no&sector=education", {"homework-club", "digital-discharge-planning"}),
    ],
)
def test_csv_holds_exactly_the_innovations_the_search_matches(
    client, catalogue, query_string, expected
):
    rows = csv_rows(client.get(f"{CSV_URL}?{query_string}"))
    slugs = [row["slug"] for row in rows]
    assert len(slugs) == len(set(slugs))
    assert set(slugs) == set(api_slugs(client, query_string))
    if expected is not None:
        assert set(slugs) == expected


def test_csv_is_sorted_as_the_search_is(client, catalogue):
    rows = csv_rows(client.get(CSV_URL, {"sort": "title"}))
    assert [row["slug"] for row in rows] == api_slugs(client, "sort=title")
    assert [row["title"] for row in rows] == sorted(row["title"] for row in rows)


def test_csv_row_describes_the_innovation(client, catalogue):
    (row,) = csv_rows(client.get(CSV_URL, {"q": "poems"}))
    assert row["title"] == "Shared reading"
    assert row["summary"] == "Groups read stories and poems aloud."
    assert row["url"] == "http://testserver/innovations/shared-reading/"
    assert row["adoption_count"] == "1"
    assert row["evidence_level"] == "2"


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_csv_cells_that_a_spreadsheet_would_run_are_prefixed_with_an_apostrophe(client, start):
    InnovationFactory(
        title=f"{start}SUM(1+1) clubs",
        summary=f"{start}cmd|' /C calc'!A0",
        lead_organisation=OrganisationFactory(name=f"{start}HYPERLINK(evil) Ltd"),
    )
    (row,) = csv_rows(client.get(CSV_URL))
    assert row["title"] == f"'{start}SUM(1+1) clubs"
    assert row["summary"] == f"'{start}cmd|' /C calc'!A0"
    assert row["lead_organisation"] == f"'{start}HYPERLINK(evil) Ltd"


def test_csv_leaves_ordinary_cells_alone(client, catalogue):
    (row,) = csv_rows(client.get(CSV_URL, {"q": "poems"}))
    assert not any(value.startswith("'") for value in row.values())


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("evidence", "seven"),
        ("evidence", "7"),
        ("adopted", "maybe"),
        ("sort", "random"),
        ("q", "reading\x00groups"),
        ("sector", "health\x00"),
    ],
    ids=repr,
)
def test_csv_malformed_value_is_a_400_naming_the_parameter(client, catalogue, name, value):
    response = client.get(CSV_URL, {name: value})
    assert response.status_code == 400
    assert name in response.content.decode()


# --- The CSV holds the API's pages, row for row, in every order --------------------------------


@pytest.fixture
def ties():
    """Published innovations that tie, in twos and threes, on every sort key but the id: the
    same title, text, publication time, evidence level and adoptions; and a draft like them."""
    health = SectorFactory(name="Health")
    same_time = days_ago(3)
    for n, (title, evidence, adoptions, place) in enumerate(
        [
            ("Reading circle", 2, 1, "london"),
            ("Reading circle", 2, 1, "london"),
            ("Reading circle", None, 0, "scotland"),
            ("Poetry reading", None, 0, "north-west"),
            ("Poetry reading", 4, 2, "london"),
            ("Homework club", 4, 2, "scotland"),
            ("Homework club", 1, 0, "wales"),
            ("Tea and talk", None, 1, "london"),
        ]
    ):
        innovation = InnovationFactory(
            title=title,
            slug=f"{title.lower().replace(' ', '-')}-{n}",
            summary="Reading aloud together." if "ead" in title else "Neighbours meet weekly.",
            evidence_level=evidence,
            published_at=same_time if n % 4 else days_ago(10 + n),
        )
        if n % 2 == 0:
            innovation.sectors.add(health)
        innovation.regions.add(region(place))
        for _ in range(adoptions):
            AdoptionFactory(innovation=innovation, status="adopted")
    InnovationFactory(
        draft=True, title="Reading circle", slug="reading-circle", summary="Reading aloud together."
    )


def api_pages(client, query_string: str, page_size: int) -> list[dict]:
    """Every result of a search, page after page, following the `next` links."""
    results: list[dict] = []
    url = f"/api/v1/innovations/?{query_string}&page_size={page_size}"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        results += response.json()["results"]
        url = response.json()["next"]
    return results


def as_csv_row(result: dict) -> dict[str, str]:
    """What the CSV says of an innovation, from what the API says of it."""
    organisation = result["lead_organisation"] or {}
    return {
        "slug": result["slug"],
        "title": result["title"],
        "summary": result["summary"],
        "url": f"http://testserver{result['url']}",
        "stage": result["stage"] or "",
        "kind": result["kind"] or "",
        "evidence_level": "" if result["evidence_level"] is None else str(result["evidence_level"]),
        "adoption_count": str(result["adoption_count"]),
        "lead_organisation": organisation.get("name", ""),
        "organisation_kind": organisation.get("kind", ""),
        "sectors": "; ".join(sector["name"] for sector in result["sectors"]),
    }


@pytest.mark.parametrize("sort", ["", "relevance", "newest", "most_adopted", "evidence", "title"])
@pytest.mark.parametrize(
    "query_string",
    ["", "q=reading", "sector=health", "q=reading&region=england", "evidence=2&evidence=4"],
)
def test_csv_rows_are_the_api_pages_concatenated_in_every_sort(
    client, ties, monkeypatch, query_string, sort
):
    monkeypatch.setattr(views, "CSV_CHUNK_SIZE", 3)  # chunks end inside runs of ties
    if sort:
        query_string += f"&sort={sort}"
    rows = csv_rows(client.get(f"{CSV_URL}?{query_string}"))
    pages = api_pages(client, query_string, page_size=2)
    assert pages  # every combination finds something
    assert [{name: row[name] for name in as_csv_row(pages[0])} for row in rows] == [
        as_csv_row(result) for result in pages
    ]


def test_csv_reads_a_chunk_of_innovations_in_a_fixed_number_of_queries(
    client, ties, monkeypatch, django_assert_num_queries
):
    # The ids in order in one statement; then, per chunk, the innovations with their lead
    # organisations, and their sectors, beneficiaries, scaling routes and regions.
    with django_assert_num_queries(1 + 5):
        assert len(csv_rows(client.get(CSV_URL))) == 8
    for n in range(10):
        InnovationFactory(title=f"Scheme {n}").sectors.add(SectorFactory(name=f"Sector {n}"))
    with django_assert_num_queries(1 + 5):
        assert len(csv_rows(client.get(CSV_URL))) == 18
    monkeypatch.setattr(views, "CSV_CHUNK_SIZE", 5)
    with django_assert_num_queries(1 + 4 * 5):
        assert len(csv_rows(client.get(CSV_URL))) == 18


def test_csv_of_no_match_reads_nothing_but_the_ids(client, ties, django_assert_num_queries):
    # The query's words (catalogue/query.py), then the ids.
    with django_assert_num_queries(2):
        assert csv_rows(client.get(CSV_URL, {"q": "nothing-matches-this"})) == []


def test_csv_ignores_paging(client, ties):
    everything = csv_rows(client.get(CSV_URL))
    assert csv_rows(client.get(CSV_URL, {"page": "0", "page_size": "1000"})) == everything


# --- Atom feed ---------------------------------------------------------------------------------


def feed(client, params=None) -> ET.Element:
    response = client.get(FEED_URL, params or {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # noqa: S314 (our own server's output)


def entry_slugs(root: ET.Element) -> list[str]:
    slugs = []
    for entry in root.findall(f"{ATOM}entry"):
        (link,) = [
            link
            for link in entry.findall(f"{ATOM}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        path = urlsplit(link.get("href")).path
        assert path.startswith("/innovations/")
        slugs.append(path.removeprefix("/innovations/").strip("/"))
    return slugs


def test_feed_is_an_atom_document(client, catalogue):
    root = feed(client)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text
    assert root.find(f"{ATOM}id").text
    for entry in root.findall(f"{ATOM}entry"):
        for part in ("title", "id", "updated", "link"):
            assert entry.find(f"{ATOM}{part}") is not None, part


def test_feed_lists_the_published_innovations_newest_first(client, catalogue):
    assert entry_slugs(feed(client)) == [
        "digital-discharge-planning",
        "homework-club",
        "shared-reading",
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"sector": "health"},
        {"sector": ["health", "education"], "region": "england"},
        {"q": "reading"},
        {"q": "poems", "sort": "title"},
        {"adopted": "no"},
        {"stage": "no-such-stage"},
    ],
    ids=repr,
)
def test_feed_entries_are_exactly_the_matching_innovations_newest_first(client, catalogue, params):
    slugs = entry_slugs(feed(client, params))
    data = client.get("/api/v1/innovations/", {**params, "sort": "newest", "page_size": 100})
    assert slugs == [result["slug"] for result in data.json()["results"]]


def test_feed_takes_three_queries(client, catalogue, django_assert_num_queries):
    # The query's words, the ids of the fifty newest matches, then those innovations with their
    # lead organisations.
    with django_assert_num_queries(3):
        feed(client, {"sector": "health", "q": "reading"})


def test_feed_never_lists_drafts(client, catalogue):
    assert "secret-reading-draft" not in entry_slugs(feed(client, {"q": "secret"}))
    assert "secret-reading-draft" not in entry_slugs(feed(client, {"sector": "health"}))


def test_feed_holds_at_most_the_fifty_newest(client):
    for n in range(55):
        InnovationFactory(title=f"Innovation {n:02d}", published_at=days_ago(100 - n))
    slugs = entry_slugs(feed(client))
    assert slugs == [f"innovation-{n:02d}" for n in range(54, 4, -1)]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("evidence", "seven"),
        ("adopted", "maybe"),
        ("sort", "random"),
        ("q", "reading\x00groups"),
        ("region", "\x00"),
    ],
    ids=repr,
)
def test_feed_malformed_value_is_a_400_naming_the_parameter(client, catalogue, name, value):
    response = client.get(FEED_URL, {name: value})
    assert response.status_code == 400
    assert name in response.content.decode()


def test_feed_links_to_the_search_page_with_the_same_parameters(client, catalogue):
    root = feed(client, {"sector": "health", "adopted": "yes"})
    (alternate,) = [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "alternate"]
    href = alternate.get("href")
    assert urlsplit(href).path == reverse("catalogue:innovation-list")
    assert parse_qs(urlsplit(href).query) == {"sector": ["health"], "adopted": ["yes"]}


def test_feed_self_link_keeps_the_search_parameters(client, catalogue):
    root = feed(client, {"sector": "health"})
    (self_link,) = [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]
    href = self_link.get("href")
    assert urlsplit(href).path == FEED_URL
    assert parse_qs(urlsplit(href).query) == {"sector": ["health"]}


def test_feed_summary_reaches_readers_as_the_text_it_is(client):
    summary = 'Tags like <b>bold</b> & <script>alert(1)</script> stay "text".'
    InnovationFactory(title="Tagged text", summary=summary)
    (entry,) = feed(client).findall(f"{ATOM}entry")
    element = entry.find(f"{ATOM}summary")
    if element.get("type") == "html":
        # An HTML summary is read as markup, so the plain text must arrive escaped inside it.
        assert "<script>" not in element.text
        assert html.unescape(element.text) == summary
    else:
        assert element.text == summary


def test_every_csv_row_names_the_licence_and_so_does_the_response(client, catalogue, settings):
    settings.CONTENT_LICENCE_URL = "https://example.org/licence/"
    response = client.get(CSV_URL)

    assert response["Link"] == '<https://example.org/licence/>; rel="license"'
    rows = csv_rows(client.get(CSV_URL))
    assert rows
    assert {row["licence"] for row in rows} == {"https://example.org/licence/"}


def test_every_page_says_under_what_licence_its_content_is(client, catalogue, settings):
    settings.CONTENT_LICENCE_NAME = "Another Licence 1.0"
    settings.CONTENT_LICENCE_URL = "https://example.org/licence/"
    for path in ["/", "/innovations/", "/privacy/"]:
        page = client.get(path).content.decode()
        assert (
            '<a class="govuk-footer__link" href="https://example.org/licence/" rel="license">'
            "Another Licence 1.0</a>" in page
        ), path
