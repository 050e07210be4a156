"""Slowing one network address that guesses passwords across many accounts.

django-axes locks an account for one address after a few failures, which never slows a guesser
who tries one password on many accounts. This counts an address's failed sign-ins over every
account (the site's form and the API's token alike, through Django's `user_login_failed`).
Past SIGN_IN_ADDRESS_LIMIT failures within SIGN_IN_ADDRESS_WINDOW_MINUTES, the address may try
once every SIGN_IN_ADDRESS_PACE_SECONDS until the window ends: a slowing, not a lock, since an
office or a campus signs in from one address, and its people can still get in a few seconds
apart while a guesser gets a handful of tries a minute. The counts live in Django's cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from kernel import rate
from kernel.api import client_address


def _failures_key(address: str) -> str:
    return f"sign-in-failures:{address}"


def _pace_key(address: str) -> str:
    return f"sign-in-pace:{address}"


@receiver(user_login_failed, dispatch_uid="kernel.sign_in_pace")
def count_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    if request is None:  # authenticate() called outside a request: no address to count
        return
    rate.count(_failures_key(client_address(request)), settings.SIGN_IN_ADDRESS_WINDOW_MINUTES * 60)


def seconds_to_wait(request: HttpRequest) -> int:
    """How long this address must wait before its next sign-in attempt (0: it may try now).
    Asked before the credentials are checked; an attempt let through starts the next pause."""
    address = client_address(request)
    if rate.seen(_failures_key(address)) < settings.SIGN_IN_ADDRESS_LIMIT:
        return 0
    pace = settings.SIGN_IN_ADDRESS_PACE_SECONDS
    if cache.add(_pace_key(address), True, pace):
        return 0
    return pace


# Where people sign in, by URL name: the site's form, the admin's, and the API's token.
SIGN_IN_VIEWS = frozenset({"accounts:sign-in", "admin:login", "api:token"})


class SignInPaceMiddleware:
    """Asks, before any sign-in attempt is judged (a POST to one of SIGN_IN_VIEWS), whether
    its address must wait: a 429 with Retry-After if so, as the site's page or, for the API,
    its JSON error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if request.method != "POST" or match is None or match.view_name not in SIGN_IN_VIEWS:
            return None
        wait = seconds_to_wait(request)
        if not wait:
            return None
        response: HttpResponse
        if match.view_name == "api:token":
            response = JsonResponse(
                {
                    "detail": "Too many failed attempts to sign in from your address; try "
                    f"again in {wait} seconds."
                },
                status=429,
            )
        else:
            response = render(request, "registration/slowed.html", {"wait": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
