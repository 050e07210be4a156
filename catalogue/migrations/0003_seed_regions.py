"""The contract's regions: the UK nations, England's nine regions under `england`, outside-uk."""

from django.db import migrations

# (slug, name, kind, parent slug, latitude, longitude): rough centres, for drawing maps only.
REGIONS = [
    ("england", "England", "nation", None, "52.35552", "-1.17432"),
    ("north-east", "North East", "region", "england", "55.00000", "-1.87000"),
    ("north-west", "North West", "region", "england", "54.04000", "-2.68000"),
    ("yorkshire-and-the-humber", "Yorkshire and the Humber", "region", "england", "53.95000", "-1.25000"),
    ("east-midlands", "East Midlands", "region", "england", "52.98000", "-0.95000"),
    ("west-midlands", "West Midlands", "region", "england", "52.48000", "-2.30000"),
    ("east-of-england", "East of England", "region", "england", "52.24000", "0.41000"),
    ("london", "London", "region", "england", "51.50700", "-0.12780"),
    ("south-east", "South East", "region", "england", "51.30000", "-0.80000"),
    ("south-west", "South West", "region", "england", "50.78000", "-3.60000"),
    ("wales", "Wales", "nation", None, "52.13000", "-3.78000"),
    ("scotland", "Scotland", "nation", None, "56.49000", "-4.20000"),
    ("northern-ireland", "Northern Ireland", "nation", None, "54.61000", "-6.63000"),
    ("outside-uk", "Outside the UK", "other", None, None, None),
]


def seed(apps, schema_editor):
    Region = apps.get_model("catalogue", "Region")
    by_slug = {}
    for position, (slug, name, kind, parent, lat, lon) in enumerate(REGIONS):
        by_slug[slug] = Region.objects.create(
            slug=slug,
            name=name,
            kind=kind,
            parent=by_slug.get(parent),
            position=position,
            latitude=lat,
            longitude=lon,
        )


def unseed(apps, schema_editor):
    Region = apps.get_model("catalogue", "Region")
    Region.objects.filter(parent__isnull=False).delete()
    Region.objects.filter(slug__in=[r[0] for r in REGIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_search_vector_trigger")]

    operations = [migrations.RunPython(seed, unseed)]
