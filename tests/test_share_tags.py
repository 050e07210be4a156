"""Every public page names its canonical address and carries the Open Graph and Twitter card
tags a link preview reads (issue 18, item 3); every search page offers its feed."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.factories import (
    AdoptionFactory,
    InnovationFactory,
    NetworkFactory,
    OrganisationFactory,
)
from tests.html import elements, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(db):
    lead = OrganisationFactory(name="Lead Org", slug="lead-org")
    innovation = InnovationFactory(
        title='Homeshare "plus"',
        slug="homeshare",
        summary="Older people with a spare room share their home with a younger person.",
        lead_organisation=lead,
    )
    NetworkFactory(name="Homeshare", slug="homeshare", innovation=innovation)
    return innovation


def meta(root) -> dict[str, str]:
    """The page's <meta> tags by property or name."""
    found = {}
    for element in elements(root, "meta"):
        attrs = dict(element.attributes)
        key = attrs.get("property") or attrs.get("name")
        if key:
            found[key] = attrs.get("content", "")
    return found


def canonical(root) -> str:
    links = [dict(link.attributes) for link in elements(root, "link", rel="canonical")]
    assert len(links) == 1
    return links[0]["href"]


def page_paths(published) -> list[str]:
    story = AdoptionFactory(innovation=published)
    return [
        "/",
        "/innovations/",
        "/innovations/homeshare/",
        "/organisations/lead-org/",
        "/networks/",
        "/networks/homeshare/",
        f"/adoptions/{story.pk}/",
        "/resources/",
        "/how-innovations-spread/",
        "/privacy/",
        "/accessibility/",
        "/account/sign-in/",
    ]


def test_every_page_type_has_canonical_open_graph_and_twitter_tags(client, published):
    for path in page_paths(published):
        response = client.get(path)
        assert response.status_code == 200, path
        root = page(response)
        tags = meta(root)
        url = f"http://testserver{path}"
        assert canonical(root) == url, path
        assert tags["og:url"] == url, path
        assert tags["og:title"], path
        assert tags["og:title"] == tags["twitter:title"], path
        assert tags["og:description"] == tags["description"] == tags["twitter:description"]
        assert tags["og:type"] == "website"
        assert tags["og:site_name"] == settings.SITE_NAME
        assert tags["twitter:card"] == "summary_large_image"
        assert (
            tags["og:image"] == tags["twitter:image"] == "http://testserver/static/images/share.png"
        )


def test_an_innovation_is_previewed_by_its_title_and_summary(client, published):
    tags = meta(page(client.get("/innovations/homeshare/")))
    # The page's own words, escaped once (a quote in a title cannot end the attribute).
    assert tags["og:title"] == 'Homeshare "plus"'
    assert tags["og:description"] == published.summary


def test_a_search_names_the_search_page_as_its_canonical_address(client, published):
    root = page(client.get("/innovations/?q=homeshare&page=1"))
    assert canonical(root) == "http://testserver/innovations/"
    assert meta(root)["og:url"] == "http://testserver/innovations/"


def test_the_share_image_is_ours_and_a_png_of_the_size_previews_want():
    image = Path(settings.BASE_DIR) / "static" / "images" / "share.png"
    data = image.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 630)


def test_no_page_points_a_preview_at_another_host(client, published):
    for path in page_paths(published):
        tags = meta(page(client.get(path)))
        for key in ("og:image", "og:url", "twitter:image"):
            assert urlsplit(tags[key]).netloc == "testserver", (path, key)


def feed_links(root) -> list[str]:
    return [
        dict(link.attributes)["href"]
        for link in elements(root, "link", rel="alternate", type="application/atom+xml")
    ]


def visible_feed_links(root) -> list[str]:
    return [
        dict(a.attributes)["href"]
        for a in elements(root, "a")
        if dict(a.attributes).get("href", "").startswith("/innovations/feed/")
    ]


@pytest.mark.parametrize(
    ("query", "status", "feed"),
    [
        ("", 200, "/innovations/feed/"),
        ("?q=homeshare", 200, "/innovations/feed/?q=homeshare"),
        ("?q=nothingmatchesthis", 200, "/innovations/feed/?q=nothingmatchesthis"),
        ("?page=2", 200, "/innovations/feed/"),
        ("?q=a%0Bb", 400, "/innovations/feed/"),
    ],
    ids=["everything", "results", "no-results", "past-the-end", "a-problem"],
)
def test_every_search_page_links_its_feed(client, published, query, status, feed):
    response = client.get(f"/innovations/{query}")
    assert response.status_code == status
    root = page(response)
    assert feed_links(root) == [feed]
    assert feed in visible_feed_links(root)
