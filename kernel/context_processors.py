from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """The site's name, and the licence its content is published under (every page's footer)."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "LICENCE_NAME": settings.CONTENT_LICENCE_NAME,
        "LICENCE_URL": settings.CONTENT_LICENCE_URL,
    }
