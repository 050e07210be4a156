"""The site's pages that show what several apps hold: the home page's figures and recent
adoptions, an innovation with its adoptions and network, an organisation with what it adopted,
and how innovations spread (the rings of a network among the rest)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Exists, F, OuterRef, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from adopters import services as adopter_services
from adopters.choices import AdoptionStatus
from adopters.models import Adoption
from catalogue import completeness, revisions
from catalogue import services as catalogue_services
from catalogue.charts import reach_chart
from catalogue.choices import EVIDENCE_LEVEL_EXPLANATIONS, STAGE_EXPLANATIONS, Stage
from catalogue.facets import FACET_CODES, KEY_BASE, TOTAL_KEY
from catalogue.hexmap import HexMap, hex_map
from catalogue.models import (
    BeneficiaryGroup,
    FacetTotal,
    Innovation,
    Organisation,
    ReachFigure,
    Resource,
    Sector,
)
from catalogue.similar import similar_to
from networks.choices import RING_DESCRIPTIONS, Ring
from networks.models import Network

# The home page's figures change slowly and are read on every visit: each process keeps them
# for a minute rather than counting the catalogue each time.
HOME_FIGURES_SECONDS = 60


def _home_figures() -> dict:
    """The catalogue in numbers, and the sectors and groups of people to browse by, with how
    many published innovations each has (read from the facet totals the search keeps)."""
    figures = cache.get("home-figures")
    if figures is not None:
        return figures
    totals = dict(FacetTotal.objects.values_list("key", "count"))

    def with_totals(vocabulary: type[Sector | BeneficiaryGroup], facet: str) -> list:
        items: list[Any] = list(vocabulary.objects.all())  # each gets a `total`
        for item in items:
            item.total = totals.get(FACET_CODES[facet] * KEY_BASE + item.pk, 0)
        return [item for item in items if item.total]

    published = Innovation.objects.filter(status="published")
    figures = {
        "innovation_count": totals.get(TOTAL_KEY, 0),
        # Organisations that lead a published innovation or have adopted one.
        "organisation_count": Organisation.objects.filter(
            Exists(published.filter(lead_organisation=OuterRef("pk")))
            | Exists(Adoption.objects.public().filter(organisation=OuterRef("pk")))
        ).count(),
        "adoption_count": Adoption.objects.public().active().count(),
        "sectors": sorted(with_totals(Sector, "sector"), key=lambda s: s.name),
        "beneficiaries": sorted(
            with_totals(BeneficiaryGroup, "beneficiary"), key=lambda g: (-g.total, g.name)
        )[:12],
    }
    cache.set("home-figures", figures, HOME_FIGURES_SECONDS)
    return figures


def home(request: HttpRequest) -> HttpResponse:
    context = {
        **_home_figures(),
        "recent": Innovation.objects.published()
        .for_listing()
        .order_by("-published_at", "title")[:6],
        "recently_adopted": Adoption.objects.public()
        .active()
        .select_related("innovation", "organisation", "region")
        .order_by(F("started_on").desc(nulls_last=True), F("created_at").desc())[:6],
    }
    return render(request, "catalogue/home.html", context)


def innovation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An innovation with everything known about its spread: where it was adopted and how far
    each adoption got, its reach over time, its network's rings, its stage and evidence."""
    innovation = _innovation_for_page(request, slug)
    adoptions = list(
        innovation.adoptions.select_related("organisation", "region", "local_authority").order_by(
            "region__position", "organisation__name"
        )
    )
    status_counts, by_region = _adoptions_by_region(adoptions)
    reach = _reach_series(innovation)
    context = {
        "innovation": innovation,
        "adoptions": adoptions,
        # Shown as learning, not hidden: where it was tried and stopped, and why.
        "stopped": [a for a in adoptions if a.status == AdoptionStatus.STOPPED],
        "status_counts": status_counts,
        "by_region": by_region,
        "most_in_a_region": max((total for _, total, _ in by_region), default=0),
        "adoption_map": _adoption_map(adoptions),
        "reach": reach,
        # A line needs two points: measures counted once are in the table only.
        "charts": [
            reach_chart(measure, figures) for measure, figures in reach.items() if len(figures) > 1
        ],
        **_network_rings(innovation),
        **_stages_and_evidence(innovation),
        "similar": similar_to(innovation) if innovation.is_published else [],
        "structured_data": structured_data(request, innovation),
        "interest_to_curators": innovation.is_published
        and adopter_services.interest_goes_to_curators(innovation),
        **_review(request, innovation),
    }
    return render(request, "catalogue/innovation_detail.html", context)


def _innovation_for_page(request: HttpRequest, slug: str) -> Innovation:
    """The innovation if this visitor may see it (published, or theirs, or a curator's), with
    what its page lists read in one query each."""
    return get_object_or_404(
        Innovation.objects.visible_to(request.user)
        .with_vocabularies()
        .select_related("lead_organisation__region")
        .prefetch_related(
            "partners",
            Prefetch("reach", ReachFigure.objects.order_by("measure", "date")),
            Prefetch("resources", Resource.objects.order_by("title")),
        ),
        slug=slug,
    )


RegionRow = tuple[str, int, dict[str, int]]  # place, adoptions there, how many at each status


def _adoptions_by_region(adoptions: list[Adoption]) -> tuple[dict[str, int], list[RegionRow]]:
    """How many adoptions are at each status (statuses in their own order, none left at 0), and
    the same per region, in the regions' own order (the adoptions come sorted by region)."""
    status_counts = {status.label: 0 for status in AdoptionStatus}
    by_region: dict[str, dict[str, int]] = {}
    for adoption in adoptions:
        status = adoption.get_status_display()
        status_counts[status] += 1
        place = adoption.region.name if adoption.region else "Region not recorded"
        counts = by_region.setdefault(place, {})
        counts[status] = counts.get(status, 0) + 1
    rows = [
        (
            place,
            sum(counts.values()),
            {label: counts[label] for label in status_counts if label in counts},
        )
        for place, counts in by_region.items()
    ]
    return {label: n for label, n in status_counts.items() if n}, rows


