"""Facet members: for every facet key, the published innovations that have it, as a bit string.

Bit i of `catalogue_facettotal.members` is set when published innovation i has the key. Facet
counts then become bitwise ANDs and `bit_count`s of a few kilobytes each instead of unnesting
and grouping the keys of every matching innovation (catalogue/search.py; docs/performance.md).

Every bit string has the same width, a multiple of WIDTH_STEP bits wider than the largest id,
so that they can be ANDed together; the statement triggers that kept the counts now keep the
members too, and derive each count from its members. Writers that change facet members take a
transaction-level advisory lock, so that widening the strings never races another writer.
"""

from django.db import migrations

WIDTH_STEP = 8192

FORWARD = rf"""
ALTER TABLE catalogue_facettotal ADD COLUMN members varbit;
-- Uncompressed out-of-line storage: read often, ANDed whole, never worth decompressing.
ALTER TABLE catalogue_facettotal ALTER COLUMN members SET STORAGE EXTERNAL;

-- A bit string of the given width (a multiple of 64) with the bits of the given ids set. The ids
-- are gathered into 64-bit words first, so that the string is assembled from one hexadecimal
-- word per non-empty word rather than one piece per id (duplicates are harmless).
CREATE FUNCTION catalogue_bits(ids bigint[], width int) RETURNS varbit
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ('x' || rpad(coalesce(string_agg(repeat('0', ((word - prev - 1) * 16)::int)
                                            || lpad(to_hex(bits), 16, '0'), '' ORDER BY word),
                                 ''), width / 4, '0'))::varbit
      FROM (SELECT word, bits, lag(word, 1, -1::bigint) OVER (ORDER BY word) AS prev
              FROM (SELECT id / 64 AS word, bit_or(1::bigint << (63 - id % 64)::int) AS bits
                      FROM unnest(ids) AS u(id) GROUP BY 1) w) s
$$;

-- Apply (key, id) pairs that arrived and departed: pairs in both are unchanged.
CREATE FUNCTION catalogue_facet_members_apply(
    added_keys bigint[], added_ids bigint[], removed_keys bigint[], removed_ids bigint[]
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    width int;
    needed int;
BEGIN
    IF cardinality(added_keys) = 0 AND cardinality(removed_keys) = 0 THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('catalogue_facettotal')::bigint);
    SELECT length(members) INTO width FROM catalogue_facettotal LIMIT 1;
    needed := (coalesce((SELECT max(i) FROM unnest(added_ids) i), 0) / {WIDTH_STEP} + 1)
              * {WIDTH_STEP};
    IF width IS NULL THEN
        width := needed;
    ELSIF needed > width THEN
        UPDATE catalogue_facettotal
           SET members = members || repeat('0', needed - width)::varbit;
        width := needed;
    END IF;

    WITH added AS (
        SELECT k, i FROM unnest(added_keys, added_ids) AS a(k, i)
        EXCEPT SELECT k, i FROM unnest(removed_keys, removed_ids) AS r(k, i)
    ), removed AS (
        SELECT k, i FROM unnest(removed_keys, removed_ids) AS r(k, i)
        EXCEPT SELECT k, i FROM unnest(added_keys, added_ids) AS a(k, i)
    ), delta AS (
        SELECT k,
               catalogue_bits(array_agg(i) FILTER (WHERE sign > 0), width) AS plus,
               catalogue_bits(array_agg(i) FILTER (WHERE sign < 0), width) AS minus
          FROM (SELECT k, i, 1 AS sign FROM added UNION ALL SELECT k, i, -1 FROM removed) c
         GROUP BY k
    ), updated AS (
        UPDATE catalogue_facettotal t
           SET members = (t.members & ~d.minus) | d.plus,
               count = bit_count((t.members & ~d.minus) | d.plus)
          FROM delta d WHERE t.key = d.k
        RETURNING t.key
    )
    INSERT INTO catalogue_facettotal AS t (key, count, members)
    SELECT k, bit_count(plus), plus FROM delta WHERE k NOT IN (SELECT key FROM updated);
END;
$$;

CREATE OR REPLACE FUNCTION catalogue_facet_totals() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ak bigint[] := '{{}}';
    ai bigint[] := '{{}}';
    rk bigint[] := '{{}}';
    ri bigint[] := '{{}}';
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT coalesce(array_agg(k), '{{}}'), coalesce(array_agg(id), '{{}}') INTO ak, ai
          FROM (SELECT unnest(facet_keys) AS k, id FROM arrived WHERE status = 'published') x;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT coalesce(array_agg(k), '{{}}'), coalesce(array_agg(id), '{{}}') INTO rk, ri
          FROM (SELECT unnest(facet_keys) AS k, id FROM departed WHERE status = 'published') x;
    END IF;
    PERFORM catalogue_facet_members_apply(ak, ai, rk, ri);
    RETURN NULL;
END;
$$;

DROP FUNCTION catalogue_facet_totals_apply(jsonb);

-- Rebuild every key's members and count from the innovations themselves.
DELETE FROM catalogue_facettotal;
SELECT catalogue_facet_members_apply(
    coalesce(array_agg(k), '{{}}'), coalesce(array_agg(id), '{{}}'), '{{}}', '{{}}')
  FROM (SELECT unnest(facet_keys) AS k, id FROM catalogue_innovation
         WHERE status = 'published') x;
ALTER TABLE catalogue_facettotal ALTER COLUMN members SET NOT NULL;
"""

# Back to 0005's counting: the members column goes, the counts stay right.
BACKWARD = r"""
ALTER TABLE catalogue_facettotal DROP COLUMN members;
DROP FUNCTION catalogue_facet_members_apply(bigint[], bigint[], bigint[], bigint[]);
DROP FUNCTION catalogue_bits(bigint[], int);
"""


def backward_functions(apps, schema_editor):
    """Restore 0005's trigger functions, exactly as that migration wrote them."""
    import importlib

    totals = importlib.import_module("catalogue.migrations.0005_facet_keys_and_totals").TOTALS
    functions = totals.split("CREATE TRIGGER", 1)[0].replace(
        "CREATE FUNCTION catalogue_facet_totals()",
        "CREATE OR REPLACE FUNCTION catalogue_facet_totals()",
    )
    schema_editor.execute(functions)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0008_truncate_and_region_triggers")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, backward_functions),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
