"""`/sitemap.xml` and `/robots.txt`: what search engines may find, and what they should leave.

The sitemap lists only what anyone may read: published innovations, the organisations their
pages name (organisation_detail's rule, `public_organisations`), the public networks, the
adoption stories of published innovations, and the site's standing pages. Each entry carries
the date its page last changed, so a crawler comes back when there is something new.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q, QuerySet
from django.db.models.functions import Greatest
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from adopters.models import Adoption
from catalogue.models import Innovation, Organisation, Resource
from networks.models import Network
from portal.queries import public_organisations


class InnovationSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self) -> QuerySet[Innovation]:
        return Innovation.objects.published().only("slug", "updated_at").order_by("slug")

    def lastmod(self, item: Innovation) -> datetime:
        return item.updated_at


class OrganisationSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self) -> QuerySet[Organisation]:
        return public_organisations().only("slug", "updated_at").order_by("slug")

    def lastmod(self, item: Organisation) -> datetime:
        return item.updated_at


class NetworkSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self) -> QuerySet[Network]:
        # A network's page shows its innovation and its listed members: the latest of the three.
        return (
            Network.objects.public()
            .annotate(
                modified=Greatest(
                    "created_at",
                    "innovation__updated_at",
                    Max(
                        "memberships__updated_at",
                        filter=Q(memberships__listed_publicly=True),
                    ),
                )
            )
            .only("slug", "created_at")
            .order_by("slug")
        )

    def lastmod(self, item: Network) -> datetime:
        return item.modified  # type: ignore[attr-defined]  # annotated in items()


class AdoptionSitemap(Sitemap):
    """Adoption stories: who took a published innovation up, where, and how it went."""

    changefreq = "monthly"
    priority = 0.5

    def items(self) -> QuerySet[Adoption]:
        return Adoption.objects.public().only("pk", "updated_at").order_by("pk")

    def lastmod(self, item: Adoption) -> datetime:
        return item.updated_at


class PageSitemap(Sitemap):
    """The standing pages, dated by the newest thing each lists (none for the fixed texts)."""

    changefreq = "daily"
    priority = 0.6

    def items(self) -> list[str]:
        return [
            "catalogue:home",
            "catalogue:innovation-list",
            "catalogue:resources",
            "networks:list",
            "catalogue:how-spread",
        ]

    def location(self, item: str) -> str:
        return reverse(item)

    def lastmod(self, item: str) -> datetime | None:
        if item in ("catalogue:home", "catalogue:innovation-list"):
            return Innovation.objects.published().aggregate(latest=Max("updated_at"))["latest"]
        if item == "catalogue:resources":
            return Resource.objects.aggregate(latest=Max("updated_at"))["latest"]
        if item == "networks:list":
            return Network.objects.public().aggregate(latest=Max("created_at"))["latest"]
        return None


SITEMAPS: dict[str, type[Sitemap]] = {
    "pages": PageSitemap,
    "innovations": InnovationSitemap,
    "organisations": OrganisationSitemap,
    "networks": NetworkSitemap,
    "adoptions": AdoptionSitemap,
}

# What crawlers are asked to leave alone: downloads and feeds (the pages they repeat are
# listed already), the search page with a query string (every filter, order and page is a new
# address, without end), and the pages that are one person's own.
ROBOTS_DISALLOWED = [
    "catalogue:innovation-csv",
    "catalogue:innovation-feed",
    "admin:index",
    "accounts:dashboard",
]


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Every crawler's rules, and the sitemap's full address."""
    search = reverse("catalogue:innovation-list")
    lines = [
        "User-agent: *",
        *(f"Disallow: {reverse(name)}" for name in ROBOTS_DISALLOWED),
        f"Disallow: {search}?",
        # The API's lists as CSV (`?format=csv` on any of them).
        f"Disallow: {reverse('api:schema').removesuffix('schema/')}*format=csv",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('catalogue:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
