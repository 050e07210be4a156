"""The search engine behind the search page, the API list and the exports.

Validated parameters in (with the fields `InnovationFilterSet` defines), out come one page of
ranked results with highlights, the total, the disjunctive facet counts of shared/CONTRACT.md
and, when nothing matches, "did you mean" suggestions. In queries: one statement for the total,
every facet's counts and the page of results, however many filters are chosen and however large
the page (plus one for suggestions when nothing matches). The CSV export and the feed filter
through the filter set's queryset (`filterset_for`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import escape

from catalogue.choices import Stage
from catalogue.facets import (
    FACET_CODES,
    KEY_BASE,
    TABLES,
    TOTAL_KEY,
    decode,
    fixed_value,
)
from catalogue.filtersets import (
    FACETS,
    SEARCH_CONFIG,
    InnovationFilterSet,
    clean_parameters,
    keys_sql,
    parameter_fields,
    selected_in,
    sort_in_force,
)
from catalogue.models import Innovation
from kernel.paging import DEFAULT_PAGE_SIZE, PagingForm

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


@dataclass(frozen=True, slots=True)
class Summary:
    """A sector or lead organisation as a result shows it."""

    name: str
    slug: str = ""
    kind: str = ""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One innovation of a page of results, with what the page, the API and the feed show."""

    id: int
    slug: str
    title: str
    summary: str
    url: str
    stage: str
    kind: str
    evidence_level: int | None
    adoption_count: int
    lead_organisation: Summary | None
    sectors: list[Summary]
    highlight: str | None

    def get_absolute_url(self) -> str:
        return self.url

    def get_stage_display(self) -> str:
        return str(Stage(self.stage).label) if self.stage else ""


@dataclass
class SearchResult:
    count: int
    page: int
    page_size: int
    results: list[SearchHit]
    facets: dict[str, list[FacetValue]]
    suggestions: list[str]
    sort: str
    q: str
    selected: dict[str, list[Any]] = field(default_factory=dict)
    # A query of only words full-text search leaves out ("the", "or", "-"): it matches nothing,
    # and the page says why rather than suggesting other spellings.
    only_common_words: bool = False

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


def filterset_for(params: QueryDict) -> InnovationFilterSet:
    """A validated filter set over published innovations; raises SearchError when malformed."""
    filterset = InnovationFilterSet(params, queryset=Innovation.objects.published())
    if not filterset.is_valid():
        raise SearchError(_messages(filterset.form.errors))
    return filterset


def _messages(errors: Any) -> dict[str, list[str]]:
    return {name: [str(message) for message in messages] for name, messages in errors.items()}


def search(params: QueryDict) -> SearchResult:
    """Run a search over published innovations; raises SearchError naming every bad parameter."""
    data, errors = clean_parameters(parameter_fields(), params)
    paging, paging_errors = clean_parameters(PagingForm.base_fields, params)
    if errors or paging_errors:
        raise SearchError(errors | paging_errors)

    page = paging.get("page") or 1
    page_size = paging.get("page_size") or DEFAULT_PAGE_SIZE
    q = data.get("q") or ""
    selected = selected_in(data)
    sort = sort_in_force(data)

    count, facets, results, terms = _counts_and_page(
        q, selected, sort, (page - 1) * page_size, page_size
    )
    only_common_words = bool(q) and terms == 0
    suggestions = suggest(q) if q and not count and not only_common_words else []
    return SearchResult(
        count=count,
        page=page,
        page_size=page_size,
        results=results,
        facets=facets,
        suggestions=suggestions,
        sort=sort,
        q=q,
        selected=selected,
        only_common_words=only_common_words,
    )


def _mark(headline: str) -> str:
    return escape(headline).replace(_START, "<mark>").replace(_STOP, "</mark>")


