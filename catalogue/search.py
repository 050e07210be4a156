"""The search engine behind the search page, the API list, the CSV export and the feed.

Parameters are validated with the fields of `catalogue.filtersets` (`criteria`; a SearchError,
a 400, names every malformed one). Then either

- `search`: one page of ranked results with highlights, the total, the disjunctive facet counts
  of shared/CONTRACT.md and, when nothing matches, "did you mean" suggestions: one statement for
  the total, every facet's counts and the page, however many filters are chosen and however
  large the page (plus one for suggestions when nothing matches); or
- `ordered_ids`: the ids of every matching innovation in the same order, in one statement, for
  the CSV export and the feed, which read their rows with `kernel.downloads.by_id`.

Both statements are assembled from the same parts (the filters, the text match, the order), so
the page, the API's pages, the CSV and the feed select the same innovations in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import escape

from catalogue.choices import Stage
from catalogue.facets import (
    FACET_BY_NAME,
    FACETS,
    KEY_BASE,
    NO_KEY,
    PLACE_OFFSET,
    SORT_BY_NAME,
    TOTAL_KEY,
    Facet,
    Value,
    decode,
    is_place,
)
from catalogue.filtersets import SEARCH_FIELDS, clean_parameters, selected_in, sort_in_force
from catalogue.models import Innovation
from catalogue.query import SEARCH_CONFIG, Reading, read
from catalogue.sql import Sql, join
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
class Criteria:
    """What a search asks for, validated: the text, the facet values selected (by facet name,
    in the order of FACETS) and the sort in force."""

    q: str = ""
    selected: dict[str, list[Value]] = field(default_factory=dict)
    sort: str = "newest"
    as_typed: bool = False  # search the words as typed, without correcting them
    # Only innovations whose public record changed at or after it (`modified_since`).
    modified_since: datetime | None = None

    @property
    def filtered(self) -> bool:
        """Whether anything but the text narrows the published catalogue."""
        return bool(self.selected) or self.modified_since is not None


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
    # With a text query: "all" when the results have every word, "some" when none had them all
    # and the search widened to most of them (CONTRACT.md, December 2026); None without one.
    match: str | None = None
    corrected_q: str | None = None  # the query searched, when misspelt words were corrected
    # Asked for with `search(params, places=True)` (the map): by local authority's ONS code,
    # how many of the innovations counted for `adopted_in` (disjunctively, as its regions are)
    # have an active adoption there; only codes above zero.
    places: dict[str, int] = field(default_factory=dict)

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


def _criteria(data: dict[str, Any]) -> Criteria:
    return Criteria(
        q=data.get("q") or "",
        selected=selected_in(data),
        sort=sort_in_force(data),
        as_typed=data.get("as_typed") == "yes",
        modified_since=data.get("modified_since"),
    )


def criteria(params: QueryDict) -> Criteria:
    """The search a request asks for, paging aside; raises SearchError naming every bad
    parameter. (The CSV and the feed ignore `page` and `page_size`.)"""
    data, errors = clean_parameters(SEARCH_FIELDS, params)
    if errors:
        raise SearchError(errors)
    return _criteria(data)


def _reading() -> BaseDatabaseWrapper:
    """The database this request reads from: a replica for a GET when there are replicas
    (config/replicas.py), the primary otherwise. The statements here are raw SQL, which the
    database router does not see."""
    return connections[router.db_for_read(Innovation) or DEFAULT_DB_ALIAS]


def search(params: QueryDict, *, places: bool = False) -> SearchResult:
    """Run a search over published innovations; raises SearchError naming every bad parameter.

    With `places`, the result also counts, by local authority, the innovations adopted there
    (`SearchResult.places`), in the same statement."""
    data, errors = clean_parameters(SEARCH_FIELDS, params)
    paging, paging_errors = clean_parameters(PagingForm.base_fields, params)
    if errors or paging_errors:
        raise SearchError(errors | paging_errors)

    page = paging.get("page") or 1
    page_size = paging.get("page_size") or DEFAULT_PAGE_SIZE
    wanted = _criteria(data)
    database = _reading()
    reading = read(wanted.q, database, correct=not wanted.as_typed) if wanted.q else None
    statement = _search_statement(
        wanted, reading, offset=(page - 1) * page_size, limit=page_size, places=places
    )
    with database.cursor() as cursor:
        cursor.execute(statement.text, statement.params)
        rows = cursor.fetchall()
    count, facets, results, terms, every_word, counted_places = _read(rows, wanted.selected)

    only_common_words = bool(wanted.q) and terms == 0
    suggestions = suggest(wanted.q) if wanted.q and not count and not only_common_words else []
    return SearchResult(
        count=count,
        page=page,
        page_size=page_size,
        results=results,
        facets=facets,
        suggestions=suggestions,
        sort=wanted.sort,
        q=wanted.q,
        selected=wanted.selected,
        only_common_words=only_common_words,
        match=None if reading is None else ("all" if every_word else "some"),
        corrected_q=reading.corrected_q if reading else None,
        places=counted_places if places else {},
    )


def ordered_ids(
    wanted: Criteria, limit: int | None = None, *, among: list[int] | None = None
) -> list[int]:
    """The ids of the innovations matching `wanted`, in its order (the first `limit` of them,
    or all): exactly the concatenation of the search's pages. One statement.

    With `among`, only those of these ids that the search's pages have (an alert's digest:
    the search is the whole catalogue's, so a query is widened, or not, as on the page)."""
    filters, _ = _filters(wanted)
    database = _reading()
    reading = read(wanted.q, database, correct=not wanted.as_typed) if wanted.q else None
    matches = _text_match(wanted, reading) if reading else []
    in_order = _in_order(wanted, offset=0)
    if among is not None:
        in_order = (
            Sql("SELECT id FROM unnest(ARRAY(")
            + in_order
            + Sql(")) WITH ORDINALITY AS o(id, n) WHERE id = ANY(%s) ORDER BY n", (among,))
        )
    statement = _with([*filters, *matches], in_order + _limit(limit))
    with database.cursor() as cursor:
        cursor.execute(statement.text, statement.params)
        return [row[0] for row in cursor.fetchall()]


