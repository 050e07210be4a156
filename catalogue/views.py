"""Public pages: only published innovations (and what hangs off them) are shown."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import urlencode

from adopters.choices import AdoptionStatus
from adopters.models import Adoption
from catalogue.choices import EVIDENCE_LEVEL_EXPLANATIONS, Stage
from catalogue.models import (
    BeneficiaryGroup,
    Innovation,
    Organisation,
    ReachFigure,
    Resource,
    Sector,
)
from networks.choices import RING_DESCRIPTIONS, Ring
from networks.models import Network

PAGE_SIZE = 20


def home(request: HttpRequest) -> HttpResponse:
    published = Innovation.objects.published()
    adoptions = Adoption.objects.public()
    context = {
        "innovation_count": published.count(),
        "organisation_count": Organisation.objects.filter(
            Q(led_innovations__status="published") | Q(adoptions__innovation__status="published")
        )
        .distinct()
        .count(),
        "adoption_count": adoptions.active().count(),
        "sectors": Sector.objects.annotate(
            total=Count("innovations", filter=Q(innovations__status="published"))
        )
        .filter(total__gt=0)
        .order_by("name"),
        "beneficiaries": BeneficiaryGroup.objects.annotate(
            total=Count("innovations", filter=Q(innovations__status="published"))
        )
        .filter(total__gt=0)
        .order_by("-total", "name")[:12],
        "recent": published.for_listing().order_by("-published_at", "title")[:6],
        "recently_adopted": adoptions.select_related("innovation", "organisation", "region")
        .active()
        .order_by(F("started_on").desc(nulls_last=True), "-created_at")[:6],
    }
    return render(request, "catalogue/home.html", context)


def innovation_list(request: HttpRequest) -> HttpResponse:
    """A plain, paged list of published innovations with a simple text search.

    The faceted search (shared/CONTRACT.md) replaces this in its own issue.
    """
    innovations = Innovation.objects.published().for_listing()
    q = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    sector = request.GET.get("sector", "").strip()[:110]
    beneficiary = request.GET.get("beneficiary", "").strip()[:110]
    if q:
        query = SearchQuery(q, search_type="websearch", config="english_unaccent")
        innovations = (
            innovations.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "title")
        )
    else:
        innovations = innovations.order_by("title")
    if sector:
        innovations = innovations.filter(sectors__slug=sector)
    if beneficiary:
        innovations = innovations.filter(beneficiaries__slug=beneficiary)
    paginator = Paginator(innovations, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "catalogue/innovation_list.html",
        {
            "page": page,
            "q": q,
            "sector": Sector.objects.filter(slug=sector).first() if sector else None,
            "sectors": Sector.objects.order_by("name"),
            "beneficiary": BeneficiaryGroup.objects.filter(slug=beneficiary).first()
            if beneficiary
            else None,
            "beneficiaries": BeneficiaryGroup.objects.order_by("name"),
            "query_string": _query_string(q, sector, beneficiary),
        },
    )


def _query_string(q: str, sector: str, beneficiary: str) -> str:
    """The list's filters as a query string prefix for page links."""
    params = {"q": q, "sector": sector, "beneficiary": beneficiary}
    return "".join(f"{urlencode({k: v})}&" for k, v in params.items() if v)


def innovation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    innovation = get_object_or_404(
        Innovation.objects.visible_to(request.user)
        .select_related("lead_organisation__region")
        .prefetch_related(
            "sectors",
            "beneficiaries",
            "scaling_routes",
            "regions",
            "partners",
            Prefetch("reach", ReachFigure.objects.order_by("measure", "date")),
            Prefetch("resources", Resource.objects.order_by("title")),
        ),
        slug=slug,
    )
    adoptions = list(
        innovation.adoptions.select_related("organisation", "region").order_by(
            "region__position", "organisation__name"
        )
    )
    status_counts = {status.label: 0 for status in AdoptionStatus}
    for adoption in adoptions:
        status_counts[adoption.get_status_display()] += 1
    reach: dict[str, list[ReachFigure]] = {}
    for figure in innovation.reach.all():
        reach.setdefault(figure.measure, []).append(figure)
    network = (
        Network.objects.filter(innovation=innovation).with_ring_sizes().first()
        if innovation.is_published
        else None
    )
    stages = list(Stage)
    context = {
        "innovation": innovation,
        "adoptions": adoptions,
        "status_counts": {k: v for k, v in status_counts.items() if v},
        "reach": reach,
        "network": network,
        "rings": [(ring, RING_DESCRIPTIONS[ring]) for ring in Ring],
        "stages": stages,
        "stage_number": [s.value for s in stages].index(innovation.stage) + 1
        if innovation.stage
        else None,
        "evidence_explanation": EVIDENCE_LEVEL_EXPLANATIONS.get(innovation.evidence_level or 0),
    }
    return render(request, "catalogue/innovation_detail.html", context)


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


def network_detail(request: HttpRequest, slug: str) -> HttpResponse:
    network = get_object_or_404(
        Network.objects.public().select_related("innovation").with_ring_sizes(), slug=slug
    )
    return render(
        request,
        "networks/network_detail.html",
        {"network": network, "rings": [(ring, RING_DESCRIPTIONS[ring]) for ring in Ring]},
    )