# --- Counting and paging -----------------------------------------------------------------------
#
# `catalogue_facettotal.members` holds, for every facet key, the published innovations that have
# it as a bit string (bit i for innovation i; migration 0009). A selected facet is the OR of its
# values' members, the filters are the AND of the selected facets, a text query contributes the
# bits of the innovations it matches, and a count is the `bit_count` of an AND: a few kilobytes
# per facet value, however many innovations match. One statement returns every count and the
# page of results, ranked over the filtered innovations only (docs/search.md).

# Curated values and regions by facet key, for labels.
_VOCABULARY_SQL = " UNION ALL ".join(
    f"SELECT {FACET_CODES[facet]}::bigint * {KEY_BASE} + id, '{facet}', slug, name FROM {table}"
    for facet, table in TABLES.items()
)

# Result orders; they match filtersets.ORDERINGS, which the exports use.
_ORDER_SQL = {
    "relevance": "rank DESC, published_at DESC, id DESC",
    "newest": "published_at DESC, id DESC",
    "most_adopted": "adoption_count DESC, title, id",
    "evidence": "evidence_level DESC NULLS LAST, title, id",
    "title": "title, id",
}
# The columns of search entries each order needs besides the id and the rank.
_ORDER_COLUMNS = {
    "relevance": ["published_at"],
    "newest": ["published_at"],
    "most_adopted": ["adoption_count", "title"],
    "evidence": ["evidence_level", "title"],
    "title": ["title"],
}