def _mark(headline: str) -> str:
    return escape(headline).replace(_START, "<mark>").replace(_STOP, "</mark>")


# Matches are marked inside the summary, the problem and how it works; marker characters in the
# text itself are removed first, so that only the matches can become <mark> elements.
_HIGHLIGHTED = (
    f"translate(concat(i.summary, ' ', i.problem, ' ', i.how_it_works), '{_START}{_STOP}', '')"
)
_HEADLINE_OPTIONS = (
    f'StartSel="{_START}", StopSel="{_STOP}", MaxWords=35, MinWords=15, MaxFragments=2, '
    'FragmentDelimiter=" … "'
)


# --- The statements ----------------------------------------------------------------------------
#
# `catalogue_facettotal.members` holds, for every facet key, the published innovations that have
# it as a bit string (bit i for innovation i; migration 0009). A selected facet is the OR of its
# values' members, the filters are the AND of the selected facets, a text query contributes the
# bits of the innovations it matches, and a count is the `bit_count` of an AND: a few kilobytes
# per facet value, however many innovations match. One statement returns every count and the
# page of results, ranked over the filtered innovations only (docs/search.md).
#
# Each part below is a `Sql`: its text, assembled from constant fragments, facet codes and
# table names of the declarations (catalogue/facets.py), and the values of its placeholders.
# Every value from the request travels as a parameter (hence S608 is off for this file).


def _cte(name: str, body: Sql, *, materialized: bool = False) -> Sql:
    """`name AS (body)`: one common table expression of a WITH statement."""
    return Sql(f"{name} AS {'MATERIALIZED ' if materialized else ''}(") + body + Sql(")")


