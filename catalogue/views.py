"""Public pages: only published innovations (and what hangs off them) are shown."""

from __future__ import annotations

import csv
import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.forms import inlineformset_factory
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from adopters.choices import AdoptionStatus
from adopters.models import Adoption
from catalogue import services
from catalogue.charts import reach_chart
from catalogue.choices import (
    EVIDENCE_LEVEL_EXPLANATIONS,
    STAGE_EXPLANATIONS,
    ModerationStatus,
    ResourceKind,
    Stage,
)
from catalogue.facets import FACET_CODES, KEY_BASE, TOTAL_KEY
from catalogue.filtersets import InnovationFilterSet
from catalogue.forms import SubmissionForm
from catalogue.models import (
    BeneficiaryGroup,
    FacetTotal,
    Innovation,
    Organisation,
    ReachFigure,
    Region,
    Resource,
    ScalingRoute,
    Sector,
)
from catalogue.search import SearchError, filterset_for, search
from catalogue.similar import similar_to
from catalogue.utils import Echo, csv_cell
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

    def with_totals(vocabulary, facet: str) -> list:
        items = list(vocabulary.objects.all())
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


def _without(params: QueryDict, name: str, value: str | None = None) -> str:
    """The query string with one value (or a whole parameter) removed, back on page one."""
    kept = params.copy()
    kept.pop("page", None)
    if value is None:
        kept.pop(name, None)
    else:  # values are compared as the filter set reads them: stripped
        kept.setlist(name, [v for v in kept.getlist(name) if v.strip() != value])
    return kept.urlencode()


def _with_page(params: QueryDict, page: int) -> str:
    changed = params.copy()
    changed["page"] = str(page)
    return changed.urlencode()


def page_numbers(page: int, last: int) -> list[int | None]:
    """The page links GOV.UK's pagination shows: the first, the last, and those either side of
    the current page, with None where pages are left out (an ellipsis)."""
    shown = sorted({1, last, *range(max(1, page - 1), min(last, page + 1) + 1)})
    numbers: list[int | None] = []
    for n in shown:
        if numbers and n - numbers[-1] > 1:
            numbers.append(n - 1 if n - numbers[-1] == 2 else None)
        numbers.append(n)
    return numbers


def innovation_list(request: HttpRequest) -> HttpResponse:
    """The search page: the same parameters, results and counts as GET /api/v1/innovations/."""
    params = request.GET
    labels = {name: f.label for name, f in InnovationFilterSet.base_filters.items()}
    context: dict = {
        "params": params,
        "query_string": params.urlencode(),
        "sort_choices": InnovationFilterSet.base_filters["sort"].extra["choices"],
        "labels": labels,
    }
    try:
        result = search(params)
    except SearchError as exc:
        # Only the keywords box is drawn on an error page (the filters need a result to show
        # their counts), so only a problem with the keywords links to its field.
        context["errors"] = [
            (labels.get(name, name), "f-q" if name == "q" else "", msgs)
            for name, msgs in exc.errors.items()
        ]
        return _search_page(request, context, status=400)

    chosen = []
    for facet, values in result.facets.items():
        for value in values:
            if value.selected:
                chosen.append(
                    (labels[facet], value.label, _without(params, facet, str(value.value)))
                )
    context.update(
        result=result,
        default_sort="relevance" if result.q else "newest",
        facet_groups=[
            (facet, labels[facet], values) for facet, values in result.facets.items() if values
        ],
        chosen=chosen,
        # Past the last page (allowed, and empty), "Previous" leads back to the last one.
        previous_query=_with_page(params, min(result.page - 1, max(result.num_pages, 1)))
        if result.has_previous
        else None,
        next_query=_with_page(params, result.page + 1) if result.has_next else None,
        page_links=[
            (n, None if n is None else _with_page(params, n))
            for n in page_numbers(result.page, result.num_pages)
        ],
        export_query=_without(params, "page"),
    )
    return _search_page(request, context)


def _search_page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    """The whole page, or for htmx only the part it replaces (filters, counts, results)."""
    partial = request.htmx and not request.htmx.history_restore_request
    template = "catalogue/_search.html" if partial else "catalogue/innovation_list.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


CSV_COLUMNS = [
    "slug",
    "title",
    "summary",
    "url",
    "stage",
    "kind",
    "evidence_level",
    "adoption_count",
    "lead_organisation",
    "organisation_kind",
    "sectors",
    "beneficiaries",
    "scaling_ways",
    "scaling_routes",
    "regions",
    "cost_band",
    "year_started",
    "website",
    "published_at",
]


