"""Title words need a letter: numbers ("2016", "12345") are never misspelt words to correct.

Without them the dictionary holds words, not one entry per number found in a title, and the
nearest-word search stays quick when nothing is near (a nonsense query searched 95,000 entries
of a 100,000-innovation catalogue whose titles carry numbers; docs/performance.md).
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION catalogue_title_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO catalogue_titleword (word)
    SELECT DISTINCT left(w, 100) FROM regexp_split_to_table(lower(NEW.title), '[^[:alnum:]]+') w
     WHERE length(w) >= 3 AND w ~ '[[:alpha:]]'
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
DELETE FROM catalogue_titleword WHERE word !~ '[[:alpha:]]';
"""

BACKWARD = r"""
CREATE OR REPLACE FUNCTION catalogue_title_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO catalogue_titleword (word)
    SELECT DISTINCT left(w, 100) FROM regexp_split_to_table(lower(NEW.title), '[^[:alnum:]]+') w
     WHERE length(w) >= 3
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0011_search_entries")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