def _with(ctes: list[Sql], body: Sql) -> Sql:
    return Sql("WITH ") + join(", ", ctes) + Sql(" ") + body


def _limit(limit: int | None) -> Sql:
    """LIMIT n, or no limit (LIMIT NULL)."""
    return Sql(" LIMIT %s", (limit,))


def _and(sources: list[str]) -> Sql:
    """SELECT the AND of single-row sources' bit strings."""
    return Sql(f"SELECT {' & '.join(f'{s}.b' for s in sources)} AS b FROM {', '.join(sources)}")


# --- The filters

# Bit strings are read once and detoasted once (`|| B''`), not once per use.
_PUBLISHED = _cte(
    "published",
    Sql("SELECT members || B'' AS b FROM catalogue_facettotal WHERE key = 0"),
    materialized=True,
)


def _value_keys(facet: Facet, values: list[Value]) -> Sql:
    """SELECT the facet keys of the given values of one facet.

    Curated vocabularies and regions are looked up by slug (an innovation operating in a region
    also has its nation's key, so `england` selects every English region), and for a facet of
    places (`adopted_in`) local authorities by ONS code too; unknown values select nothing.
    """
    if facet.table:
        texts = [str(value) for value in values]
        found = Sql(f"SELECT id + {facet.base} FROM {facet.table} WHERE slug = ANY(%s)", (texts,))
        if facet.places:
            found += Sql(
                f" UNION ALL SELECT id + {facet.base + PLACE_OFFSET} "
                "FROM catalogue_localauthority WHERE code = ANY(%s)",
                (texts,),
            )
        return found
    keys = [key for value in values if (key := facet.key(value)) is not None]
    return Sql("SELECT unnest(%s::bigint[])", (keys or [NO_KEY],))


def _facet_filter(name: str, facet: Facet, values: list[Value]) -> Sql:
    """One facet's WHERE: the OR of its selected values' bit strings (none set when no value
    is known)."""
    return _cte(
        name,
        Sql(
            "SELECT coalesce(bit_or(t.members), (SELECT b & ~b FROM published)) AS b "
            "FROM catalogue_facettotal t WHERE t.key IN ("
        )
        + _value_keys(facet, values)
        + Sql(")"),
    )


def _filters(wanted: Criteria) -> tuple[list[Sql], dict[str, str]]:
    """`published` (with `modified_since`, only those changed since), one CTE per selected
    facet (`f0`, `f1`, …) and `filtered`, the AND of them all; and the name of each selected
    facet's CTE."""
    selected = wanted.selected
    names = {facet: f"f{n}" for n, facet in enumerate(selected)}
    facets = [_facet_filter(names[name], FACET_BY_NAME[name], v) for name, v in selected.items()]
    filtered = _cte("filtered", _and(["published", *names.values()]), materialized=True)
    published = _PUBLISHED if wanted.modified_since is None else _changed(wanted.modified_since)
    return [published, *facets, filtered], names


# What else is part of an innovation's public record, and when it changed: SELECTs of the
# innovation ids changed at or after the one parameter. Apps above the catalogue add theirs in
# AppConfig.ready() (adopters: adoptions), as they receive its signals.
CHANGED_SINCE: list[str] = [
    "SELECT innovation_id FROM catalogue_reachfigure WHERE created_at >= %s",
    "SELECT l.innovation_id FROM catalogue_resource_innovations l"
    " JOIN catalogue_resource r ON r.id = l.resource_id WHERE r.updated_at >= %s",
]


def _changed(since: datetime) -> Sql:
    """`published`, narrowed to the innovations whose record, or a part of it that the public
    sees, changed at or after `since`."""
    parts = [
        # Saving an innovation (publishing it too) sets updated_at.
        "SELECT id FROM catalogue_innovation WHERE updated_at >= %s",
        *CHANGED_SINCE,
    ]
    return _cte(
        "published",
        Sql(
            "SELECT t.members & catalogue_bits(ARRAY(" + " UNION ".join(parts) + ")::bigint[],"
            " length(t.members)) AS b FROM catalogue_facettotal t WHERE t.key = 0",
            tuple([since] * len(parts)),
        ),
        materialized=True,
    )


