"""Full addresses for links that leave the site (emails) when no request is there to build
them from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


def site_absolute(path: str) -> str:
    """`path` on the site, as a full URL from SITE_URL."""
    return settings.SITE_URL + path


@checks.register(checks.Tags.security, deploy=True)
def check_site_url(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Links in emails sent without a request point at SITE_URL: in production, the site."""
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme != "https" or parts.hostname in (None, "localhost", "127.0.0.1"):
        return [
            checks.Warning(
                f"SITE_URL is {settings.SITE_URL!r}: links in some emails would not reach "
                "the site.",
                hint="Set SITE_URL to the site's public address, https://… (docs/operations.md).",
                id="catalogue.W002",
            )
        ]
    return []
