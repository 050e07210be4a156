"""Innovations like this one: for the "similar innovations" list of an innovation's page."""

from __future__ import annotations

from catalogue.facets import FACET_CODES, KEY_BASE
from catalogue.models import Innovation
from catalogue.query import SEARCH_CONFIG

# A published innovation scores two points for every sector it shares with this one, one for
# every group of people it also helps, and up to three for how well its text matches the words
# of this one's title (ts_rank, 0 to 1, times 3). Drafts and archived entries have no search
# entry and are never suggested.
#
# Scoring every innovation that shares a sector would read most of a 100,000-entry catalogue,
# so only a pool of candidates is scored, each part found through an index and capped: those
# with all of this one's sectors and groups, those with all its sectors, those with any of
# them, those whose text has every word of its title, and those with any word of it. In a
# catalogue where fewer than POOL innovations share anything with it, the pool holds them all
# and the answer is exact. (The SQL is constant: the request's values are parameters.)
POOL = 200
_SIMILAR_SQL = f"""
WITH me AS (
    SELECT id, sector_ids, beneficiary_ids,
           ARRAY(SELECT {FACET_CODES["sector"]} * {KEY_BASE}::bigint + unnest(sector_ids))
               AS sector_keys,
           ARRAY(SELECT {FACET_CODES["beneficiary"]} * {KEY_BASE}::bigint + unnest(beneficiary_ids))
               AS beneficiary_keys,
           (SELECT array_agg(quote_literal(lexeme))
              FROM unnest(to_tsvector('{SEARCH_CONFIG}'::regconfig, title))) AS words
      FROM catalogue_innovation WHERE id = %(id)s
),
queries AS (
    SELECT to_tsquery('{SEARCH_CONFIG}'::regconfig, array_to_string(words, ' & ')) AS every,
           to_tsquery('{SEARCH_CONFIG}'::regconfig, array_to_string(words, ' | ')) AS any
      FROM me
),
pool(id) AS (
    (SELECT i.id FROM catalogue_innovation i, me
      WHERE i.status = 'published' AND cardinality(me.sector_keys) > 0
        AND i.facet_keys @> (me.sector_keys || me.beneficiary_keys) LIMIT {POOL})
    UNION
    (SELECT i.id FROM catalogue_innovation i, me
      WHERE i.status = 'published' AND cardinality(me.sector_keys) > 0
        AND i.facet_keys @> me.sector_keys LIMIT {POOL})
    UNION
    (SELECT i.id FROM catalogue_innovation i, me
      WHERE i.status = 'published'
        AND i.facet_keys && (me.sector_keys || me.beneficiary_keys) LIMIT {POOL})
    UNION
    (SELECT e.innovation_id FROM catalogue_searchentry e, queries q
      WHERE q.every IS NOT NULL AND e.search_vector @@ q.every LIMIT {POOL})
    UNION
    (SELECT e.innovation_id FROM catalogue_searchentry e, queries q
      WHERE q.any IS NOT NULL AND e.search_vector @@ q.any LIMIT {POOL})
)
SELECT i.id
  FROM pool
  JOIN catalogue_innovation i ON i.id = pool.id
  JOIN catalogue_searchentry e ON e.innovation_id = i.id
 CROSS JOIN me CROSS JOIN queries q
 WHERE i.id <> me.id
 ORDER BY 2 * cardinality(ARRAY(SELECT unnest(i.sector_ids) INTERSECT SELECT unnest(me.sector_ids)))
          + cardinality(ARRAY(SELECT unnest(i.beneficiary_ids)
                              INTERSECT SELECT unnest(me.beneficiary_ids)))
          + CASE WHEN q.any IS NULL THEN 0 ELSE 3 * ts_rank(e.search_vector, q.any) END DESC,
          i.adoption_count DESC, i.id
 LIMIT %(limit)s
"""  # noqa: S608


def similar_to(innovation: Innovation, limit: int = 4) -> list[Innovation]:
    """The published innovations most like this one, most alike first."""
    ids = [
        row.id
        for row in Innovation.objects.raw(_SIMILAR_SQL, {"id": innovation.pk, "limit": limit})
    ]
    found = Innovation.objects.for_listing().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]
