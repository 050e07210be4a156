"""Search that understands people (issue 15): a dictionary of every published word, and synonyms.

The dictionary of title words becomes a dictionary of the published catalogue's own text
(titles, summaries, problems, how each works): a search word that matches nothing is corrected
to the nearest of these, so the dictionary must hold what the catalogue says, not only its
titles. As before, a word is counted in while a published innovation has it and leaves with
the last one. The triggers are now statement-level, over the rows each statement changed: one
upsert per statement, in word order (so writers sharing words cannot deadlock), however many
innovations it wrote, which keeps bulk imports quick with many more words per entry. Hyphenated
names are kept whole ("home-start") beside their parts.

Synonyms are groups of words and phrases that mean the same, kept by curators; the migration
seeds a starter set written for this catalogue.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.operations
import django.contrib.postgres.indexes
import django.db.models.functions.text
import kernel.text
from django.db import migrations, models

DROP_TITLE_WORDS = r"""
DROP TRIGGER IF EXISTS catalogue_title_words_truncated ON catalogue_innovation;
DROP FUNCTION IF EXISTS catalogue_title_words_truncated();
DROP TRIGGER IF EXISTS catalogue_title_words_added ON catalogue_innovation;
DROP TRIGGER IF EXISTS catalogue_title_words_changed ON catalogue_innovation;
DROP TRIGGER IF EXISTS catalogue_title_words_removed ON catalogue_innovation;
DROP FUNCTION IF EXISTS catalogue_title_words();
DROP FUNCTION IF EXISTS catalogue_title_words_of(text);
"""

WORDS = r"""
-- The words of a text: lower case, unaccented, three characters or more with a letter; a
-- hyphenated word whole and in its parts.
CREATE FUNCTION catalogue_words_of(body text) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT left(w, 100)), '{}')
      FROM (SELECT trim(BOTH '-' FROM token) AS whole
              FROM regexp_split_to_table(lower(unaccent(body)), '[^[:alnum:]-]+') token) t,
           LATERAL unnest(CASE WHEN whole LIKE '%-%'
                               THEN array_append(string_to_array(whole, '-'), whole)
                               ELSE ARRAY[whole] END) w
     WHERE length(w) >= 3 AND w ~ '[[:alpha:]]'
$$;

CREATE FUNCTION catalogue_innovation_words(i catalogue_innovation) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT catalogue_words_of(concat_ws(' ', i.title, i.summary, i.problem, i.how_it_works))
$$;

-- Statement-level, over the rows a statement changed (transition tables): one upsert per
-- statement, in word order, however many innovations it wrote (a bulk import of a thousand rows
-- writes each shared word once, not a thousand times).
CREATE FUNCTION catalogue_words() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    words text[];
    changes bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(word ORDER BY word), array_agg(n ORDER BY word) INTO words, changes
          FROM (SELECT w AS word, count(*) AS n
                  FROM arrived a, unnest(catalogue_innovation_words(a)) w
                 WHERE a.status = 'published' GROUP BY w) c;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(word ORDER BY word), array_agg(-n ORDER BY word) INTO words, changes
          FROM (SELECT w AS word, count(*) AS n
                  FROM departed d, unnest(catalogue_innovation_words(d)) w
                 WHERE d.status = 'published' GROUP BY w) c;
    ELSE
        -- Only rows whose words or whose being public changed: touches (SET id = id) pass.
        SELECT array_agg(word ORDER BY word), array_agg(n ORDER BY word) INTO words, changes
          FROM (SELECT word, sum(change) AS n FROM (
                    SELECT unnest(CASE WHEN a.status = 'published'
                                       THEN catalogue_innovation_words(a) END) AS word,
                           1 AS change
                      FROM arrived a JOIN departed d ON d.id = a.id
                     WHERE (a.title, a.summary, a.problem, a.how_it_works, a.status)
                           IS DISTINCT FROM (d.title, d.summary, d.problem, d.how_it_works,
                                             d.status)
                    UNION ALL
                    SELECT unnest(CASE WHEN d.status = 'published'
                                       THEN catalogue_innovation_words(d) END), -1
                      FROM arrived a JOIN departed d ON d.id = a.id
                     WHERE (a.title, a.summary, a.problem, a.how_it_works, a.status)
                           IS DISTINCT FROM (d.title, d.summary, d.problem, d.how_it_works,
                                             d.status)
                ) x GROUP BY word HAVING sum(change) <> 0) c;
    END IF;
    IF words IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO catalogue_word AS t (word, entries)
    SELECT * FROM unnest(words, changes) ORDER BY 1
    ON CONFLICT (word) DO UPDATE SET entries = t.entries + EXCLUDED.entries;
    DELETE FROM catalogue_word WHERE word = ANY (words) AND entries <= 0;
    RETURN NULL;
