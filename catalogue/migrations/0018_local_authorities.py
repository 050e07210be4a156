"""The 361 UK local authority districts of 2023, with their ONS codes, each in its region.

Read from the vendored HexJSON file (catalogue/data/README.md says where it came from). The
GSS code of each district's region or nation maps to the contract's region slugs as below:
Scotland, Wales and Northern Ireland's districts sit in the nation's own row.
"""

import json
from pathlib import Path

import django.db.models.deletion
from django.db import migrations, models

import kernel.text

HEXJSON = Path(__file__).resolve().parent.parent / "data" / "uk-local-authority-districts-2023.hexjson"

REGION_SLUGS = {
    "E12000001": "north-east",
    "E12000002": "north-west",
    "E12000003": "yorkshire-and-the-humber",
    "E12000004": "east-midlands",
    "E12000005": "west-midlands",
    "E12000006": "east-of-england",
    "E12000007": "london",
    "E12000008": "south-east",
    "E12000009": "south-west",
    "W92000004": "wales",
    "S92000003": "scotland",
    "N92000002": "northern-ireland",
}


def seed(apps, schema_editor):
    Region = apps.get_model("catalogue", "Region")
    LocalAuthority = apps.get_model("catalogue", "LocalAuthority")
    regions = {r.slug: r for r in Region.objects.filter(slug__in=REGION_SLUGS.values())}
    hexes = json.loads(HEXJSON.read_text(encoding="utf-8"))["hexes"]
    LocalAuthority.objects.bulk_create(
        LocalAuthority(code=code, name=cell["n"], region=regions[REGION_SLUGS[cell["region"]]])
        for code, cell in sorted(hexes.items())
    )


def unseed(apps, schema_editor):
    apps.get_model("catalogue", "LocalAuthority").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0017_innovation_revisions'),
    ]

    operations = [
        migrations.CreateModel(
            name='LocalAuthority',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=9, unique=True, verbose_name='ONS code')),
                ('name', models.CharField(max_length=100, validators=[kernel.text.single_line])),
                ('region', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='local_authorities', to='catalogue.region')),
            ],
            options={
                'verbose_name_plural': 'local authorities',
                'ordering': ['name'],
                'constraints': [models.CheckConstraint(condition=models.Q(('code__regex', '^[ENSW][0-9]{8}$')), name='local_authority_code_is_gss', violation_error_message='An ONS code is a letter (E, N, S or W) and eight digits.')],
            },
        ),
        migrations.RunPython(seed, unseed),
    ]