# --- The text match


def _text_match(wanted: Criteria, reading: Reading) -> list[Sql]:
    """`matches`: the search entries (models.SearchEntry, narrow rows) the text matches, with
    the columns the order needs: their ids for the counts, and a rank for those the filters keep
    (NULL for the others, which are neither ranked nor listed).

    First those with every word (`strict`, through the GIN index). When the filters keep none
    of them and the query has two words or more, those with at least half of its words
    (`widened`; the scan does not even start otherwise: its condition is a one-time filter), ranked
    by how many they have, then by `ts_rank`. `every_word` says which it was.
    """
    # Every entry is published: without filters, every match is kept.
    kept = "get_bit(filtered.b, e.innovation_id::int) = 1" if wanted.filtered else "true"
    relevance = wanted.sort == "relevance"
    columns = "".join(f"e.{column}, " for column in SORT_BY_NAME[wanted.sort].columns)
    every = reading.all_words()
    rank = Sql("ts_rank(e.search_vector, ") + every + Sql(")") if relevance else Sql("0")
    strict = _cte(
        "strict" if reading.widens else "matches",
        Sql(f"SELECT e.innovation_id AS id, {columns}CASE WHEN {kept} THEN ")
        + rank
        + Sql(" END AS rank FROM catalogue_searchentry e, filtered WHERE e.search_vector @@ ")
        + every,
        materialized=True,
    )
    if not reading.widens:
        return [strict, _cte("every_word(b)", Sql("SELECT true"))]
    some = reading.any_word()
    rank = (
        Sql("e.words + ts_rank(e.search_vector, ") + some + Sql(", 32)") if relevance else Sql("0")
    )
    widened = _cte(
        "widened",
        Sql(f"SELECT e.innovation_id AS id, {columns}CASE WHEN {kept} THEN ")
        + rank
        + Sql(" END AS rank FROM (SELECT e.*, ")
        + reading.words_matched("e.search_vector")
        + Sql(
            " AS words FROM catalogue_searchentry e WHERE NOT (SELECT b FROM every_word)"
            " AND e.search_vector @@ "
        )
        + reading.enough_words()
        + Sql(") e, filtered WHERE e.words >= %s", (reading.need,)),
        materialized=True,
    )
    return [
        strict,
        _cte(
            "every_word(b)",
            Sql("SELECT EXISTS (SELECT 1 FROM strict WHERE rank IS NOT NULL)"),
            materialized=True,
        ),
        widened,
        _cte(
            "matches",
            Sql(
                "SELECT * FROM strict WHERE (SELECT b FROM every_word) "
                "UNION ALL SELECT * FROM widened"
            ),
            materialized=True,
        ),
    ]


# `text`: the matches' bit string, assembled as catalogue_bits (migration 0009) does, from 64-bit
# words, but straight from the matches rather than through an array: a third faster for broad
# queries.
_MATCH_BITS = _cte(
    "text",
    Sql("""
SELECT ('x' || rpad(coalesce(string_agg(repeat('0', ((word - prev - 1) * 16)::int)
                                        || lpad(to_hex(bits), 16, '0'), '' ORDER BY word), ''),
                    (SELECT length(b) FROM published) / 4, '0'))::varbit AS b
  FROM (SELECT word, bits, lag(word, 1, -1::bigint) OVER (ORDER BY word) AS prev
          FROM (SELECT id / 64 AS word, bit_or(1::bigint << (63 - mod(id, 64))::int) AS bits
                  FROM matches GROUP BY 1) w) s"""),
    materialized=True,
)


# --- The order


