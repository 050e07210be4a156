"""Registering interest in an innovation, and confirming it from the emailed link."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from rest_framework.throttling import BaseThrottle

from adopters import services
from adopters.forms import RegistrationForm
from catalogue.models import Innovation

logger = logging.getLogger(__name__)


def sender_key(request: HttpRequest) -> str:
    """The rate limit's key for whoever sent the request (behind API_NUM_PROXIES proxies)."""
    return services.client_key(BaseThrottle().get_ident(request) or "")


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
