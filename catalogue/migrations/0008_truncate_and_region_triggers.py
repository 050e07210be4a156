"""Close the last paths around the derived columns: TRUNCATE, and a region moving nation."""

from django.db import migrations

LINK_TABLES = [
    "catalogue_innovation_sectors",
    "catalogue_innovation_beneficiaries",
    "catalogue_innovation_scaling_routes",
    "catalogue_innovation_regions",
]

FORWARD = (
    r"""
CREATE FUNCTION catalogue_facet_totals_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM catalogue_facettotal;
    RETURN NULL;
END;
$$;
CREATE TRIGGER catalogue_facet_totals_truncated AFTER TRUNCATE ON catalogue_innovation
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_facet_totals_truncated();

CREATE FUNCTION catalogue_touch_all_innovations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalogue_innovation SET id = id;
    RETURN NULL;
END;
$$;

CREATE FUNCTION catalogue_region_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalogue_innovation SET id = id
     WHERE id IN (SELECT innovation_id FROM catalogue_innovation_regions
                   WHERE region_id = NEW.id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER catalogue_region_moved AFTER UPDATE OF parent_id ON catalogue_region
    FOR EACH ROW WHEN (OLD.parent_id IS DISTINCT FROM NEW.parent_id)
    EXECUTE FUNCTION catalogue_region_moved();
"""
    + "".join(
        f"CREATE TRIGGER {t}_truncated AFTER TRUNCATE ON {t} "
        "FOR EACH STATEMENT EXECUTE FUNCTION catalogue_touch_all_innovations();\n"
        for t in LINK_TABLES
    )
)

BACKWARD = (
    "".join(f"DROP TRIGGER IF EXISTS {t}_truncated ON {t};\n" for t in LINK_TABLES)
    + r"""
DROP TRIGGER IF EXISTS catalogue_region_moved ON catalogue_region;
DROP FUNCTION IF EXISTS catalogue_region_moved();
DROP FUNCTION IF EXISTS catalogue_touch_all_innovations();
DROP TRIGGER IF EXISTS catalogue_facet_totals_truncated ON catalogue_innovation;
DROP FUNCTION IF EXISTS catalogue_facet_totals_truncated();
"""
)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0007_title_words")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
