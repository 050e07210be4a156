"""The site's frame: items of the service navigation, marked when the visitor is on them, and
the breadcrumbs above a page's heading."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

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


class CaptureNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str) -> None:
        self.nodelist = nodelist  # searched for blocks, so a block inside one is overridable
        self.name = name

    def render(self, context: template.Context) -> str:
        # Escaped as it was rendered: kept as it is, not escaped a second time where it is used.
        context[self.name] = mark_safe(" ".join(self.nodelist.render(context).split()))  # noqa: S308
        return ""


@register.tag
def capture(parser: template.base.Parser, token: template.base.Token) -> CaptureNode:
    """`{% capture name %}…{% endcapture %}`: what is between, rendered once and kept as a
    variable, so that a block a page fills (its title) can be used in several places (the
    <title>, and the tags a link preview reads)."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("capture takes the name of a variable")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[1])


@register.inclusion_tag("includes/share_meta.html", takes_context=True)
def share_meta(
    context: template.Context, title: str, description: str, path: str, image: str
) -> dict:
    """The page's canonical address, and the Open Graph and Twitter card tags that make a link
    pasted into a chat or a post show a title, a summary and a picture. All need full
    addresses, so they are left out where there is no request to build them from (the 500
    page)."""
    request = context.get("request")
    if request is None:
        return {}
    return {
        "title": title,
        "description": description,
        "url": request.build_absolute_uri(path),
        "image": request.build_absolute_uri(image),
        "site_name": context.get("SITE_NAME", ""),
    }
