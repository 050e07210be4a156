"""What a cache in front of the site (a CDN, a proxy) may keep, said on every response.

Anonymous reads that are the same for everyone (pages, the API, feeds, exports) are public for
PUBLIC_CACHE_SECONDS, and may be served stale for as long again while the cache fetches them
afresh, so a published change shows everywhere within twice that time. Everything else is
`private, no-store`: a signed-in person's pages and API answers, a page carrying a form's CSRF
token or a message for one visitor, a response setting a cookie, any write, and any answer but
200. Public answers vary on Cookie and Authorization, so a cache never gives a visitor's copy
to someone signed in. A view that says itself how it may be cached (the probes) is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control, patch_vary_headers


class CacheHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        if _public(request, response):
            seconds = settings.PUBLIC_CACHE_SECONDS
            patch_cache_control(
                response, public=True, max_age=seconds, stale_while_revalidate=seconds
            )
            patch_vary_headers(response, ["Cookie", "Authorization"])
        else:
            patch_cache_control(response, private=True, no_store=True)
        return response


def _public(request: HttpRequest, response: HttpResponseBase) -> bool:
    if request.method not in ("GET", "HEAD") or response.status_code not in (200, 304):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    # A page with a form's token sets the CSRF cookie, one showing a message updates the
    # messages' cookie, a new session sets its own: seen here, as the middleware below us
    # have all answered (settings.MIDDLEWARE).
    return "HTTP_AUTHORIZATION" not in request.META and not response.cookies
