"""A text query finds innovations by the names of their sectors, beneficiary groups and scaling
routes (issue 15): "housing" finds those in the Housing sector though their text never says it.

The names join the search vector at the lowest weight (D), after the innovation's own words, so
an entry that says the word ranks above one that is only filed under it. Renaming a sector, a
beneficiary group or a scaling route touches its innovations, which re-derives their vectors,
as renaming an organisation already does for the lead organisation's name.
"""

import importlib

from django.db import migrations

PREVIOUS = importlib.import_module("catalogue.migrations.0019_adopted_in_facet").DERIVE

NAMES = """    NEW.search_vector := NEW.search_vector || setweight(to_tsvector('english_unaccent',
        concat_ws(' ',
            (SELECT string_agg(name, ' ') FROM catalogue_sector WHERE id = ANY(NEW.sector_ids)),
            (SELECT string_agg(name, ' ') FROM catalogue_beneficiarygroup
              WHERE id = ANY(NEW.beneficiary_ids)),
            (SELECT string_agg(name, ' ') FROM catalogue_scalingroute
              WHERE id = ANY(NEW.scaling_route_ids)))), 'D');
    RETURN NEW;
END;"""

assert PREVIOUS.count("    RETURN NEW;\nEND;") == 1
DERIVE = PREVIOUS.replace("    RETURN NEW;\nEND;", NAMES)

VOCABULARIES = [
    ("catalogue_sector", "catalogue_innovation_sectors", "sector_id"),
    ("catalogue_beneficiarygroup", "catalogue_innovation_beneficiaries", "beneficiarygroup_id"),
    ("catalogue_scalingroute", "catalogue_innovation_scaling_routes", "scalingroute_id"),
]

RENAMED = "\n".join(
    f"""
CREATE FUNCTION {table}_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalogue_innovation SET id = id
     WHERE id IN (SELECT innovation_id FROM {link} WHERE {column} = NEW.id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER {table}_renamed AFTER UPDATE OF name ON {table}
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION {table}_renamed();
"""
    for table, link, column in VOCABULARIES
)

UNDO_RENAMED = "\n".join(
    f"DROP TRIGGER IF EXISTS {table}_renamed ON {table};\n"
    f"DROP FUNCTION IF EXISTS {table}_renamed();"
    for table, _, _ in VOCABULARIES
)

BACKFILL = "UPDATE catalogue_innovation SET id = id;"


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0020_words_and_synonyms")]

    operations = [
        migrations.RunSQL(
            DERIVE + RENAMED + BACKFILL,
            PREVIOUS + UNDO_RENAMED + BACKFILL,
        ),
    ]
