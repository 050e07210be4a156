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

from catalogue.facets import (
    FACET_CODES,
    KEY_BASE,
    TABLES,
    TOTAL_KEY,
    decode,
    facet_range,
    fixed_value,
)
from catalogue.filtersets import FACETS, SEARCH_CONFIG, InnovationFilterSet, search_query
from catalogue.models import Innovation, Sector

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
SUGGESTION_LIMIT = 5

# Private-use characters mark matches inside ts_headline's output, so that the text itself can be
# HTML-escaped before the marks become <mark> elements.
_START, _STOP = "\ue000", "\ue001"


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


def _filterset(params: QueryDict, queryset: QuerySet | None) -> InnovationFilterSet:
    return InnovationFilterSet(
        params, queryset=queryset if queryset is not None else Innovation.objects.published()
    )


def filterset_for(params: QueryDict, queryset: QuerySet | None = None) -> InnovationFilterSet:
    """A validated filter set over published innovations; raises SearchError when malformed."""
    filterset = _filterset(params, queryset)
    if not filterset.is_valid():
        raise SearchError(_messages(filterset.form.errors))
    return filterset


def _messages(errors: Any) -> dict[str, list[str]]:
    return {name: [str(message) for message in messages] for name, messages in errors.items()}


def search(params: QueryDict, *, queryset: QuerySet | None = None) -> SearchResult:
    """Run a search; raises SearchError naming every malformed parameter."""
    errors: dict[str, list[str]] = {}
    filterset = _filterset(params, queryset)
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


# Curated values and regions by facet key, for labels.
_VOCABULARY_SQL = " UNION ALL ".join(
    f"SELECT {FACET_CODES[facet]}::bigint * {KEY_BASE} + id, '{facet}', slug, name FROM {table}"  # noqa: S608
    for facet, table in TABLES.items()
)
_TOTALS_SQL = "SELECT %s, key, count FROM catalogue_facettotal WHERE count > 0"
_COUNT_SQL = "SELECT %s, k, count(*) FROM (SELECT unnest(s.v) AS k FROM ({inner}) s) u"


# The SQL below is assembled from Django's own compiled queries and constant table names; every
# value from the request travels as a parameter. Hence the S608 exemptions.
def facet_counts(
    filterset: InnovationFilterSet, selected: dict[str, list[Any]]
) -> tuple[int, dict[str, list[FacetValue]]]:
    """The total and every facet's disjunctive counts, in one round trip.

    Facet F is counted over the innovations matching the query and every selected filter but
    F's own. One pass counts every key (catalogue/facets.py) of the innovations matching all
    filters: the total and the facets nobody selected. Each selected facet gets a pass of its
    own without its filter. A pass with no query and no filter reads the maintained totals
    (FacetTotal) instead of counting the catalogue.
    """
    q = filterset.form.cleaned_data.get("q")
    parts: list[str] = []
    params: list[Any] = []

    if not q and not selected:
        parts.append(_TOTALS_SQL)
        params.append("all")
    else:
        inner, p = _inner_sql(filterset.qs, "facet_keys")
        parts.append(_COUNT_SQL.format(inner=inner) + " GROUP BY k")
        params += ["all", *p]
    for facet in selected:
        low, high = facet_range(facet)
        if not q and len(selected) == 1:
            parts.append(_TOTALS_SQL + " AND key >= %s AND key < %s")
            params += [facet, low, high]
        else:
            inner, p = _inner_sql(filterset.queryset_without(facet), "facet_keys")
            parts.append(_COUNT_SQL.format(inner=inner) + " WHERE k >= %s AND k < %s GROUP BY k")
            params += [facet, *p, low, high]

    # Selected curated values come back with their labels even when nothing has them.
    wanted = [(facet, list(values)) for facet, values in selected.items() if facet in TABLES]
    label_filter = " OR ".join("(v.facet = %s AND v.slug = ANY(%s))" for _ in wanted) or "false"
    for facet, values in wanted:
        params += [facet, [str(v) for v in values]]
    counts = " UNION ALL ".join(f"({part})" for part in parts)
    query = (
        f"WITH c(pass, k, n) AS ({counts}), v(k, facet, slug, name) AS ({_VOCABULARY_SQL}) "  # noqa: S608
        "SELECT c.pass, c.k, c.n, v.slug, v.name FROM c LEFT JOIN v ON v.k = c.k "
        f"UNION ALL SELECT 'label', v.k, 0, v.slug, v.name FROM v WHERE {label_filter}"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()

    total = 0
    counted: dict[str, dict[str, tuple[str | None, int]]] = {facet: {} for facet in FACETS}
    for counted_by, key, count, slug, name in rows:
        if key == TOTAL_KEY:
            total = count if counted_by == "all" else total
            continue
        facet, code = decode(key)
        own_pass = counted_by == facet or (counted_by == "all" and facet not in selected)
        if counted_by != "label" and not own_pass:
            continue  # a selected facet is counted by its own pass
        value = slug if facet in TABLES else str(fixed_value(facet, code))
        label = name if facet in TABLES else None
        if counted_by == "label":
            counted[facet].setdefault(value, (label, 0))
        else:
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

# The query with each word replaced by the nearest word of a published title (when one is
# near enough), then vocabulary names that look like the query.
SUGGESTIONS_SQL = """
WITH typed AS (
    SELECT word, n FROM unnest(%(words)s::text[]) WITH ORDINALITY AS t(word, n)
), corrected AS (
    SELECT string_agg(
               CASE WHEN best.score >= 0.2 THEN best.word ELSE typed.word END, ' '
               ORDER BY typed.n) AS text
      FROM typed LEFT JOIN LATERAL (
          SELECT w.word, similarity(w.word, typed.word) AS score FROM catalogue_titleword w
           ORDER BY w.word <-> typed.word LIMIT 1
      ) best ON true
), names AS (
    SELECT name, max(score) AS score FROM (
        SELECT name, word_similarity(%(q)s, name) AS score FROM catalogue_sector
        UNION ALL SELECT name, word_similarity(%(q)s, name) FROM catalogue_beneficiarygroup
        UNION ALL SELECT name, word_similarity(%(q)s, name) FROM catalogue_scalingroute
    ) candidates WHERE score >= 0.3 GROUP BY name
)
SELECT text FROM (
    SELECT 0 AS place, text, 1.0 AS score FROM corrected WHERE text <> lower(%(q)s)
    UNION ALL SELECT 1, name, score FROM names
) s
ORDER BY place, score DESC, text
LIMIT %(limit)s
"""


def suggest(q: str) -> list[str]:
    """'Did you mean': the query spelt with title words, and vocabulary names like it."""
    words = [
        word.lower()
        for word in q.replace('"', " ").split()
        if not word.startswith("-") and word.lower() != "or"
    ]
    if not words:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            SUGGESTIONS_SQL,
            {"words": words, "q": " ".join(words), "limit": SUGGESTION_LIMIT},
        )
        found = [row[0] for row in cursor.fetchall()]
    return list({text.lower(): text for text in reversed(found)}.values())[::-1]
