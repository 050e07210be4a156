"""Follow a search: an Atom feed of the newest innovations matching any search's parameters."""

from __future__ import annotations

import dataclasses
import datetime
import re
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from catalogue.models import Innovation
from catalogue.search import Criteria, SearchError, criteria, ordered_ids
from catalogue.views import bad_search
from kernel.downloads import by_id

FEED_SIZE = 50


def _xml_safe(text: str) -> str:
    """Stored text without the control characters XML 1.0 cannot carry."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)


class InnovationSearchFeed(Feed):
    feed_type = Atom1Feed
    description_template = None

    def __init__(self, wanted: Criteria) -> None:
        super().__init__()
        self.wanted = wanted

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Criteria:
        self.request = request
        return self.wanted

    def title(self, wanted: Criteria) -> str:
        chosen = sum(len(values) for values in wanted.selected.values())
        parts = [f"“{wanted.q}”"] if wanted.q else []
        if chosen:
            parts.append(f"{chosen} filter{'s' if chosen > 1 else ''}")
        return "Innovation Catalogue: new innovations" + (
            f" matching {' and '.join(parts)}" if parts else ""
        )

    def link(self, wanted: Criteria) -> str:
        query = self.request.GET.urlencode()
        return reverse("catalogue:innovation-list") + (f"?{query}" if query else "")

    def feed_url(self, wanted: Criteria) -> str:
        # The self link is this search's feed, parameters and all.
        return self.request.get_full_path()

    def subtitle(self, wanted: Criteria) -> str:
        return "The newest published innovations matching this search."

    def items(self, wanted: Criteria) -> list[Innovation]:
        # The newest first, whatever the search is sorted by: the first FEED_SIZE results of
        # the same search sorted by newest.
        ids = ordered_ids(dataclasses.replace(wanted, sort="newest"), limit=FEED_SIZE)
        innovations = Innovation.objects.published().select_related("lead_organisation")
        return list(by_id(ids, innovations, FEED_SIZE))

    def item_title(self, item: Innovation) -> str:
        return _xml_safe(item.title)

    def item_description(self, item: Innovation) -> str:
        # Atom summaries are declared HTML: the plain-text summary is escaped to stay text.
        return escape(_xml_safe(item.summary))

    def item_pubdate(self, item: Innovation) -> datetime.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Innovation) -> datetime.datetime:
        return item.updated_at

    def item_author_name(self, item: Innovation) -> str | None:
        return item.lead_organisation.name if item.lead_organisation else None


def innovation_feed(request: HttpRequest) -> HttpResponse:
    try:
        wanted = criteria(request.GET)
    except SearchError as exc:
        return bad_search(exc)
    # A new feed object per request: it keeps the search and the request for its links.
    return InnovationSearchFeed(wanted)(request)
