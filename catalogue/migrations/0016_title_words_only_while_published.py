"""Title words leave the dictionary with the last published title that has them (issue 14).

Until now a word was added when a published title had it and never removed, so "did you
mean" went on offering words of entries since archived, sent back to draft or retitled. Each
word now counts the published titles that have it: the triggers add a title's words when it
becomes public (published, or retitled while published) and take them away when it stops
being public (archived, sent back, retitled, deleted); a word counted by no title goes. The
dictionary is rebuilt from the published titles, which drops every stale word.

All of one title's changes are a single statement in word order, so that two writers
sharing words lock them in the same order and cannot deadlock.
"""

from django.db import migrations, models

FORWARD = r"""
CREATE FUNCTION catalogue_title_words_of(title text) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT left(w, 100)), '{}')
      FROM regexp_split_to_table(lower(title), '[^[:alnum:]]+') w
     WHERE length(w) >= 3 AND w ~ '[[:alpha:]]'
$$;

CREATE OR REPLACE FUNCTION catalogue_title_words() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    before text[] := '{}';
    after text[] := '{}';
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.status = 'published' THEN
        before := catalogue_title_words_of(OLD.title);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = 'published' THEN
        after := catalogue_title_words_of(NEW.title);
    END IF;
    INSERT INTO catalogue_titleword AS t (word, titles)
    SELECT word, sum(change) FROM (
        SELECT unnest(after) AS word, 1 AS change
        UNION ALL SELECT unnest(before), -1
    ) changes
    GROUP BY word HAVING sum(change) <> 0
    ORDER BY word
    ON CONFLICT (word) DO UPDATE SET titles = t.titles + EXCLUDED.titles;
    DELETE FROM catalogue_titleword WHERE word = ANY (before) AND titles <= 0;
    RETURN NULL;
END;
$$;

DROP TRIGGER catalogue_title_words_written ON catalogue_innovation;
CREATE TRIGGER catalogue_title_words_added
    AFTER INSERT ON catalogue_innovation
    FOR EACH ROW WHEN (NEW.status = 'published')
    EXECUTE FUNCTION catalogue_title_words();
CREATE TRIGGER catalogue_title_words_changed
    AFTER UPDATE OF title, status ON catalogue_innovation
    FOR EACH ROW WHEN (
        (OLD.status = 'published' OR NEW.status = 'published')
        AND (OLD.title IS DISTINCT FROM NEW.title OR OLD.status IS DISTINCT FROM NEW.status)
    )
    EXECUTE FUNCTION catalogue_title_words();
CREATE TRIGGER catalogue_title_words_removed
    AFTER DELETE ON catalogue_innovation
    FOR EACH ROW WHEN (OLD.status = 'published')
    EXECUTE FUNCTION catalogue_title_words();

CREATE FUNCTION catalogue_title_words_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM catalogue_titleword;
    RETURN NULL;
END;
$$;
CREATE TRIGGER catalogue_title_words_truncated AFTER TRUNCATE ON catalogue_innovation
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_title_words_truncated();

DELETE FROM catalogue_titleword;
INSERT INTO catalogue_titleword (word, titles)
SELECT w, count(*) FROM catalogue_innovation i, unnest(catalogue_title_words_of(i.title)) w
 WHERE i.status = 'published'
 GROUP BY w;
"""

# As migration 0012 left it: words added, never removed.
BACKWARD = r"""
DROP TRIGGER IF EXISTS catalogue_title_words_truncated ON catalogue_innovation;
DROP FUNCTION IF EXISTS catalogue_title_words_truncated();
DROP TRIGGER IF EXISTS catalogue_title_words_added ON catalogue_innovation;
DROP TRIGGER IF EXISTS catalogue_title_words_changed ON catalogue_innovation;
DROP TRIGGER IF EXISTS catalogue_title_words_removed ON catalogue_innovation;
CREATE OR REPLACE FUNCTION catalogue_title_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO catalogue_titleword (word)
    SELECT DISTINCT left(w, 100) FROM regexp_split_to_table(lower(NEW.title), '[^[:alnum:]]+') w
     WHERE length(w) >= 3 AND w ~ '[[:alpha:]]'
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
CREATE TRIGGER catalogue_title_words_written
    AFTER INSERT OR UPDATE OF title, status ON catalogue_innovation
    FOR EACH ROW WHEN (NEW.status = 'published')
    EXECUTE FUNCTION catalogue_title_words();
DROP FUNCTION IF EXISTS catalogue_title_words_of(text);
"""


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0015_one_line_fields")]

    operations = [
        migrations.AddField(
            model_name="titleword",
            name="titles",
            field=models.IntegerField(
                default=0,
                help_text="How many published innovations have the word in their title.",
            ),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
