"""A SQLite copy of the published catalogue for Datasette, the peer we measure against.

One row per published innovation with the same facet columns (arrays as JSON, regions with their
nation, as our engine counts them), full-text search with FTS5 over title, summary and body, and a
translation of each benchmark request into Datasette's URL language.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, urlencode

ARRAY_FACETS = {
    "sector": "sector",
    "beneficiary": "beneficiary",
    "scaling_route": "scaling_route",
    "region": "region",
    "scaling_way": "scaling_way",
}
SCALAR_FACETS = {
    "stage": "stage",
    "kind": "kind",
    "organisation_kind": "organisation_kind",
    "cost_band": "cost_band",
    "evidence": "evidence_level",
    "adopted": "adopted",
}
INSERT = "INSERT INTO innovations VALUES (" + ", ".join(["?"] * 18) + ")"  # noqa: S608 - placeholders only
SORTS = {
    "newest": ("_sort_desc", "published_at"),
    "most_adopted": ("_sort_desc", "adoption_count"),
    "evidence": ("_sort_desc", "evidence_level"),
    "title": ("_sort", "title"),
}


def export(path: Path) -> None:
    """Write the SQLite copy from the Django database (call inside a configured Django)."""
    from catalogue.models import BeneficiaryGroup, Innovation, Region, ScalingRoute, Sector

    slugs = {
        "sector": dict(Sector.objects.values_list("id", "slug")),
        "beneficiary": dict(BeneficiaryGroup.objects.values_list("id", "slug")),
        "scaling_route": dict(ScalingRoute.objects.values_list("id", "slug")),
        "region": dict(Region.objects.values_list("id", "slug")),
    }
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute(
        """CREATE TABLE innovations (
            id INTEGER PRIMARY KEY, slug TEXT, title TEXT, summary TEXT, body TEXT,
            stage TEXT, kind TEXT, organisation_kind TEXT, cost_band TEXT, evidence_level INTEGER,
            adoption_count INTEGER, adopted TEXT, published_at TEXT,
            sector TEXT, beneficiary TEXT, scaling_route TEXT, region TEXT, scaling_way TEXT)"""
    )
    rows = (
        Innovation.objects.published()
        .values_list(
            "id",
            "slug",
            "title",
            "summary",
            "problem",
            "how_it_works",
            "stage",
            "kind",
            "organisation_kind",
            "cost_band",
            "evidence_level",
            "adoption_count",
            "published_at",
            "sector_ids",
            "beneficiary_ids",
            "scaling_route_ids",
            "region_ids",
            "scaling_ways",
        )  # fmt: skip
        .iterator(chunk_size=5000)
    )
    batch = []
    for r in rows:
        batch.append(
            (
                r[0],
                r[1],
                r[2],
                r[3],
                f"{r[4]} {r[5]}",
                r[6],
                r[7],
                r[8],
                r[9],
                r[10],
                r[11],
                "yes" if r[11] else "no",
                r[12].isoformat(),
                json.dumps([slugs["sector"][i] for i in r[13]]),
                json.dumps([slugs["beneficiary"][i] for i in r[14]]),
                json.dumps([slugs["scaling_route"][i] for i in r[15]]),
                json.dumps([slugs["region"][i] for i in r[16]]),
                json.dumps(list(r[17])),
            )  # fmt: skip
        )
        if len(batch) == 5000:
            db.executemany(INSERT, batch)
            batch = []
    db.executemany(INSERT, batch)
    # Datasette finds this FTS5 table and uses it for ?_search= (porter stemming, like ours).
    db.execute(
        "CREATE VIRTUAL TABLE innovations_fts USING fts5("
        "title, summary, body, content='innovations', content_rowid='id', tokenize='porter')"
    )
    db.execute("INSERT INTO innovations_fts(innovations_fts) VALUES ('rebuild')")
    for column in ("stage", "kind", "published_at", "adoption_count", "evidence_level"):
        db.execute(f"CREATE INDEX innovations_{column} ON innovations({column})")
    db.commit()
    db.close()


def datasette_path(database: str, query: str) -> str:
    """Our request, in Datasette's words: same filters, same sort, facets on every column."""
    params = parse_qs(query, keep_blank_values=False)
    out: list[tuple[str, str]] = []
    wheres = []
    for name, column in ARRAY_FACETS.items():
        values = params.get(name, [])
        if values:
            quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
            # Datasette's own URL filter for this; values are quoted above, the column is ours.
            wheres.append(f"exists (select 1 from json_each({column}) where value in ({quoted}))")  # noqa: S608
        out.append(("_facet_array", column))
    for name, column in SCALAR_FACETS.items():
        values = params.get(name, [])
        if len(values) == 1:
            out.append((f"{column}__exact", values[0]))
        elif values:
            out.append((f"{column}__in", ",".join(values)))
        out.append(("_facet", column))
    for where in wheres:
        out.append(("_where", where))
    q = params.get("q", [""])[0]
    if q:
        out.append(("_search", q))
    sort = params.get("sort", ["relevance" if q else "newest"])[0]
    if sort in SORTS:
        out.append(SORTS[sort])
    page_size = int(params.get("page_size", ["20"])[0])
    page = int(params.get("page", ["1"])[0])
    out.append(("_size", str(page_size)))
    # Datasette pages by keyset tokens from the previous page, so a "page 5" request is measured
    # on its first page there: in Datasette's favour.
    del page
    return f"/{database}/innovations.json?{urlencode(out)}"
