"""The `adopted_in` facet (code 12): where an innovation has an active adoption.

Each innovation's `facet_keys` gain, for its adoptions that are piloting, adopted or scaled,
the keys of their regions (the adoption's own, and its local authority's) with each region's
nation, so that a nation selects its regions as for `region`, and one key per local authority,
10^9 above the regions' (catalogue/facets.py, PLACE_OFFSET). The adoption trigger now also
fires when an adoption moves region or local authority, a region or a local authority that
changes its place touches the innovations adopted there, and every innovation is recomputed.
"""

import importlib

from django.db import migrations

ACTIVE = "('piloting', 'adopted', 'scaled')"

PREVIOUS = importlib.import_module("catalogue.migrations.0005_facet_keys_and_totals").DERIVE

# The 0005 function, with the keys of where it has been adopted added last.
DERIVE = PREVIOUS.replace(
    "        UNION ALL SELECT 11000000000000 + CASE WHEN NEW.adoption_count > 0 THEN 1 ELSE 2 END\n",
    f"""        UNION ALL SELECT 11000000000000 + CASE WHEN NEW.adoption_count > 0 THEN 1 ELSE 2 END
        UNION ALL SELECT 12000000000000 + r.id FROM catalogue_region r
                   WHERE EXISTS (
                       SELECT 1 FROM adopters_adoption a
                         LEFT JOIN catalogue_localauthority la ON la.id = a.local_authority_id
                         JOIN catalogue_region ar ON ar.id IN (a.region_id, la.region_id)
                        WHERE a.innovation_id = NEW.id AND a.status IN {ACTIVE}
                          AND r.id IN (ar.id, ar.parent_id))
        UNION ALL SELECT DISTINCT 12001000000000 + a.local_authority_id FROM adopters_adoption a
                   WHERE a.innovation_id = NEW.id AND a.status IN {ACTIVE}
                     AND a.local_authority_id IS NOT NULL
""",
)
assert DERIVE != PREVIOUS

ADOPTION_TRIGGER = r"""
DROP TRIGGER adopters_adoption_counted ON adopters_adoption;
CREATE TRIGGER adopters_adoption_counted
    AFTER INSERT OR DELETE OR UPDATE OF status, innovation_id, region_id, local_authority_id
    ON adopters_adoption
    FOR EACH ROW EXECUTE FUNCTION adopters_adoption_touch();
"""

OLD_ADOPTION_TRIGGER = r"""
DROP TRIGGER adopters_adoption_counted ON adopters_adoption;
CREATE TRIGGER adopters_adoption_counted
    AFTER INSERT OR DELETE OR UPDATE OF status, innovation_id ON adopters_adoption
    FOR EACH ROW EXECUTE FUNCTION adopters_adoption_touch();
"""

PLACES_MOVED = r"""
CREATE OR REPLACE FUNCTION catalogue_region_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalogue_innovation SET id = id
     WHERE id IN (SELECT innovation_id FROM catalogue_innovation_regions
                   WHERE region_id = NEW.id)
        OR id IN (SELECT a.innovation_id FROM adopters_adoption a
                    LEFT JOIN catalogue_localauthority la ON la.id = a.local_authority_id
                   WHERE NEW.id IN (a.region_id, la.region_id));
    RETURN NULL;
END;
$$;
CREATE FUNCTION catalogue_local_authority_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalogue_innovation SET id = id
     WHERE id IN (SELECT innovation_id FROM adopters_adoption WHERE local_authority_id = NEW.id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER catalogue_local_authority_moved AFTER UPDATE OF region_id ON catalogue_localauthority
    FOR EACH ROW WHEN (OLD.region_id IS DISTINCT FROM NEW.region_id)
    EXECUTE FUNCTION catalogue_local_authority_moved();
"""

OLD_PLACES_MOVED = r"""
DROP TRIGGER IF EXISTS catalogue_local_authority_moved ON catalogue_localauthority;
DROP FUNCTION IF EXISTS catalogue_local_authority_moved();
CREATE OR REPLACE FUNCTION catalogue_region_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalogue_innovation SET id = id
     WHERE id IN (SELECT innovation_id FROM catalogue_innovation_regions
                   WHERE region_id = NEW.id);
    RETURN NULL;
END;
$$;
"""

BACKFILL = "UPDATE catalogue_innovation SET id = id;"


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0018_local_authorities"),
        ("adopters", "0011_adoption_local_authority"),
    ]

    operations = [
        migrations.RunSQL(
            DERIVE + ADOPTION_TRIGGER + PLACES_MOVED + BACKFILL,
            PREVIOUS + OLD_ADOPTION_TRIGGER + OLD_PLACES_MOVED + BACKFILL,
        ),
    ]