# The SQL below is assembled from constant fragments and table names; every value from the
# request travels as a parameter (hence S608 is off for this file).
def _counts_and_page(
    q: str, selected: dict[str, list[Any]], sort: str, offset: int, limit: int
) -> tuple[int, dict[str, list[FacetValue]], list[SearchHit], int | None]:
    """The total, every facet's disjunctive counts, one page of results and the number of
    terms full-text search kept of `q` (None without one), in one round trip.

    Facet F is counted over the innovations matching the query and every selected filter but
    F's own; every other facet over those matching everything.
    """
    params: list[Any] = []
    # Bit strings are read once and detoasted once (`|| B''`), not once per use.
    ctes = [
        "published AS MATERIALIZED "
        "(SELECT members || B'' AS b FROM catalogue_facettotal WHERE key = 0)"
    ]
    facet_bits: dict[str, str] = {}
    for n, (facet, values) in enumerate(selected.items()):
        sql, p = keys_sql(facet, values)
        ctes.append(
            f"f{n} AS (SELECT coalesce(bit_or(t.members), (SELECT b & ~b FROM published)) AS b "
            f"FROM catalogue_facettotal t WHERE t.key IN ({sql}))"
        )
        params += p
        facet_bits[facet] = f"f{n}"

    def conjunction(sources: list[str]) -> str:
        """SELECT the AND of single-row sources' bit strings."""
        return f"SELECT {' & '.join(f'{s}.b' for s in sources)} AS b FROM {', '.join(sources)}"

    ctes.append(f"filtered AS MATERIALIZED ({conjunction(['published', *facet_bits.values()])})")
    order = _ORDER_SQL[sort]
    if q:
        # One pass over the search entries (models.SearchEntry, narrow rows) the text matches:
        # their ids for the counts, and a rank for those the filters keep (NULL for the others,
        # which are neither ranked nor paged).
        # Every entry is published: without filters, every match is kept.
        kept = "get_bit(filtered.b, e.innovation_id::int) = 1" if selected else "true"
        rank = f"ts_rank(e.search_vector, {_TSQUERY})" if sort == "relevance" else "0"
        columns = "".join(f"e.{column}, " for column in _ORDER_COLUMNS[sort])
        ctes.append(
            "matches AS MATERIALIZED ("
            f"SELECT e.innovation_id AS id, {columns}CASE WHEN {kept} THEN {rank} END AS rank "
            f"FROM catalogue_searchentry e, filtered WHERE e.search_vector @@ {_TSQUERY})"
        )
        params += [q] * (2 if sort == "relevance" else 1)
        ctes.append(f"text AS MATERIALIZED ({_MATCH_BITS_SQL})")
        page = f"SELECT id FROM matches WHERE rank IS NOT NULL ORDER BY {order}"
        page_params = []
    else:
        # An index-only walk in the order wanted (one index per order, models.py), keeping the
        # ids the filters' bit string has; not even started when the page is past the last.
        kept = (
            " AND get_bit((SELECT b FROM filtered), id::int) = 1"
            " AND (SELECT bit_count(b) FROM filtered) > %s"
            if selected
            else ""
        )
        page = (
            f"SELECT id FROM catalogue_innovation WHERE status = 'published'{kept} ORDER BY {order}"
        )
        page_params = [offset] if selected else []

    text = ["text"] if q else []
    if q or selected:
        bases = [f"SELECT 0 AS code, b FROM ({conjunction(['filtered', *text])}) a"]
        for facet in selected:
            others = [name for other, name in facet_bits.items() if other != facet]
            sources = conjunction(["published", *text, *others])
            bases.append(f"SELECT {FACET_CODES[facet]}, b FROM ({sources}) x")
        ctes.append(f"bases(code, b) AS MATERIALIZED ({' UNION ALL '.join(bases)})")
        ctes.append(
            "counts(key, n) AS (SELECT t.key, bit_count(t.members & bases.b) "
            "FROM bases JOIN catalogue_facettotal t ON CASE WHEN bases.code = 0 "
            f"THEN t.key / {KEY_BASE} <> ALL(%s) ELSE t.key / {KEY_BASE} = bases.code END)"
        )
        params.append([FACET_CODES[facet] for facet in selected])
    else:
        ctes.append("counts(key, n) AS (SELECT key, count FROM catalogue_facettotal)")
    ctes.append(f"v(k, facet, slug, name) AS ({_VOCABULARY_SQL})")

    ctes.append(f"page AS MATERIALIZED (SELECT ARRAY({page} LIMIT %s OFFSET %s) AS ids)")
    params += [*page_params, limit, offset]
    highlight = "NULL"
    if q:
        highlight = f"ts_headline('{SEARCH_CONFIG}'::regconfig, {_HIGHLIGHTED}, {_TSQUERY}, %s)"
        params += [q, _HEADLINE_OPTIONS]
    ctes.append(_RESULTS_SQL.format(highlight=highlight))

    # Selected curated values come back with their labels even when nothing has them.
    wanted = [(facet, list(values)) for facet, values in selected.items() if facet in TABLES]
    label_filter = " OR ".join("(v.facet = %s AND v.slug = ANY(%s))" for _ in wanted) or "false"
    for facet, values in wanted:
        params += [facet, [str(v) for v in values]]
    query = (
        f"WITH {', '.join(ctes)} "
        # Keys at zero are left out (selected values come back as labels); so are keys of
        # curated values that no longer exist, which are always at zero.
        "SELECT 'count', c.key, c.n, v.slug, v.name, NULL::json "
        "FROM counts c LEFT JOIN v ON v.k = c.key WHERE c.n > 0 OR c.key = 0 "
        f"UNION ALL SELECT 'label', v.k, 0, v.slug, v.name, NULL FROM v WHERE {label_filter} "
        "UNION ALL SELECT 'results', NULL, NULL, NULL, NULL, rows FROM results"
    )
    if q:
        query += f" UNION ALL SELECT 'terms', NULL, numnode({_TSQUERY}), NULL, NULL, NULL"
        params.append(q)
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()

    total = 0
    terms = None
    hits: list[SearchHit] = []
    counted: dict[str, dict[str, tuple[str | None, int]]] = {facet: {} for facet in FACETS}
    for kind, key, count, slug, name, results in rows:
        if kind == "results":
            hits = _hits(results or [])
            continue
        if kind == "terms":
            terms = count
            continue
        if key == TOTAL_KEY:
            total = count
            continue
        facet, code = decode(key)
        if facet in TABLES and slug is None:
            continue  # a curated value deleted since (its members are empty)
        value = slug if facet in TABLES else str(fixed_value(facet, code))
        label = name if facet in TABLES else None
        if kind == "label":
            counted[facet].setdefault(value, (label, 0))
        else:
            counted[facet][value] = (label, count)
    facets = {facet: _facet_values(facet, counted[facet], selected) for facet in FACETS}
    return total, facets, hits, terms


