"""Innovations like this one: for the "similar innovations" list of an innovation's page."""

from __future__ import annotations

from catalogue.filtersets import SEARCH_CONFIG
from catalogue.models import Innovation

# A published innovation scores two points for every sector it shares with this one, one for
# every group of people it also helps, and up to three for how well its text matches the words
# of this one's title (ts_rank, 0 to 1, times 3). Drafts and archived entries have no search
# entry and are never suggested. (The SQL is constant: the request's values are parameters.)
_SIMILAR_SQL = f"""
WITH words AS (
    SELECT to_tsquery('{SEARCH_CONFIG}'::regconfig, string_agg(quote_literal(lexeme), ' | ')) AS q
      FROM unnest(to_tsvector('{SEARCH_CONFIG}'::regconfig, %(title)s))
),
scores(id, score) AS (
    SELECT innovation_id, 2 * count(*)
      FROM catalogue_innovation_sectors
     WHERE sector_id IN (SELECT sector_id FROM catalogue_innovation_sectors
                          WHERE innovation_id = %(id)s)
     GROUP BY innovation_id
    UNION ALL
    SELECT innovation_id, count(*)
      FROM catalogue_innovation_beneficiaries
     WHERE beneficiarygroup_id IN (SELECT beneficiarygroup_id
                                     FROM catalogue_innovation_beneficiaries
                                    WHERE innovation_id = %(id)s)
     GROUP BY innovation_id
    UNION ALL
    SELECT e.innovation_id, 3 * ts_rank(e.search_vector, words.q)
      FROM catalogue_searchentry e, words
     WHERE words.q IS NOT NULL AND e.search_vector @@ words.q
)
SELECT s.id
  FROM scores s JOIN catalogue_searchentry e ON e.innovation_id = s.id
 WHERE s.id <> %(id)s
 GROUP BY s.id, e.adoption_count
 ORDER BY sum(s.score) DESC, e.adoption_count DESC, s.id
 LIMIT %(limit)s
"""  # noqa: S608


def similar_to(innovation: Innovation, limit: int = 4) -> list[Innovation]:
    """The published innovations most like this one, most alike first."""
    ids = [
        row.id
        for row in Innovation.objects.raw(
            _SIMILAR_SQL, {"id": innovation.pk, "title": innovation.title, "limit": limit}
        )
    ]
    found = Innovation.objects.for_listing().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]
