"""/sitemap.xml and /robots.txt (issue 18, item 3): search engines are shown every public page
and nothing else, and kept out of the addresses that multiply without end."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from catalogue.models import Innovation
from tests.factories import (
    AdoptionFactory,
    InnovationFactory,
    NetworkFactory,
    OrganisationFactory,
    ResourceFactory,
)

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def listed(client) -> dict[str, str | None]:
    """Every address in the sitemap, with its lastmod (None when it has none)."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 (our own answer, not a stranger's)
    return {
        url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
        for url in root.findall("s:url", NS)
    }


@pytest.fixture
def catalogue(db):
    """A published innovation with a partner, an adoption and a network; a draft and an
    archived one with theirs; a thematic network; an organisation named only by a draft."""
    lead = OrganisationFactory(name="Lead Org", slug="lead-org")
    partner = OrganisationFactory(name="Partner Org", slug="partner-org")
    published = InnovationFactory(title="Homeshare", slug="homeshare", lead_organisation=lead)
    published.partners.add(partner)
    adopter = OrganisationFactory(name="Adopting Council", slug="adopting-council")
    story = AdoptionFactory(innovation=published, organisation=adopter)
    NetworkFactory(name="Homeshare network", slug="homeshare-network", innovation=published)
    NetworkFactory(name="Loneliness", slug="loneliness")

    hidden = OrganisationFactory(name="Draft Only Org", slug="draft-only-org")
    draft = InnovationFactory(draft=True, slug="secret-draft", lead_organisation=hidden)
    archived = InnovationFactory(
        status="archived", slug="old-archived", lead_organisation=hidden, published_at=None
    )
    hidden_adopter = OrganisationFactory(name="Hidden Adopter", slug="hidden-adopter")
    hidden_story = AdoptionFactory(innovation=draft, organisation=hidden_adopter)
    NetworkFactory(name="Draft network", slug="draft-network", innovation=draft)
    NetworkFactory(name="Archived network", slug="archived-network", innovation=archived)
    ResourceFactory(title="A toolkit")
    return {"story": story, "hidden_story": hidden_story}


def test_sitemap_lists_every_public_page_with_its_date(client, catalogue):
    urls = listed(client)
    story = catalogue["story"].pk
    for path in [
        "/innovations/homeshare/",
        "/organisations/lead-org/",
        "/organisations/partner-org/",
        "/organisations/adopting-council/",
        "/networks/homeshare-network/",
        "/networks/loneliness/",
        f"/adoptions/{story}/",
        "/resources/",
        "/innovations/",
        "/",
    ]:
        address = f"http://testserver{path}"
        assert address in urls, path
        assert urls[address], f"{path} has no lastmod"


def test_sitemap_lists_nothing_unpublished(client, catalogue):
    listed_paths = " ".join(listed(client))
    for hidden in [
        "secret-draft",
        "old-archived",
        "draft-only-org",
        "hidden-adopter",
        "draft-network",
        "archived-network",
        f"/adoptions/{catalogue['hidden_story'].pk}/",
    ]:
        assert hidden not in listed_paths


def test_every_listed_page_answers_an_anonymous_visitor(client, catalogue):
    for address in listed(client):
        assert client.get(address).status_code == 200, address


def test_sitemap_lists_exactly_the_published_innovations(client, catalogue):
    innovations = {
        address for address in listed(client) if address.startswith("http://testserver/innov")
    }
    assert innovations == {
        "http://testserver/innovations/",
        "http://testserver/innovations/homeshare/",
    }


def test_sitemap_dates_an_innovation_by_its_last_change(client, catalogue):
    innovation = Innovation.objects.get(slug="homeshare")
    urls = listed(client)
    assert (
        urls["http://testserver/innovations/homeshare/"]
        == timezone.localdate(innovation.updated_at).isoformat()
    )


def test_robots_points_at_the_sitemap_and_keeps_crawlers_out_of_endless_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "User-agent: *" in lines
    for rule in [
        "Disallow: /innovations/export.csv",
        "Disallow: /innovations/feed/",
        "Disallow: /innovations/?",
        "Disallow: /api/v1/*format=csv",
        "Disallow: /account/",
        "Disallow: /admin/",
    ]:
        assert rule in lines
    # The search page itself, and the innovations' pages, stay open.
    assert "Disallow: /innovations/" not in lines
    assert "Disallow: /" not in lines


def test_robots_names_the_sitemap_on_https_behind_a_proxy(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The proxy speaks to the site on its own port; the Host header it passes carries none.
    response = client.get("/robots.txt", headers={"X-Forwarded-Proto": "https"}, SERVER_PORT="443")
    assert "Sitemap: https://testserver/sitemap.xml" in response.content.decode().splitlines()


@pytest.mark.parametrize("path", ["/sitemap.xml", "/robots.txt"])
def test_sitemap_and_robots_may_be_kept_by_a_cdn(client, catalogue, path):
    response = client.get(path)
    assert "public" in response["Cache-Control"]
