"""Request types for views' annotations (mypy): nothing here changes a request.

Django types `request.user` as an account or `AnonymousUser`. A view behind `login_required`
declares `AuthenticatedHttpRequest`, whose user is an account; services that serve anonymous
visitors too take `User | AnonymousUser` and check `is_authenticated` first. Methods that
override Django's, and so keep its `HttpRequest`, get the account from `signed_in_user()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_htmx.middleware import HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view that only a signed-in person reaches (`login_required`)."""

    user: User


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware, which sets `request.htmx`."""

    htmx: HtmxDetails


def signed_in_user(request: HttpRequest) -> User:
    """The account of a request that only signed-in people reach (the admin's pages, say), for
    code that cannot declare AuthenticatedHttpRequest (an override of Django's methods)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    return user