def _in_order(wanted: Criteria, offset: int) -> Sql:
    """SELECT the ids of the matching innovations in the order asked for, without a limit.

    With a text query, the kept matches sorted. Without one, an index-only walk in the order
    wanted (one index per order, models.py) keeping the ids the filters' bit string has; with
    filters, not even started when `offset` is past the last match.
    """
    order = SORT_BY_NAME[wanted.sort].order_by
    if wanted.q:
        return Sql(f"SELECT id FROM matches WHERE rank IS NOT NULL ORDER BY {order}")
    if not wanted.filtered:
        return Sql(
            f"SELECT id FROM catalogue_innovation WHERE status = 'published' ORDER BY {order}"
        )
    return Sql(
        "SELECT id FROM catalogue_innovation WHERE status = 'published'"
        " AND get_bit((SELECT b FROM filtered), id::int) = 1"
        f" AND (SELECT bit_count(b) FROM filtered) > %s ORDER BY {order}",
        (offset,),
    )


# --- The disjunctive counts


def _places_counted(wanted: Criteria, places: bool) -> Sql:
    """A condition on facet totals (`t`) that leaves out the local authorities' keys (but for
    those selected, which are listed with their facet's values) unless `places` are asked for:
    a search that does not draw the map does not count them."""
    if places:
        return Sql("true")
    return join(
        " AND ",
        [
            Sql(
                f"(t.key NOT BETWEEN {facet.base + PLACE_OFFSET} AND {facet.base + KEY_BASE - 1}"
                f" OR t.key IN (SELECT id + {facet.base + PLACE_OFFSET}"
                " FROM catalogue_localauthority WHERE code = ANY(%s)))",
                ([str(value) for value in wanted.selected.get(facet.name, [])],),
            )
            for facet in FACETS
            if facet.places
        ]
        or [Sql("true")],
    )


def _disjunctive_counts(
    wanted: Criteria, filters: dict[str, str], places: bool = False
) -> list[Sql]:
    """`counts(key, n)`: every facet value's count. Facet F is counted over the innovations
    matching the text and every selected filter but F's own; every other facet over those
    matching everything (`bases`: one bit string per selected facet, code 0 for the rest).
    Without text and filters, the counts are read as stored. Local authorities are counted
    only with `places`, or when selected."""
    if not (wanted.q or wanted.filtered):
        return [
            _cte(
                "counts(key, n)",
                Sql("SELECT key, count FROM catalogue_facettotal t WHERE ")
                + _places_counted(wanted, places),
            )
        ]
    text = ["text"] if wanted.q else []
    bases = [Sql("SELECT 0 AS code, b FROM (") + _and(["filtered", *text]) + Sql(") a")]
    for name in wanted.selected:
        others = [cte for other, cte in filters.items() if other != name]
        bases.append(
            Sql(f"SELECT {FACET_BY_NAME[name].code}, b FROM (")
            + _and(["published", *text, *others])
            + Sql(") x")
        )
    counts = Sql(
        "SELECT t.key, bit_count(t.members & bases.b) "
        "FROM bases JOIN catalogue_facettotal t ON CASE WHEN bases.code = 0 "
        f"THEN t.key / {KEY_BASE} <> ALL(%s) ELSE t.key / {KEY_BASE} = bases.code END AND ",
        ([FACET_BY_NAME[name].code for name in wanted.selected],),
    ) + _places_counted(wanted, places)
    return [
        _cte("bases(code, b)", join(" UNION ALL ", bases), materialized=True),
        _cte("counts(key, n)", counts),
    ]


# `v`: curated values and regions by facet key, for labels; and local authorities by their
# keys in a facet of places, with their ONS code as slug.
_VOCABULARY = _cte(
    "v(k, facet, slug, name)",
    Sql(
        " UNION ALL ".join(
            [
                *(
                    f"SELECT {facet.code}::bigint * {KEY_BASE} + id, '{facet.name}', slug, name "
                    f"FROM {facet.table}"
                    for facet in FACETS
                    if facet.table
                ),
                *(
                    f"SELECT {facet.base + PLACE_OFFSET}::bigint + id, '{facet.name}', code, name "
                    "FROM catalogue_localauthority"
                    for facet in FACETS
                    if facet.places
                ),
            ]
        )
    ),
)


