"""Keep Innovation.search_vector current inside PostgreSQL.

A text search configuration `english_unaccent` strips accents before English stemming, so
"Café" finds "cafe". A BEFORE trigger weighs the title (A) above the summary and lead
organisation's name (B) above the body fields (C), on every insert and update whatever the write
path (ORM, admin, import, raw SQL). Renaming an organisation re-touches its innovations.
"""

from django.db import migrations

FORWARD = r"""
CREATE TEXT SEARCH CONFIGURATION english_unaccent (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION english_unaccent
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;

CREATE FUNCTION catalogue_innovation_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    organisation_name text;
BEGIN
    SELECT name INTO organisation_name
      FROM catalogue_organisation WHERE id = NEW.lead_organisation_id;
    NEW.search_vector :=
        setweight(to_tsvector('english_unaccent', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english_unaccent',
            coalesce(NEW.summary, '') || ' ' || coalesce(organisation_name, '')), 'B') ||
        setweight(to_tsvector('english_unaccent',
            concat_ws(' ', NEW.problem, NEW.how_it_works, NEW.core, NEW.adaptable,
                      NEW.outcomes, NEW.evidence_summary)), 'C');
    RETURN NEW;
END;
$$;

CREATE TRIGGER catalogue_innovation_search_vector_update
    BEFORE INSERT OR UPDATE ON catalogue_innovation
    FOR EACH ROW EXECUTE FUNCTION catalogue_innovation_search_vector();

CREATE FUNCTION catalogue_organisation_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalogue_innovation SET lead_organisation_id = lead_organisation_id
     WHERE lead_organisation_id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER catalogue_organisation_renamed_update
    AFTER UPDATE OF name ON catalogue_organisation
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION catalogue_organisation_renamed();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS catalogue_organisation_renamed_update ON catalogue_organisation;
DROP FUNCTION IF EXISTS catalogue_organisation_renamed();
DROP TRIGGER IF EXISTS catalogue_innovation_search_vector_update ON catalogue_innovation;
DROP FUNCTION IF EXISTS catalogue_innovation_search_vector();
DROP TEXT SEARCH CONFIGURATION IF EXISTS english_unaccent;
"""


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
