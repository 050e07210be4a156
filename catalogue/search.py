"""The search engine behind the search page, the API list and the exports.

Validated parameters in (through `InnovationFilterSet`), out come one page of ranked results with
highlights, the total, the disjunctive facet counts of shared/CONTRACT.md and, when nothing
matches, "did you mean" suggestions. In queries: one round trip for the total and every facet's
counts, one for the page of results and one for their sectors, however many filters are chosen
and however large the page (plus one for suggestions when nothing matches).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.postgres.search import SearchHeadline
from django.db import connection
from django.db.models import F, Func, Prefetch, QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.http import QueryDict
from django.utils.html import escape

from catalogue.filtersets import FACETS, SEARCH_CONFIG, InnovationFilterSet, search_query
from catalogue.models import Innovation, Sector

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
SUGGESTION_LIMIT = 5

# Private-use characters mark matches inside ts_headline's output, so that the text itself can be
# HTML-escaped before the marks become <mark> elements.
_START, _STOP = "\ue000", "\ue001"

# How each facet is counted: which column of the innovation it reads, and how.
_ID_ARRAYS = {
    "sector": ("sector_ids", "catalogue_sector"),
    "beneficiary": ("beneficiary_ids", "catalogue_beneficiarygroup"),
    "scaling_route": ("scaling_route_ids", "catalogue_scalingroute"),
    "region": ("region_ids", "catalogue_region"),
}
_COLUMNS = {
    "stage": "stage",
    "kind": "kind",
    "organisation_kind": "organisation_kind",
    "cost_band": "cost_band",
    "scaling_way": "scaling_ways",
    "evidence": "evidence_level",
    "adopted": "adoption_count",
}


class SearchError(Exception):
    """Malformed parameters: a 400, with messages by parameter name."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class FacetValue:
    value: Any
    label: str
    count: int
    selected: bool


@dataclass
class SearchResult:
    count: int
    page: int
    page_size: int
    results: list[Innovation]
    facets: dict[str, list[FacetValue]]
    suggestions: list[str]
    sort: str
    q: str
    selected: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.results else 0

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.results) - 1 if self.results else 0


class PagingForm(forms.Form):
    page = forms.IntegerField(required=False, min_value=1)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)


def filterset_for(params: QueryDict, queryset: QuerySet | None = None) -> InnovationFilterSet:
    """A validated filter set over published innovations; raises SearchError when malformed."""
    filterset = InnovationFilterSet(
        params, queryset=queryset if queryset is not None else Innovation.objects.published()
    )
    if not filterset.is_valid():
        raise SearchError(_messages(filterset.form.errors))
    return filterset


def _messages(errors: Any) -> dict[str, list[str]]:
    return {name: [str(message) for message in messages] for name, messages in errors.items()}


def search(params: QueryDict, *, queryset: QuerySet | None = None) -> SearchResult:
    """Run a search; raises SearchError naming every malformed parameter."""
    errors: dict[str, list[str]] = {}
    filterset = InnovationFilterSet(
        params, queryset=queryset if queryset is not None else Innovation.objects.published()
    )
    if not filterset.is_valid():
        errors.update(_messages(filterset.form.errors))
    paging = PagingForm(params)
    if not paging.is_valid():
        errors.update(_messages(paging.errors))
    if errors:
        raise SearchError(errors)

    page = paging.cleaned_data.get("page") or 1
    page_size = paging.cleaned_data.get("page_size") or DEFAULT_PAGE_SIZE
    q = filterset.form.cleaned_data.get("q") or ""
    selected = filterset.selected()

    count, facets = facet_counts(filterset, selected)
    # A page past the last is simply empty (and costs no query).
    results = _page(filterset, q, page, page_size) if (page - 1) * page_size < count else []
    suggestions = suggest(q) if q and not count else []
    return SearchResult(
        count=count,
        page=page,
        page_size=page_size,
        results=results,
        facets=facets,
        suggestions=suggestions,
        sort=filterset.current_sort,
        q=q,
        selected=selected,
    )