_TSQUERY = f"websearch_to_tsquery('{SEARCH_CONFIG}'::regconfig, %s)"

# The matches' bit string, assembled as catalogue_bits (migration 0009) does, from 64-bit words,
# but straight from the matches rather than through an array: a third faster for broad queries.
_MATCH_BITS_SQL = """
SELECT ('x' || rpad(coalesce(string_agg(repeat('0', ((word - prev - 1) * 16)::int)
                                        || lpad(to_hex(bits), 16, '0'), '' ORDER BY word), ''),
                    (SELECT length(b) FROM published) / 4, '0'))::varbit AS b
  FROM (SELECT word, bits, lag(word, 1, -1::bigint) OVER (ORDER BY word) AS prev
          FROM (SELECT id / 64 AS word, bit_or(1::bigint << (63 - mod(id, 64))::int) AS bits
                  FROM matches GROUP BY 1) w) s"""

# The page's innovations in order, as JSON, with their lead organisation and sectors (by name).
_RESULTS_SQL = """results(rows) AS (
    SELECT json_agg(json_build_array(
        i.id, i.slug, i.title, i.summary, i.stage, i.kind, i.evidence_level, i.adoption_count,
        o.name, o.kind,
        (SELECT json_agg(json_build_array(s.name, s.slug) ORDER BY s.name)
           FROM catalogue_innovation_sectors l JOIN catalogue_sector s ON s.id = l.sector_id
          WHERE l.innovation_id = i.id),
        {highlight}) ORDER BY p.position)
      FROM page, unnest(page.ids) WITH ORDINALITY AS p(id, position)
      JOIN catalogue_innovation i ON i.id = p.id
      LEFT JOIN catalogue_organisation o ON o.id = i.lead_organisation_id)"""

# Matches are marked inside the summary, the problem and how it works; marker characters in the
# text itself are removed first, so that only the matches can become <mark> elements.
_HIGHLIGHTED = (
    f"translate(concat(i.summary, ' ', i.problem, ' ', i.how_it_works), '{_START}{_STOP}', '')"
)
_HEADLINE_OPTIONS = (
    f'StartSel="{_START}", StopSel="{_STOP}", MaxWords=35, MinWords=15, MaxFragments=2, '
    'FragmentDelimiter=" … "'
)


def _hits(rows: list[list[Any]]) -> list[SearchHit]:
    # One reverse() per page rather than per result: slugs need no escaping in a path.
    url = reverse("catalogue:innovation-detail", args=["slug"]).rsplit("slug", 1)
    hits = []
    for (pk, slug, title, summary, stage, kind, evidence, adoptions, organisation,
         organisation_kind, sectors, headline) in rows:  # fmt: skip
        hits.append(
            SearchHit(
                id=pk,
                slug=slug,
                title=title,
                summary=summary,
                url=f"{url[0]}{slug}{url[1]}",
                stage=stage,
                kind=kind,
                evidence_level=evidence,
                adoption_count=adoptions,
                lead_organisation=(
                    Summary(organisation, kind=organisation_kind) if organisation else None
                ),
                sectors=[Summary(name, slug=sector) for name, sector in sectors or []],
                highlight=_mark(headline) if headline is not None else None,
            )
        )
    return hits


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
        for value, (name, count) in sorted(counted.items(), key=lambda i: (-i[1][1], i[1][0])):
            if count or value in chosen:
                values.append(FacetValue(value, name or value, count, value in chosen))
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
