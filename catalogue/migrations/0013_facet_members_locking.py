"""Facet members: writers share a lock, and only widening the bit strings takes it alone.

0009 serialised every write that changed facet members with one exclusive lock held to commit,
taken after the statement had locked its innovations: two writers could deadlock (a review found
it), and a long import held up every other write. Now writers hold the lock shared, so they run
side by side; the rare writer that must widen every bit string (an id beyond the width) takes it
exclusively, waiting for the others to finish, and re-reads the width once it has it. New keys
inserted by two writers at once merge. Under REPEATABLE READ or SERIALIZABLE the width is read
with FOR SHARE, so a widening committed after the snapshot is a serialisation failure (retry)
rather than a bit string of the old width.
"""

from django.db import migrations


WIDTH_STEP = 8192
LOCK = "hashtext('catalogue_facettotal')::bigint"

FUNCTION = rf"""
CREATE OR REPLACE FUNCTION catalogue_facet_members_apply(
    added_keys bigint[], added_ids bigint[], removed_keys bigint[], removed_ids bigint[]
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    width int;
    needed int;
BEGIN
    IF cardinality(added_keys) = 0 AND cardinality(removed_keys) = 0 THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock_shared({LOCK});
    width := catalogue_facet_width();
    needed := (coalesce((SELECT max(i) FROM unnest(added_ids) i), 0) / {WIDTH_STEP} + 1)
              * {WIDTH_STEP};
    IF width IS NULL OR needed > width THEN
        PERFORM pg_advisory_xact_lock({LOCK});  -- alone: every other writer has finished
        width := catalogue_facet_width();
        IF width IS NULL THEN
            width := needed;
        ELSIF needed > width THEN
            UPDATE catalogue_facettotal
               SET members = members || repeat('0', needed - width)::varbit;
            width := needed;
        END IF;
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
    SELECT k, bit_count(plus), plus FROM delta WHERE k NOT IN (SELECT key FROM updated)
    ON CONFLICT (key) DO UPDATE
       SET members = t.members | EXCLUDED.members,
           count = bit_count(t.members | EXCLUDED.members);
END;
$$;

-- The width every bit string shares (NULL before the first). Outside READ COMMITTED the row is
-- read FOR SHARE, so that a widening committed after the snapshot fails to serialise.
CREATE FUNCTION catalogue_facet_width() RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    width int;
BEGIN
    IF current_setting('transaction_isolation') = 'read committed' THEN
        SELECT length(members) INTO width FROM catalogue_facettotal ORDER BY key LIMIT 1;
    ELSE
        SELECT length(members) INTO width FROM catalogue_facettotal ORDER BY key LIMIT 1
           FOR SHARE;
    END IF;
    RETURN width;
END;
$$;
"""


def previous_function(apps, schema_editor):
    """Back to 0009's function."""
    import importlib

    forward = importlib.import_module("catalogue.migrations.0009_facet_members").FORWARD
    start = forward.index("CREATE FUNCTION catalogue_facet_members_apply(")
    end = forward.index("$$;", forward.index("BEGIN", start)) + 3
    schema_editor.execute(
        forward[start:end].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    )
    schema_editor.execute("DROP FUNCTION catalogue_facet_width()")


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0012_title_words_need_letters")]

    operations = [
        migrations.RunSQL(FUNCTION, migrations.RunSQL.noop),
        migrations.RunPython(migrations.RunPython.noop, previous_function),
    ]