def _page(filterset: InnovationFilterSet, q: str, page: int, page_size: int) -> list[Innovation]:
    queryset = filterset.qs.select_related("lead_organisation").prefetch_related(
        Prefetch("sectors", Sector.objects.only("name", "slug").order_by("name"))
    )
    if q:
        queryset = queryset.annotate(
            headline=SearchHeadline(
                # The marker characters are removed from the text itself first, so that only
                # the matches ts_headline marks can become <mark> elements.
                Func(
                    Concat(
                        "summary",
                        Value(" "),
                        "problem",
                        Value(" "),
                        "how_it_works",
                        output_field=TextField(),
                    ),
                    Value(_START + _STOP),
                    Value(""),
                    function="translate",
                    output_field=TextField(),
                ),
                search_query(q),
                config=SEARCH_CONFIG,
                start_sel=_START,
                stop_sel=_STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
    start = (page - 1) * page_size
    innovations = list(queryset[start : start + page_size])
    for innovation in innovations:
        innovation.highlight = _mark(innovation.headline) if q else None
    return innovations


def _mark(headline: str) -> str:
    return escape(headline).replace(_START, "<mark>").replace(_STOP, "</mark>")


# --- Facets ------------------------------------------------------------------------------------


def _inner_sql(queryset: QuerySet, column: str) -> tuple[str, tuple[Any, ...]]:
    inner = queryset.order_by().annotate(v=F(column)).values("v")
    sql, params = inner.query.sql_with_params()
    return sql, tuple(params)


# The SQL below is assembled from Django's own compiled queries and constant table names; every
# value from the request travels as a parameter. Hence the S608 exemptions.
def facet_counts(
    filterset: InnovationFilterSet, selected: dict[str, list[Any]]
) -> tuple[int, dict[str, list[FacetValue]]]:
    """The total and every facet's disjunctive counts, in one round trip.

    Facet F is counted over the innovations matching the query and every selected filter but
    F's own; selected values of curated vocabularies come back with their labels even at zero.
    """
    parts: list[str] = []
    params: list[Any] = []

    sql, p = _inner_sql(filterset.qs, "id")
    parts.append(f"SELECT 'total', NULL, NULL, count(*) FROM ({sql}) s")  # noqa: S608
    params += p

    for facet in FACETS:
        own = filterset.without(facet) if facet in selected else filterset
        if facet in _ID_ARRAYS:
            column, table = _ID_ARRAYS[facet]
            sql, p = _inner_sql(own.qs, column)
            parts.append(
                f"SELECT %s, t.slug, t.name, count(*) FROM ({sql}) s "  # noqa: S608
                f"CROSS JOIN LATERAL unnest(s.v) AS x(id) JOIN {table} t ON t.id = x.id "
                "GROUP BY t.slug, t.name"
            )
            params += [facet, *p]
            if facet in selected:
                parts.append(f"SELECT %s, slug, name, 0 FROM {table} WHERE slug = ANY(%s)")  # noqa: S608
                params += [facet, list(selected[facet])]
            continue
        sql, p = _inner_sql(own.qs, _COLUMNS[facet])
        if facet == "scaling_way":
            expression, where = "x.v", ""
            source = f"({sql}) s CROSS JOIN LATERAL unnest(s.v) AS x(v)"
        elif facet == "evidence":
            expression, where, source = "s.v::text", "WHERE s.v IS NOT NULL", f"({sql}) s"
        elif facet == "adopted":
            expression = "CASE WHEN s.v > 0 THEN 'yes' ELSE 'no' END"
            where, source = "", f"({sql}) s"
        else:
            expression, where, source = "s.v", "WHERE s.v <> ''", f"({sql}) s"
        parts.append(f"SELECT %s, {expression}, NULL, count(*) FROM {source} {where} GROUP BY 2")  # noqa: S608
        params += [facet, *p]

    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(f"({part})" for part in parts), params)
        rows = cursor.fetchall()

    total = 0
    counted: dict[str, dict[str, tuple[str | None, int]]] = {facet: {} for facet in FACETS}
    for facet, value, label, count in rows:
        if facet == "total":
            total = count
            continue
        known = counted[facet].get(value)
        if known is None or count > known[1]:
            counted[facet][value] = (label, count)
    return total, {facet: _facet_values(facet, counted[facet], selected) for facet in FACETS}


def _facet_values(
    facet: str, counted: dict[str, tuple[str | None, int]], selected: dict[str, list[Any]]
) -> list[FacetValue]:
    chosen = {str(value) for value in selected.get(facet, [])}
    choices = FACETS[facet]
    values: list[FacetValue] = []
    if choices is not None:
        # Fixed vocabularies keep their natural order (the seven stages in sequence, …).
        for value, label in choices:
            count = counted.pop(str(value), (None, 0))[1]
            if count or str(value) in chosen:
                values.append(FacetValue(value, str(label), count, str(value) in chosen))
    else:
        for value, (label, count) in sorted(counted.items(), key=lambda i: (-i[1][1], i[1][0])):
            if count or value in chosen:
                values.append(FacetValue(value, label or value, count, value in chosen))
        counted = {}
    # Selected values the catalogue does not know select nothing; they stay listed, at zero.
    listed = {str(v.value) for v in values}
    for value in selected.get(facet, []):
        if str(value) not in listed:
            values.append(FacetValue(value, str(value), 0, True))
    return values


# --- Suggestions -------------------------------------------------------------------------------

SUGGESTIONS_SQL = """
SELECT text FROM (
    SELECT title AS text, word_similarity(%(q)s, title) AS score
      FROM catalogue_innovation WHERE status = 'published'
    UNION ALL SELECT name, word_similarity(%(q)s, name) FROM catalogue_sector
    UNION ALL SELECT name, word_similarity(%(q)s, name) FROM catalogue_beneficiarygroup
    UNION ALL SELECT name, word_similarity(%(q)s, name) FROM catalogue_scalingroute
) candidates
WHERE score >= 0.3
GROUP BY text
ORDER BY max(score) DESC, text
LIMIT %(limit)s
"""


def suggest(q: str) -> list[str]:
    """Titles and vocabulary names that look like the query, for "did you mean"."""
    words = " ".join(word for word in q.replace('"', " ").split() if not word.startswith("-"))
    if not words or words.lower() == "or":
        return []
    with connection.cursor() as cursor:
        cursor.execute(SUGGESTIONS_SQL, {"q": words, "limit": SUGGESTION_LIMIT})
        return [row[0] for row in cursor.fetchall()]