END;
$$;

CREATE TRIGGER catalogue_words_added
    AFTER INSERT ON catalogue_innovation REFERENCING NEW TABLE AS arrived
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_words();
CREATE TRIGGER catalogue_words_changed
    AFTER UPDATE ON catalogue_innovation REFERENCING OLD TABLE AS departed NEW TABLE AS arrived
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_words();
CREATE TRIGGER catalogue_words_removed
    AFTER DELETE ON catalogue_innovation REFERENCING OLD TABLE AS departed
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_words();

CREATE FUNCTION catalogue_words_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM catalogue_word;
    RETURN NULL;
END;
$$;
CREATE TRIGGER catalogue_words_truncated AFTER TRUNCATE ON catalogue_innovation
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_words_truncated();

INSERT INTO catalogue_word (word, entries)
SELECT w, count(*) FROM catalogue_innovation i, unnest(catalogue_innovation_words(i)) w
 WHERE i.status = 'published'
 GROUP BY w;
"""

UNDO_WORDS = r"""
DROP TRIGGER IF EXISTS catalogue_words_truncated ON catalogue_innovation;
DROP FUNCTION IF EXISTS catalogue_words_truncated();
DROP TRIGGER IF EXISTS catalogue_words_added ON catalogue_innovation;
DROP TRIGGER IF EXISTS catalogue_words_changed ON catalogue_innovation;
DROP TRIGGER IF EXISTS catalogue_words_removed ON catalogue_innovation;
DROP FUNCTION IF EXISTS catalogue_words();
DROP FUNCTION IF EXISTS catalogue_innovation_words(catalogue_innovation);
DROP FUNCTION IF EXISTS catalogue_words_of(text);
"""

# A starter set, written for this catalogue: everyday words for its terms, word forms that English
# stemming keeps apart, and names written joined, split or hyphenated. Curators change it in the
# admin.
STARTER_SYNONYMS = [
    ("older people, elderly, older adults, older person, pensioners, seniors", "Everyday words for the catalogue's beneficiary group."),
    ("loneliness, lonely, lonesome", "Word forms that stemming keeps apart."),
    ("isolation, isolated", "Word forms that stemming keeps apart."),
    ("carer, carers, caring, caregiver, caregivers, unpaid carers", "Word forms, and the American word."),
    ("gp, gps, general practice, general practitioner, family doctor, gp surgery", "The abbreviation and what it stands for."),
    ("a&e, a and e, emergency department, accident and emergency", "The abbreviation and what it stands for."),
    ("children, kids, child", "The everyday word."),
    ("young people, youth, teenagers, adolescents, young person", "Everyday words for the beneficiary group."),
    ("council, councils, local authority, local authorities, local government", "What councils are called in the catalogue."),
    ("homelessness, homeless, rough sleeping, rough sleepers", "Word forms and the everyday term."),
    ("unemployment, unemployed, jobless, out of work", "Word forms and everyday words."),
    ("hospital admissions, hospital admission, admissions to hospital, admission to hospital", "The phrase in both orders."),
    ("hospital discharge, discharge from hospital, leaving hospital", "The phrase in both orders."),
    ("care home, care homes, nursing home, nursing homes, residential care", "Everyday words."),
    ("home care, domiciliary care, care at home", "The professional and the everyday term."),
    ("early years, under fives, preschool, pre-school", "Everyday words for the age group."),
    ("school readiness, ready for school, starting school", "Everyday phrases."),
    ("disabled people, disability, disabilities, disabled", "Word forms."),
    ("domestic abuse, domestic violence", "Both terms are used for the same services."),
    ("food bank, food banks, foodbank, foodbanks", "Written joined or split."),
    ("healthcare, health care", "Written joined or split."),
    ("wellbeing, well-being, well being", "Written joined, hyphenated or split."),
    ("childcare, child care", "Written joined or split."),
    ("neighbourhood, neighbourhoods, neighborhood, neighborhoods", "British and American spelling."),
    ("organisation, organisations, organization, organizations", "British and American spelling."),
    ("programme, programmes, program, programs", "British and American spelling."),
    ("voluntary sector, third sector, charities, charity, voluntary and community sector", "Names for the sector."),
    ("volunteers, volunteering, volunteer", "Word forms."),
    ("reoffending, re-offending, recidivism", "Written joined or hyphenated, and the formal word."),
    ("ex-offenders, ex offenders, people leaving prison, prison leavers", "Everyday phrases."),
    ("peer support, peer-to-peer support, peer to peer", "Written hyphenated or split."),
    ("social care, adult social care", "The service as councils name it."),
    ("mental health, mental wellbeing, emotional wellbeing", "Everyday words."),
    ("nhs, national health service, health service", "The abbreviation and what it stands for."),
    ("frail, frailty", "Word forms that stemming keeps apart."),
    ("hospital, hospitals, acute trust", "The service and the body that runs it."),
    ("falls prevention, preventing falls, fall prevention", "The phrase in both orders."),
    ("money advice, debt advice, financial advice", "Everyday words for the service."),
    ("digital skills, digital inclusion, getting online", "Everyday words for the aim."),
    ("school, schools, pupils", "Where children are reached."),
]


def seed_synonyms(apps, schema_editor):
    Synonym = apps.get_model("catalogue", "Synonym")
    Synonym.objects.bulk_create(
        Synonym(terms=[term.strip() for term in terms.split(",")], note=note)
        for terms, note in STARTER_SYNONYMS
    )



class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0019_adopted_in_facet'),
    ]

    operations = [
        # levenshtein(): how many letters a misspelt word is from a catalogue word.
        django.contrib.postgres.operations.CreateExtension("fuzzystrmatch"),
        migrations.CreateModel(
            name='Synonym',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('terms', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=60, validators=[kernel.text.single_line]), help_text='Two to twenty words or phrases that mean the same, separated by commas.', size=20)),
                ('note', models.CharField(blank=True, help_text='Why they belong together.', max_length=200, validators=[kernel.text.single_line])),
            ],
        ),
        migrations.CreateModel(
            name='Word',
            fields=[
                ('word', models.CharField(max_length=100, primary_key=True, serialize=False)),
                ('entries', models.IntegerField(default=0, help_text='How many published innovations have the word in their text.')),
            ],
        ),
        # Going back leaves no dictionary of title words: migration 0016's rebuild is not redone.
        migrations.RunSQL(DROP_TITLE_WORDS, migrations.RunSQL.noop),
        migrations.DeleteModel(
            name='TitleWord',
        ),
        migrations.AddIndex(
            model_name='synonym',
            index=django.contrib.postgres.indexes.GinIndex(fields=['terms'], name='synonym_terms_gin'),
        ),
        migrations.AddIndex(
            model_name='word',
            index=django.contrib.postgres.indexes.GistIndex(fields=['word'], name='word_trgm', opclasses=['gist_trgm_ops']),
        ),
        migrations.AddIndex(
            model_name='word',
            index=models.Index(django.db.models.functions.text.Replace('word', models.Value('-'), models.Value('')), name='word_joined'),
        ),
        migrations.RunSQL(WORDS, UNDO_WORDS),
        migrations.RunPython(seed_synonyms, migrations.RunPython.noop),
    ]
