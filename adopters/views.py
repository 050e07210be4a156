"""Registering interest in an innovation and confirming it from the emailed link; the
innovator's dashboard of the interest their innovations received; adoptions, their stories,
and the follow-up's form."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.request import Request

from adopters import follow_ups, services
from adopters.choices import RegistrationStatus
from adopters.forms import AdoptionForm, FollowUpForm, RegistrationForm
from adopters.models import Adoption
from catalogue import completeness
from catalogue.models import Innovation
from kernel.api import client_address
from kernel.downloads import csv_download, in_chunks
from kernel.http import AuthenticatedHttpRequest
from kernel.text import row_id

logger = logging.getLogger(__name__)


def sender_key(request: HttpRequest | Request) -> str:
    """The rate limit's key for whoever sent the request (behind API_NUM_PROXIES proxies)."""
    return services.client_key(client_address(request))


@require_http_methods(["GET", "HEAD", "POST"])
def register_interest(request: HttpRequest, slug: str) -> HttpResponse:
    innovation = get_object_or_404(Innovation.objects.published(), slug=slug)
    form = RegistrationForm(
        request.POST if request.method == "POST" else None, innovation=innovation
    )
    if form.is_bound and form.is_valid():
        if form.is_spam:
            # Whatever filled in the hidden field is told what a person would be, and nothing
            # is kept.
            logger.info("Registration of interest refused: honeypot filled")
            return redirect("adopters:registered", slug=innovation.slug)
        try:
            services.register_interest(
                innovation,
                details=form.details,
                key=sender_key(request),
                absolute=request.build_absolute_uri,
            )
        except services.RateLimited as exc:
            response = render(
                request,
                "adopters/rate_limited.html",
                {"innovation": innovation, "minutes": -(-exc.retry_after // 60)},
                status=429,
            )
            response["Retry-After"] = str(exc.retry_after)
            return response
        return redirect("adopters:registered", slug=innovation.slug)
    return render(
        request,
        "adopters/register_interest.html",
        {"innovation": innovation, "form": form},
        status=400 if form.errors else 200,
    )


def registered(request: HttpRequest, slug: str) -> HttpResponse:
    innovation = get_object_or_404(Innovation.objects.published(), slug=slug)
    return render(
        request,
        "adopters/registered.html",
        {"innovation": innovation, "days": settings.REGISTRATION_CONFIRM_DAYS},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what is being confirmed; only the button (a POST) confirms, so that a mail
    scanner opening the link does not confirm on the person's behalf."""
    try:
        registration = services.registration_for(token)
    except services.InvalidLink as exc:
        return render(request, "adopters/confirm_invalid.html", {"problem": str(exc)}, status=400)
    if request.method == "POST":
        services.confirm_registration(registration, absolute=request.build_absolute_uri)
        return redirect("adopters:confirm", token=token)
    return render(request, "adopters/confirm.html", {"registration": registration})


class ReceivedFilter(forms.Form):
    """The dashboard's filters for the interest an innovator received."""

    status = forms.ChoiceField(
        choices=[
            ("", "Any status"),
            *[(s.value, s.label) for s in RegistrationStatus if s != RegistrationStatus.NEW],
        ],
        required=False,
    )
    innovation = forms.SlugField(required=False)


def _received(request: AuthenticatedHttpRequest) -> tuple[ReceivedFilter, Any]:
    received = services.registrations_received(request.user)
    filters = ReceivedFilter(request.GET)
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            received = received.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["innovation"]:
            received = received.filter(innovation__slug=filters.cleaned_data["innovation"])
    else:
        received = received.none()
    return filters, received


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An innovator's own page: their innovations (how complete each is, and whether it is due
    a check) and the interest those received."""
    innovations = completeness.with_completeness(
        Innovation.objects.filter(owners=request.user)
        .with_latest_revision()
        .annotate(
            interest=Count("registrations", filter=Q(registrations__confirmed_at__isnull=False))
        )
        .order_by("title")
    )
    filters, received = _received(request)
    page = Paginator(received, 50).get_page(request.GET.get("page"))
    adoptions = (
        Adoption.objects.filter(recorded_by=request.user)
        .select_related("innovation", "organisation")
        .order_by("-updated_at")
    )
    return render(
        request,
        "adopters/dashboard.html",
        {
            "innovations": innovations,
            "adoptions": adoptions,
            "filters": filters,
            "page": page,
            "query": request.GET.urlencode(),
            "follow_up": services.FOLLOW_UP_STATUSES,
            "api_token": services.api_token_of(request.user),
        },
        status=400 if filters.errors else 200,
    )


@login_required
@require_POST
def revoke_api_token(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person revokes their API token: whatever holds it can no longer act for them."""
    if services.revoke_api_tokens(request.user):
        messages.success(request, "Your API token is revoked.")
    return redirect(reverse("accounts:dashboard") + "#api-token")


@login_required
@require_POST
def follow_up(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(services.registrations_received(request.user), pk=pk)
    status = request.POST.get("status", "")
    if status not in services.FOLLOW_UP_STATUSES:
        return HttpResponseBadRequest("Choose one of: " + ", ".join(services.FOLLOW_UP_STATUSES))
    try:
        services.follow_up(registration, status, by=request.user)
    except ValueError as exc:
        return HttpResponseBadRequest(str(exc))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("accounts:dashboard")
    return redirect(f"{back}#registration-{registration.pk}")


_CSV_COLUMNS = [
    ("confirmed_at", "confirmed"),
    ("innovation", "innovation"),
    ("name", "name"),
    ("email", "email"),
    ("organisation_name", "organisation"),
    ("organisation_kind", "organisation kind"),
    ("role", "role"),
    ("region", "region"),
    ("interests", "interests"),
    ("message", "message"),
    ("status", "status"),
]


@login_required
def received_csv(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The interest received, filtered as on the dashboard, as CSV (spreadsheet-safe)."""
    filters, received = _received(request)
    if filters.errors:
        return HttpResponseBadRequest(
            "\n".join(
                # The messages are str already; the stubs say ValidationError | str.
                f"{name}: {' '.join(str(e) for e in errors)}"
                for name, errors in filters.errors.items()
            ),
            content_type="text/plain; charset=utf-8",
        )

    def rows() -> Iterator[list[object]]:
        for registration in in_chunks(received):
            values = {
                "confirmed_at": registration.confirmed_at.isoformat(),
                "innovation": registration.innovation.title,
                "region": registration.region.name if registration.region else "",
                "interests": "; ".join(registration.get_interests_display()),
                "organisation_kind": registration.get_organisation_kind_display(),
                "status": registration.get_status_display(),
            }
            yield [values.get(name, getattr(registration, name)) for name, _ in _CSV_COLUMNS]

    return csv_download([label for _, label in _CSV_COLUMNS], rows(), "interest-received.csv")


# -- Adoptions ------------------------------------------------------------------------------------


def adoption_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An adoption story: who took the innovation up, where, what they changed, how it went."""
    adoption = get_object_or_404(
        Adoption.objects.public().select_related(
            "innovation", "organisation", "region", "local_authority"
        ),
        pk=pk,
    )
    return render(
        request,
        "adopters/adoption_detail.html",
        {
            "adoption": adoption,
            "history": adoption.history.order_by("changed_on", "pk"),
            "can_edit": services.can_edit_adoption(adoption, request.user),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def record_adoption(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Record an adoption of a published innovation (from a registration of interest, when an
    owner of the innovation turns one into an adoption)."""
    innovation = get_object_or_404(Innovation.objects.published(), slug=slug)
    registration = None
    if "registration" in request.GET:
        registration = get_object_or_404(
            services.registrations_received(request.user).filter(
                innovation=innovation, adoption__isnull=True
            ),
            pk=row_id(request.GET["registration"]) or 0,
        )
        initial = {
            "organisation_name": registration.organisation_name,
            "organisation_kind": registration.organisation_kind,
            "region": registration.region_id,
            "contact_name": registration.name,
            "contact_email": registration.email,
        }
    else:
        initial = {
            "contact_name": request.user.get_full_name(),
            "contact_email": request.user.email,
        }
    form = AdoptionForm(
        request.POST if request.method == "POST" else None,
        instance=Adoption(innovation=innovation),
        initial=initial,
    )
    if form.is_bound and form.is_valid():
        try:
            adoption = services.record_adoption(
                form.save(commit=False),
                by=request.user,
                registration=registration,
                organisation=form.named_organisation,
            )
        except IntegrityError:
            # Someone recorded the same organisation, or the same adoption, a moment ago.
            form.add_error(
                None, "This was recorded by someone else just now. Check and send it again."
            )
        else:
            return redirect("adopters:adoption", pk=adoption.pk)
    return render(
        request,
        "adopters/adoption_form.html",
        {"form": form, "innovation": innovation, "registration": registration},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_adoption(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    adoption = get_object_or_404(
        Adoption.objects.public().select_related("innovation", "organisation", "local_authority"),
        pk=pk,
    )
    if not services.can_edit_adoption(adoption, request.user):
        raise PermissionDenied("Only whoever recorded an adoption, and curators, may edit it.")
    form = AdoptionForm(request.POST if request.method == "POST" else None, instance=adoption)
    if form.is_bound and form.is_valid():
        try:
            # A fresh copy: the form has already written its values onto `adoption`, and the
            # service writes only what differs from what is stored.
            services.edit_adoption(
                Adoption.objects.get(pk=pk),
                form.changes,
                status=form.cleaned_data["status"],
                by=request.user,
                note=form.cleaned_data.get("note", ""),
            )
        except IntegrityError:
            form.add_error(
                None, "This was changed by someone else just now. Check and send it again."
            )
        else:
            return redirect("adopters:adoption", pk=pk)
    return render(
        request,
        "adopters/adoption_form.html",
        {"form": form, "innovation": adoption.innovation, "adoption": adoption},
        status=400 if form.errors else 200,
    )


@never_cache  # the link is one person's: no cache keeps the page or its form
@require_http_methods(["GET", "HEAD", "POST"])
def follow_up_adoption(request: HttpRequest, token: str) -> HttpResponse:
    """The follow-up's form, opened from its emailed link without signing in: the link alone
    says which adoption it updates (nothing sent with the form can name another)."""
    try:
        adoption = follow_ups.adoption_to_follow_up(token)
    except services.InvalidLink as exc:
        return _follow_up_refused(request, exc)
    form = FollowUpForm(
        request.POST if request.method == "POST" else None,
        initial=FollowUpForm.initial_for(adoption),
    )
    if form.is_bound and form.is_valid():
        try:
            follow_ups.answer_follow_up(token, form.answer)
        except services.InvalidLink as exc:  # answered from another tab a moment ago
            return _follow_up_refused(request, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, "Thank you. The adoption is up to date, and its history shows it."
            )
            return redirect("adopters:adoption", pk=adoption.pk)
    return render(
        request,
        "adopters/follow_up.html",
        {"form": form, "adoption": adoption},
        status=400 if form.errors else 200,
    )


def _follow_up_refused(request: HttpRequest, problem: services.InvalidLink) -> HttpResponse:
    return render(request, "adopters/follow_up_invalid.html", {"problem": str(problem)}, status=400)
