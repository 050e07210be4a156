"""Public pages: only published innovations (and what hangs off them) are shown."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q
from django.forms import inlineformset_factory
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    QueryDict,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST

from catalogue import completeness, freshness, services
from catalogue.choices import (
    ModerationStatus,
    ResourceKind,
)
from catalogue.facets import SORTS
from catalogue.filtersets import LABELS
from catalogue.forms import EditForm, SubmissionForm
from catalogue.hexmap import HexMap, hex_map
from catalogue.models import (
    Innovation,
    ReachFigure,
    Resource,
)
from catalogue.search import SearchError, criteria, ordered_ids, search
from kernel.downloads import by_id, csv_download
from kernel.http import AuthenticatedHttpRequest, HtmxHttpRequest
from kernel.text import csv_cell

if TYPE_CHECKING:
    from django.forms import BaseInlineFormSet, ModelForm


def _without(params: QueryDict, name: str, value: str | None = None) -> str:
    """The query string with one value (or a whole parameter) removed, back on page one."""
    kept = params.copy()
    kept.pop("page", None)
    if value is None:
        kept.pop(name, None)
    else:  # values are compared as the search reads them: stripped
        kept.setlist(name, [v for v in kept.getlist(name) if v.strip() != value])
    return kept.urlencode()


def _with_page(params: QueryDict, page: int) -> str:
    changed = params.copy()
    changed["page"] = str(page)
    return changed.urlencode()


def _setting(params: QueryDict, name: str, value: str) -> str:
    """The query string with one parameter set to one value (whatever it said before), back
    on page one."""
    changed = params.copy()
    changed.pop("page", None)
    changed.setlist(name, [value])
    return changed.urlencode()


def _places_map(params: QueryDict, places: dict[str, int]) -> HexMap | None:
    """The map of where the innovations of this search have been adopted (`places`: counted by
    the search itself, in its one statement), or None when none has been anywhere named."""
    if not places:
        return None
    return hex_map(
        places,
        # Whatever `adopted_in` said is replaced, so the results are as many as the map counted.
        lambda code: f"?{_setting(params, 'adopted_in', code)}",
        title="Map of the local authorities where these innovations have been adopted",
        noun=("innovation", "innovations"),
        id_prefix="search-map",
        chosen=[code.strip() for code in params.getlist("adopted_in")],
    )


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


def innovation_list(request: HtmxHttpRequest) -> HttpResponse:
    """The search page: the same parameters, results and counts as GET /api/v1/innovations/."""
    params = request.GET
    labels = LABELS
    context: dict = {
        "params": params,
        "query_string": params.urlencode(),
        "sort_choices": [(sort.name, sort.label) for sort in SORTS],
        "labels": labels,
    }
    try:
        result = search(params, places=True)
    except SearchError as exc:
        # Only the keywords box is drawn on an error page (the filters need a result to show
        # their counts), so only a problem with the keywords links to its field.
        context["problems"] = [
            ("f-q" if name == "q" else "", f"{labels.get(name, name)}: {' '.join(msgs)}")
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
        as_typed_query=_setting(params, "as_typed", "yes") if result.corrected_q else None,
        places_map=_places_map(params, result.places),
    )
    return _search_page(request, context)


def _search_page(request: HtmxHttpRequest, context: dict, status: int = 200) -> HttpResponse:
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
    # In every row, so that a row copied elsewhere still says under what terms (docs/api.md).
    "licence",
]


# How many innovations the CSV export reads at a time, with their vocabularies.
CSV_CHUNK_SIZE = 500


def innovation_csv(request: HttpRequest) -> HttpResponseBase:
    """Every innovation matching the search, streamed as CSV: the rows of the API's pages, in
    their order (`search.ordered_ids`), read a chunk at a time."""
    try:
        wanted = criteria(request.GET)
    except SearchError as exc:
        return bad_search(exc)
    exported = Innovation.objects.published().with_vocabularies()
    base = request.build_absolute_uri("/")[:-1]

    def rows() -> Iterator[list[object]]:
        for i in by_id(ordered_ids(wanted), exported, CSV_CHUNK_SIZE):
            yield [
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
                licence,
            ]

    licence = settings.CONTENT_LICENCE_URL
    response = csv_download(CSV_COLUMNS, rows(), "innovations.csv")
    response["Link"] = f'<{licence}>; rel="license"'
    return response


def bad_search(exc: SearchError) -> HttpResponse:
    """A 400 in plain text naming each malformed parameter (for the CSV and the feed)."""
    lines = [f"{name}: {' '.join(messages)}" for name, messages in exc.errors.items()]
    return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")


def reach_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """An innovation's reach figures as CSV, for the chart's readers who want the numbers."""
    innovation = get_object_or_404(Innovation.objects.visible_to(request.user), slug=slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{innovation.slug}-reach.csv"'
    # Published figures are under the content's licence; a draft's (its owners' own) under none yet.
    licence = settings.CONTENT_LICENCE_URL if innovation.is_published else ""
    if licence:
        response["Link"] = f'<{licence}>; rel="license"'
    writer = csv.writer(response)
    writer.writerow(["measure", "date", "value", "source", "licence"])
    for figure in innovation.reach.order_by("measure", "date"):
        writer.writerow(
            [csv_cell(figure.measure), figure.date, figure.value, csv_cell(figure.source), licence]
        )
    return response


def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy.html",
        {
            "confirm_days": settings.REGISTRATION_CONFIRM_DAYS,
            "privacy_contact": settings.PRIVACY_CONTACT,
            "demo_contact": _is_demo(settings.PRIVACY_CONTACT),
        },
    )


def accessibility(request: HttpRequest) -> HttpResponse:
    contact = settings.ACCESSIBILITY_CONTACT
    return render(
        request, "accessibility.html", {"contact": contact, "demo_contact": _is_demo(contact)}
    )


def _is_demo(contact: str) -> bool:
    """Whether the page gives the demo's own address (settings.DEMO_CONTACT), to be said so."""
    return bool(contact) and contact == settings.DEMO_CONTACT


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
    # Each resource with how many more innovations it is linked to than it names.
    by_kind: dict[str, list[tuple[Resource, int]]] = {kind: [] for kind in ResourceKind.values}
    for resource in listed:
        more = resource.published_count - len(resource.published_innovations)
        by_kind[resource.kind].append((resource, more))
    context = {
        "kinds": [(kind, label, kind in chosen) for kind, label in ResourceKind.choices],
        "groups": [
            (kind, ResourceKind(kind).label, items) for kind, items in by_kind.items() if items
        ],
        "count": sum(len(items) for items in by_kind.values()),
        "unknown": unknown,
        "problems": [
            (
                f"kind-{ResourceKind.values[0]}",
                "Choose kinds of resource from the list (there is no kind “{}”)".format(
                    "”, “".join(unknown)
                ),
            )
        ]
        if unknown
        else [],
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
        innovation = services.create_innovation(
            form.values(),
            by=request.user,
            status=ModerationStatus.SUBMITTED,
            absolute=request.build_absolute_uri,
        )
        checked = (
            " A curator will also check the organisation you named, which is already in the "
            "catalogue, before it is shown as the lead."
            if services.pending_revision(innovation)
            else ""
        )
        messages.success(
            request,
            f"“{innovation.title}” is with the curators for review. Only you and they can see "
            "it until it is published. Its status is shown here and on your account page."
            + checked,
        )
        return redirect(innovation)
    return render(
        request, "catalogue/submit.html", {"form": form}, status=400 if form.errors else 200
    )


def _editable(request: AuthenticatedHttpRequest, slug: str) -> Innovation:
    """The innovation if this person may edit it: 404 when they cannot see it at all, 403
    when they can see it but not change it."""
    innovation = get_object_or_404(Innovation.objects.visible_to(request.user), slug=slug)
    if not services.can_edit(request.user, innovation):
        raise PermissionDenied("Only the innovation's owners and curators change it.")
    return innovation


# What an owner is told once their edit is saved, by what became of it.
_EDITED = {
    "held": "Your changes are waiting for a curator. Until one accepts them, everyone else "
    "sees “{title}” as it was; you will hear by email either way.",
    "submitted": "“{title}” is with the curators for review. You will hear by email when "
    "they publish it or send it back.",
    "saved": "Your changes to “{title}” are saved.",
}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_innovation(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Owners (and curators) change an innovation with the submission's questions. On a
    published entry the changes wait for a curator (catalogue.services.edit_innovation);
    a draft, or one sent back, is changed at once and may be sent for review again."""
    innovation = _editable(request, slug)
    revision = services.pending_revision(innovation)
    form = EditForm(
        request.POST if request.method == "POST" else None,
        innovation=innovation,
        proposed=services.proposed_values(revision) if revision else None,
    )
    if form.is_bound and form.is_valid():
        send = "send" in request.POST and innovation.status == ModerationStatus.DRAFT
        waiting = revision.version if revision else None
        try:
            services.edit_innovation(
                innovation,
                form.changes(),
                by=request.user,
                status=ModerationStatus.SUBMITTED if send else None,
                absolute=request.build_absolute_uri,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        except services.ModerationError as error:
            form.add_error(None, str(error))
        else:
            now = services.pending_revision(innovation)
            held = now is not None and now.version != waiting
            outcome = "submitted" if send else "held" if held else "saved"
            messages.success(request, _EDITED[outcome].format(title=innovation.title))
            return redirect(innovation)
    return render(
        request,
        "catalogue/edit.html",
        {
            "form": form,
            "innovation": innovation,
            "revision": revision,
            "gaps": completeness.gaps(innovation, curator=request.user.is_staff, where="edit"),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def confirm_current(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The page an owner reaches from the yearly email, signed in or not: the entry as it
    stands, and one button (a POST, so that a mail scanner opening the link confirms nothing)
    to confirm it is still right, or a link to change it. A link that cannot confirm anything
    says why."""
    try:
        link = freshness.review_link(token)
        if link.innovation.slug != slug and request.method != "POST":
            return redirect("catalogue:confirm-current", slug=link.innovation.slug, token=token)
        if request.method == "POST":
            innovation = freshness.confirm_by_link(link)
            return render(request, "catalogue/confirmed.html", {"innovation": innovation})
    except freshness.InvalidLink as exc:
        return render(
            request,
            "catalogue/confirm_invalid.html",
            {"problem": str(exc), "slug": slug},
            status=400,
        )
    innovation = link.innovation
    return render(
        request,
        "catalogue/confirm_current.html",
        {
            "innovation": innovation,
            "owner": link.owner,
            "gaps": completeness.gaps(innovation),
        },
    )


@login_required
@require_POST
def reviewed(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """From the entry's page: an owner confirms it is up to date, or a curator marks it
    reviewed (catalogue.freshness)."""
    innovation = _editable(request, slug)
    try:
        if request.user.is_staff:
            freshness.mark_reviewed(innovation, by=request.user)
            messages.success(request, f"“{innovation.title}” is marked reviewed today.")
        else:
            freshness.confirm_current(innovation, by=request.user)
            messages.success(request, f"Thank you: “{innovation.title}” is confirmed up to date.")
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    return redirect(innovation)


@login_required
@require_POST
def withdraw_changes(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """An owner takes back the changes they proposed, before a curator decides on them."""
    innovation = _editable(request, slug)
    revision = services.pending_revision(innovation)
    if revision is not None:
        try:
            services.withdraw_revision(revision, by=request.user)
        except services.ModerationError as error:
            messages.warning(request, str(error))
            return redirect(innovation)
    messages.success(request, "Your proposed changes are withdrawn.")
    return redirect(innovation)


ReachFormSet: type[BaseInlineFormSet[ReachFigure, Innovation, ModelForm[ReachFigure]]]
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
def edit_reach(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """An innovation's owners (and curators) keep its reach figures up to date."""
    innovation = get_object_or_404(Innovation.objects.visible_to(request.user), slug=slug)
    if not services.can_edit(request.user, innovation):
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
            # Formsets have no public way to add an error after validation; the stubs leave
            # out the attribute non_form_errors() reads.
            formset._non_form_errors = formset.error_class(  # type: ignore[attr-defined]
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
