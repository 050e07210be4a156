"""The site's frame: items of the service navigation, marked when the visitor is on them, and
the breadcrumbs above a page's heading."""

from __future__ import annotations

from typing import Any

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


@register.inclusion_tag("includes/breadcrumbs.html")
def breadcrumbs(*trail: Any) -> dict:
    """The trail above a page's heading, always from Home: pairs of a label and where it leads,
    a path or a URL name (`"networks:list"`). A pair whose label is empty is left out, so a
    template can name a step only some pages have (`adoption.organisation.name`)."""
    if len(trail) % 2:
        raise template.TemplateSyntaxError("breadcrumbs takes pairs of a label and a link")
    crumbs = [("Home", reverse("catalogue:home"))]
    for label, link in zip(trail[::2], trail[1::2], strict=True):
        if label:
            crumbs.append((label, link if "/" in str(link) else reverse(link)))
    return {"crumbs": crumbs}
