"""Follow a search: an Atom feed of the newest innovations matching any search's parameters."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from catalogue.filtersets import InnovationFilterSet
from catalogue.models import Innovation
from catalogue.search import SearchError, filterset_for
from catalogue.views import bad_search

FEED_SIZE = 50


def _xml_safe(text: str) -> str:
    """Stored text without the control characters XML 1.0 cannot carry."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)


class InnovationSearchFeed(Feed):
    feed_type = Atom1Feed
    description_template = None

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> InnovationFilterSet:
        self.request = request
        return filterset_for(request.GET)

    def title(self, filterset: InnovationFilterSet) -> str:
        q = filterset.form.cleaned_data.get("q")
        chosen = sum(len(v) for v in filterset.selected().values())
        parts = [f"“{q}”"] if q else []
        if chosen:
            parts.append(f"{chosen} filter{'s' if chosen > 1 else ''}")
        return "Innovation Catalogue: new innovations" + (
            f" matching {' and '.join(parts)}" if parts else ""
        )

    def link(self, filterset: InnovationFilterSet) -> str:
        query = self.request.GET.urlencode()
        return reverse("catalogue:innovation-list") + (f"?{query}" if query else "")

    def feed_url(self, filterset: InnovationFilterSet) -> str:
        # The self link is this search's feed, parameters and all.
        return self.request.get_full_path()

    def subtitle(self, filterset: InnovationFilterSet) -> str:
        return "The newest published innovations matching this search."

    def items(self, filterset: InnovationFilterSet) -> QuerySet[Innovation]:
        return filterset.qs.select_related("lead_organisation").order_by("-published_at", "-id")[
            :FEED_SIZE
        ]

    def item_title(self, item: Innovation) -> str:
        return _xml_safe(item.title)

    def item_description(self, item: Innovation) -> str:
        # Atom summaries are declared HTML: the plain-text summary is escaped to stay text.
        return escape(_xml_safe(item.summary))

    def item_pubdate(self, item: Innovation) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Innovation) -> datetime:
        return item.updated_at

    def item_author_name(self, item: Innovation) -> str | None:
        return item.lead_organisation.name if item.lead_organisation else None


def innovation_feed(request: HttpRequest) -> HttpResponse:
    try:
        filterset_for(request.GET)
    except SearchError as exc:
        return bad_search(exc)
    # A new feed object per request: it keeps the request for its links.
    return InnovationSearchFeed()(request)
