"""The site's frame: items of the service navigation, marked when the visitor is on them."""

from __future__ import annotations

from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("includes/nav_item.html", takes_context=True)
def nav_item(context: template.Context, label: str, url_name: str) -> dict:
    """A link of the service navigation: `current` on its own page, `active` anywhere below it
    (an innovation's page is under Innovations)."""
    href = reverse(url_name)
    request = context.get("request")  # absent on the 500 page, rendered without a context
    path = request.path if request else ""
    return {
        "href": href,
        "label": label,
        "current": path == href,
        "active": path != href and href != "/" and path.startswith(href),
    }