# --- The page


def _page(wanted: Criteria, offset: int, limit: int) -> Sql:
    """`page`: the ids of one page of results, in order."""
    return _cte(
        "page",
        Sql("SELECT ARRAY(")
        + _in_order(wanted, offset)
        + Sql(" LIMIT %s OFFSET %s) AS ids", (limit, offset)),
        materialized=True,
    )


def _results(reading: Reading | None) -> Sql:
    """`results(rows)`: the page's innovations in order, as JSON, with their lead organisation
    and sectors (by name), and with a text query their highlighted passages."""
    highlight = (
        Sql(f"ts_headline('{SEARCH_CONFIG}'::regconfig, {_HIGHLIGHTED}, ")
        + reading.highlighted()
        + Sql(", %s)", (_HEADLINE_OPTIONS,))
        if reading
        else Sql("NULL")
    )
    return _cte(
        "results(rows)",
        Sql("""
    SELECT json_agg(json_build_array(
        i.id, i.slug, i.title, i.summary, i.stage, i.kind, i.evidence_level, i.adoption_count,
        o.name, o.kind,
        (SELECT json_agg(json_build_array(s.name, s.slug) ORDER BY s.name)
           FROM catalogue_innovation_sectors l JOIN catalogue_sector s ON s.id = l.sector_id
          WHERE l.innovation_id = i.id),
        """)
        + highlight
        + Sql(""") ORDER BY p.position)
      FROM page, unnest(page.ids) WITH ORDINALITY AS p(id, position)
      JOIN catalogue_innovation i ON i.id = p.id
      LEFT JOIN catalogue_organisation o ON o.id = i.lead_organisation_id"""),
    )


# --- The statement


def _rows(wanted: Criteria, reading: Reading | None) -> Sql:
    """The statement's rows: every count above zero and the total ('count'), the labels of the
    selected curated values, even at zero ('label'), the page as JSON ('results') and, with a
    text query, how many terms full-text search kept of it ('terms')."""
    chosen = [
        Sql("(v.facet = %s AND v.slug = ANY(%s))", (name, [str(value) for value in values]))
        for name, values in wanted.selected.items()
        if FACET_BY_NAME[name].table
    ]
    rows = (
        # Keys at zero are left out (selected values come back as labels); so are keys of
        # curated values that no longer exist, which are always at zero.
        Sql(
            "SELECT 'count', c.key, c.n, v.slug, v.name, NULL::json "
            "FROM counts c LEFT JOIN v ON v.k = c.key WHERE c.n > 0 OR c.key = 0 "
            "UNION ALL SELECT 'label', v.k, 0, v.slug, v.name, NULL FROM v WHERE "
        )
        + (join(" OR ", chosen) if chosen else Sql("false"))
        + Sql(" UNION ALL SELECT 'results', NULL, NULL, NULL, NULL, rows FROM results")
    )
    if reading:
        rows += Sql(" UNION ALL SELECT 'terms', NULL, numnode(") + reading.all_words()
        rows += Sql("), NULL, NULL, NULL UNION ALL SELECT 'every word', NULL, b::int, NULL, NULL, ")
        rows += Sql("NULL FROM every_word")
    return rows


def _search_statement(
    wanted: Criteria, reading: Reading | None, offset: int, limit: int, places: bool = False
) -> Sql:
    """The total, every facet's disjunctive counts (with `places`, local authorities' too),
    one page of results and the number of terms full-text search kept of the text, in one
    statement."""
    filters, names = _filters(wanted)
    text = [*_text_match(wanted, reading), _MATCH_BITS] if reading else []
    return _with(
        [
            *filters,
            *text,
            *_disjunctive_counts(wanted, names, places),
            _VOCABULARY,
            _page(wanted, offset, limit),
            _results(reading),
        ],
        _rows(wanted, reading),
    )