def innovation_csv(request: HttpRequest) -> HttpResponse:
    """Every innovation matching the search, streamed as CSV (sorted as the page is)."""
    try:
        filterset = filterset_for(request.GET)
    except SearchError as exc:
        return bad_search(exc)
    innovations = (
        filterset.qs.select_related("lead_organisation")
        .prefetch_related(
            Prefetch("sectors", Sector.objects.order_by("name")),
            Prefetch("beneficiaries", BeneficiaryGroup.objects.order_by("name")),
            Prefetch("scaling_routes", ScalingRoute.objects.order_by("name")),
            Prefetch("regions", Region.objects.order_by("position")),
        )
        .iterator(chunk_size=500)
    )
    writer = csv.writer(Echo())
    base = request.build_absolute_uri("/")[:-1]

    def rows():
        yield writer.writerow(CSV_COLUMNS)
        for i in innovations:
            yield writer.writerow(
                csv_cell(value)
                for value in [
                    i.slug,
                    i.title,
                    i.summary,
                    base + i.get_absolute_url(),
                    i.stage,
                    i.kind,
                    i.evidence_level,
                    i.adoption_count,
                    i.lead_organisation.name if i.lead_organisation else "",
                    i.organisation_kind,
                    "; ".join(s.name for s in i.sectors.all()),
                    "; ".join(b.name for b in i.beneficiaries.all()),
                    "; ".join(i.scaling_ways),
                    "; ".join(r.name for r in i.scaling_routes.all()),
                    "; ".join(r.slug for r in i.regions.all()),
                    i.cost_band,
                    i.year_started,
                    i.website,
                    i.published_at.isoformat() if i.published_at else "",
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="innovations.csv"'
    return response


def bad_search(exc: SearchError) -> HttpResponse:
    """A 400 in plain text naming each malformed parameter (for the CSV and the feed)."""
    lines = [f"{name}: {' '.join(messages)}" for name, messages in exc.errors.items()]
    return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")


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
    # Where it has been adopted: per region, in the regions' own order, how many at each status.
    by_region: dict[str, dict[str, int]] = {}
    for adoption in adoptions:
        status_counts[adoption.get_status_display()] += 1
        place = adoption.region.name if adoption.region else "Region not recorded"
        counts = by_region.setdefault(place, {})
        counts[adoption.get_status_display()] = counts.get(adoption.get_status_display(), 0) + 1
    reach: dict[str, list[ReachFigure]] = {}
    for figure in innovation.reach.all():
        reach.setdefault(figure.measure, []).append(figure)
    network = (
        Network.objects.filter(innovation=innovation).with_ring_sizes().first()
        if innovation.is_published
        else None
    )
    by_region_rows = [
        (
            place,
            sum(counts.values()),
            {label: counts[label] for label in status_counts if label in counts},
        )
        for place, counts in by_region.items()
    ]
    stages = list(Stage)
    stage_number = stages.index(innovation.stage) + 1 if innovation.stage else None
    context = {
        "innovation": innovation,
        "adoptions": adoptions,
        "status_counts": {k: v for k, v in status_counts.items() if v},
        "by_region": by_region_rows,
        "reach": reach,
        # A line needs two points: measures counted once are in the table only.
        "charts": [
            reach_chart(measure, figures) for measure, figures in reach.items() if len(figures) > 1
        ],
        "most_in_a_region": max((total for _, total, _ in by_region_rows), default=0),
        "network": network,
        "rings": [(ring, RING_DESCRIPTIONS[ring]) for ring in Ring],
        "stages": [(n, stage) for n, stage in enumerate(stages, start=1)],
        "stage_number": stage_number,
        "similar": similar_to(innovation) if innovation.is_published else [],
        "structured_data": structured_data(request, innovation),
        "evidence_explanation": EVIDENCE_LEVEL_EXPLANATIONS.get(innovation.evidence_level or 0),
        "evidence_levels": sorted(EVIDENCE_LEVEL_EXPLANATIONS.items()),
        "can_edit": request.user.is_authenticated
        and (request.user.is_staff or innovation.owners.filter(pk=request.user.pk).exists()),
    }
    return render(request, "catalogue/innovation_detail.html", context)


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

    data = {
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


def reach_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """An innovation's reach figures as CSV, for the chart's readers who want the numbers."""
    innovation = get_object_or_404(Innovation.objects.visible_to(request.user), slug=slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{innovation.slug}-reach.csv"'
    writer = csv.writer(response)
    writer.writerow(["measure", "date", "value", "source"])
    for figure in innovation.reach.order_by("measure", "date"):
        writer.writerow(
            [csv_cell(figure.measure), figure.date, figure.value, csv_cell(figure.source)]
        )
    return response


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


def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy.html",
        {
            "confirm_days": settings.REGISTRATION_CONFIRM_DAYS,
            "privacy_contact": settings.PRIVACY_CONTACT,
        },
    )


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html", {"contact": settings.ACCESSIBILITY_CONTACT})


def how_spread(request: HttpRequest) -> HttpResponse:
    """Scaling out, up and deep; routes; stages; evidence; networks, in the project's words."""
    context = {
        "stages": [(stage, STAGE_EXPLANATIONS[stage]) for stage in Stage],
        "evidence_levels": sorted(EVIDENCE_LEVEL_EXPLANATIONS.items()),
        "rings": [(ring, RING_DESCRIPTIONS[ring]) for ring in Ring],
    }
    return render(request, "catalogue/how_spread.html", context)


# How many of a resource's innovations the resources page names; the rest are counted.
RESOURCE_INNOVATIONS_SHOWN = 5


def resources(request: HttpRequest) -> HttpResponse:
    """The signposting directory: advice, toolkits, funding, evaluations, research and networks
    (recommendation 8 of the 2011 Capability Building Programme report), by kind."""
    chosen = request.GET.getlist("kind")
    unknown = [kind for kind in chosen if kind not in ResourceKind.values]
    # A resource names its first few published innovations and counts the rest: two queries
    # however many are linked (the slice becomes a window function in the prefetch).
    listed = (
        Resource.objects.annotate(
            published_count=Count(
                "innovations", filter=Q(innovations__status=ModerationStatus.PUBLISHED)
            )
        )
        .prefetch_related(
            Prefetch(
                "innovations",
                Innovation.objects.published()
                .order_by("title", "pk")
                .only("slug", "title")[:RESOURCE_INNOVATIONS_SHOWN],
                to_attr="published_innovations",
            )
        )
        .order_by("title")
    )
    if chosen and not unknown:
        listed = listed.filter(kind__in=chosen)
    by_kind: dict[str, list[Resource]] = {kind: [] for kind in ResourceKind.values}
    for resource in listed:
        resource.more_innovations = resource.published_count - len(resource.published_innovations)
        by_kind[resource.kind].append(resource)
    context = {
        "kinds": [(kind, label, kind in chosen) for kind, label in ResourceKind.choices],
        "groups": [
            (kind, ResourceKind(kind).label, items) for kind, items in by_kind.items() if items
        ],
        "count": sum(len(items) for items in by_kind.values()),
        "unknown": unknown,
    }
    return render(request, "catalogue/resources.html", context, status=400 if unknown else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def submit_innovation(request: HttpRequest) -> HttpResponse:
    """Innovators describe their innovation; it goes to the curators' review, and its page
    (visible to its owners) says where it stands."""
    if not request.user.is_authenticated:
        return render(request, "catalogue/submit_start.html")
    form = SubmissionForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        innovation = services.submit_new(form, request.user)
        messages.success(
            request,
            f"“{innovation.title}” is with the curators for review. Only you and they can see "
            "it until it is published. Its status is shown here and on your account page.",
        )
        return redirect(innovation)
    return render(
        request, "catalogue/submit.html", {"form": form}, status=400 if form.errors else 200
    )


ReachFormSet = inlineformset_factory(
    Innovation,
    ReachFigure,
    fields=["measure", "value", "date", "source"],
    labels={
        "measure": "What is counted",
        "value": "How many",
        "date": "On what date",
        "source": "Source (optional)",
    },
    help_texts={"measure": 'For example "groups" or "people supported".'},
    # A text box for numbers, as GOV.UK advises: number inputs mangle and hide what was typed.
    widgets={
        "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        "value": forms.TextInput(attrs={"inputmode": "numeric"}),
    },
    error_messages={
        "measure": {"required": "Say what is counted"},
        "value": {"required": "Enter how many", "invalid": "Enter a whole number"},
        "date": {"required": "Enter the date", "invalid": "Enter a real date, like 2025-03-31"},
    },
    extra=2,
    can_delete=True,
)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_reach(request: HttpRequest, slug: str) -> HttpResponse:
    """An innovation's owners (and curators) keep its reach figures up to date."""
    innovation = get_object_or_404(Innovation.objects.visible_to(request.user), slug=slug)
    if not (request.user.is_staff or innovation.owners.filter(pk=request.user.pk).exists()):
        raise PermissionDenied("Only the innovation's owners and curators edit its figures.")
    formset = ReachFormSet(
        request.POST if request.method == "POST" else None,
        instance=innovation,
        queryset=ReachFigure.objects.filter(innovation=innovation).order_by("measure", "date"),
        prefix="reach",
    )
    if formset.is_bound and formset.is_valid():
        try:
            with transaction.atomic():
                formset.save()
        except IntegrityError:
            formset._non_form_errors = formset.error_class(
                ["Someone changed these figures just now. Check them and save again."]
            )
        else:
            return redirect(f"{innovation.get_absolute_url()}#reach")
    return render(
        request,
        "catalogue/reach_form.html",
        {"innovation": innovation, "formset": formset},
        status=400
        if formset.is_bound and not formset.is_valid() or formset.non_form_errors()
        else 200,
    )