def _adoption_map(adoptions: list[Adoption]) -> HexMap | None:
    """The hex map of the active adoptions (piloting, adopted, scaled) by local authority,
    counted from the adoptions the page lists already; None when none of them names one."""
    counts = Counter(
        adoption.local_authority.code
        for adoption in adoptions
        if adoption.is_active and adoption.local_authority is not None
    )
    if not counts:
        return None
    search = reverse("catalogue:innovation-list")
    return hex_map(
        counts,
        lambda code: f"{search}?{urlencode({'adopted_in': code})}",
        title="Map of the local authorities where it has been adopted",
    )


def _reach_series(innovation: Innovation) -> dict[str, list[ReachFigure]]:
    """The reach figures, measure by measure, each in date order (as prefetched)."""
    reach: dict[str, list[ReachFigure]] = {}
    for figure in innovation.reach.all():
        reach.setdefault(figure.measure, []).append(figure)
    return reach


def _network_rings(innovation: Innovation) -> dict:
    """The learning network of a published innovation with the size of each ring, and what
    each ring means (an innovation under review has no network to show)."""
    network = (
        Network.objects.filter(innovation=innovation).with_ring_sizes().first()
        if innovation.is_published
        else None
    )
    return {"network": network, "rings": [(ring, RING_DESCRIPTIONS[ring]) for ring in Ring]}


def _stages_and_evidence(innovation: Innovation) -> dict:
    """The seven stages with the innovation's own marked, and its evidence level explained
    beside the whole scale."""
    stages = list(Stage)
    return {
        "stages": list(enumerate(stages, start=1)),
        "stage_number": stages.index(Stage(innovation.stage)) + 1 if innovation.stage else None,
        "evidence_explanation": EVIDENCE_LEVEL_EXPLANATIONS.get(innovation.evidence_level or 0),
        "evidence_levels": sorted(EVIDENCE_LEVEL_EXPLANATIONS.items()),
    }


def _review(request: HttpRequest, innovation: Innovation) -> dict[str, Any]:
    """Whether the page offers this visitor the links to change the innovation and, for its
    owners and curators, the changes proposed to it (waiting, or the last decided), how
    complete it is and what it lacks (catalogue.completeness), and whether they may confirm it
    is up to date (catalogue.freshness)."""
    if not catalogue_services.can_edit(request.user, innovation):
        return {"can_edit": False}
    revision = catalogue_services.latest_revision(innovation)
    curator = request.user.is_staff
    found = completeness.of(innovation)
    return {
        "can_edit": True,
        "revision": revision,
        "proposed": revisions.changes(revision, compared=False) if revision else [],
        "completeness": found,
        "gaps": completeness.gaps(innovation, curator=curator, found=found),
        # Whoever may edit it and is no curator is one of its owners (can_edit).
        "is_owner": not curator,
    }


# JSON inside <script>: nothing in it can close the element or start markup.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def structured_data(request: HttpRequest, innovation: Innovation) -> str:
    """schema.org markup of an innovation's page, for search engines (JSON-LD)."""

    def organisation(org: Organisation) -> dict:
        return {
            "@type": "Organization",
            "name": org.name,
            "url": request.build_absolute_uri(org.get_absolute_url()),
        }

    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "name": innovation.title,
        "description": innovation.summary,
        "url": request.build_absolute_uri(innovation.get_absolute_url()),
        "keywords": [s.name for s in innovation.sectors.all()]
        + [b.name for b in innovation.beneficiaries.all()],
        "spatialCoverage": [r.name for r in innovation.regions.all()],
        "dateModified": (innovation.last_reviewed_on or innovation.updated_at).isoformat(),
    }
    if innovation.published_at:
        data["datePublished"] = innovation.published_at.date().isoformat()
    if innovation.lead_organisation:
        data["creator"] = organisation(innovation.lead_organisation)
    partners = [organisation(p) for p in innovation.partners.all()]
    if partners:
        data["contributor"] = partners
    if innovation.year_started:
        data["temporalCoverage"] = f"{innovation.year_started}/.."
    if innovation.source:
        data["citation"] = innovation.source
    return json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.select_related("region"), slug=slug)
    led = Innovation.objects.published().for_listing().filter(lead_organisation=organisation)
    partnered = Innovation.objects.published().filter(partners=organisation).order_by("title")
    adoptions = (
        Adoption.objects.public()
        .filter(organisation=organisation)
        .select_related("innovation", "region")
        .order_by("innovation__title")
    )
    if not (led.exists() or partnered.exists() or adoptions.exists()):
        raise Http404("Organisations known only through unpublished entries are not public.")
    return render(
        request,
        "catalogue/organisation_detail.html",
        {
            "organisation": organisation,
            "led": led.order_by("title"),
            "partnered": partnered,
            "adoptions": adoptions,
        },
    )


def how_spread(request: HttpRequest) -> HttpResponse:
    """Scaling out, up and deep; routes; stages; evidence; networks, in the project's words."""
    context = {
        "stages": [(stage, STAGE_EXPLANATIONS[stage]) for stage in Stage],
        "evidence_levels": sorted(EVIDENCE_LEVEL_EXPLANATIONS.items()),
        "rings": [(ring, RING_DESCRIPTIONS[ring]) for ring in Ring],
    }
    return render(request, "catalogue/how_spread.html", context)