def _read(
    rows: list[tuple[Any, ...]], selected: dict[str, list[Value]]
) -> tuple[int, dict[str, list[FacetValue]], list[SearchHit], int | None, bool, dict[str, int]]:
    """The total, the facets, the page's hits, the number of terms kept (None without a text
    query), whether the matches have every word and the local authorities' counts (those the
    rows have), from the rows of the search statement."""
    total = 0
    terms = None
    every_word = True
    places: dict[str, int] = {}
    hits: list[SearchHit] = []
    counted: dict[str, dict[str, tuple[str | None, int]]] = {facet.name: {} for facet in FACETS}
    for kind, key, count, slug, name, results in rows:
        if kind == "results":
            hits = _hits(results or [])
            continue
        if kind == "terms":
            terms = count
            continue
        if kind == "every word":
            every_word = bool(count)
            continue
        if key == TOTAL_KEY:
            total = count
            continue
        facet_name, code = decode(key)
        facet = FACET_BY_NAME[facet_name]
        if facet.table and slug is None:
            continue  # a curated value deleted since (its members are empty)
        if facet.places and is_place(code):
            if kind == "count":
                places[slug] = count
            if slug not in {str(value) for value in selected.get(facet.name, [])}:
                continue  # a facet of places lists regions, and the places selected
        value = slug if facet.table else str(facet.value(code))
        label = name if facet.table else None
        if kind == "label":
            counted[facet.name].setdefault(value, (label, 0))
        else:
            counted[facet.name][value] = (label, count)
    facets = {facet.name: _facet_values(facet, counted[facet.name], selected) for facet in FACETS}
    return total, facets, hits, terms, every_word, places


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
    facet: Facet, counted: dict[str, tuple[str | None, int]], selected: dict[str, list[Value]]
) -> list[FacetValue]:
    chosen = {str(value) for value in selected.get(facet.name, [])}
    values: list[FacetValue] = []
    if facet.choices:
        # Fixed vocabularies keep their natural order (the seven stages in sequence, …).
        for value, label in facet.choices:
            count = counted.get(str(value), (None, 0))[1]
            if count or str(value) in chosen:
                values.append(FacetValue(value, label, count, str(value) in chosen))
    else:
        for value, (name, count) in sorted(counted.items(), key=lambda i: (-i[1][1], i[1][0])):
            if count or value in chosen:
                values.append(FacetValue(value, name or value, count, value in chosen))
    # Selected values the catalogue does not know select nothing; they stay listed, at zero.
    listed = {str(v.value) for v in values}
    for value in selected.get(facet.name, []):
        if str(value) not in listed:
            values.append(FacetValue(value, str(value), 0, True))
    return values


# --- Suggestions -------------------------------------------------------------------------------

# The query with each word replaced by the nearest word of the published catalogue (when one is
# near enough: a few letters apart), then vocabulary names that look like the query.
SUGGESTIONS_SQL = """
WITH typed AS (
    SELECT word, n FROM unnest(%(words)s::text[]) WITH ORDINALITY AS t(word, n)
), corrected AS (
    SELECT string_agg(coalesce(best.word, typed.word), ' ' ORDER BY typed.n) AS text
      FROM typed LEFT JOIN LATERAL (
          SELECT w.word FROM catalogue_word w
           WHERE length(typed.word) <= 100  -- levenshtein() takes at most 255 characters
             AND similarity(w.word, typed.word) >= 0.2
             AND levenshtein(w.word, typed.word) <= greatest(2, length(typed.word) / 3)
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
    with _reading().cursor() as cursor:
        cursor.execute(
            SUGGESTIONS_SQL,
            {"words": words, "q": " ".join(words), "limit": SUGGESTION_LIMIT},
        )
        found = [row[0] for row in cursor.fetchall()]
    return list({text.lower(): text for text in reversed(found)}.values())[::-1]
