"""Freshness (issue 16, item 6): whether an entry's last review was its owners' confirmation
rather than a curator's, and when its owners were last asked to confirm it. Every date already
recorded was a curator's (owners could not confirm before), which the default says.

Completeness (item 7) is worked out from the entry as it stands and stores nothing.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0022_reach_recorded_at'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalinnovation',
            name='confirmed_by_owners',
            field=models.BooleanField(default=False, help_text="Whether the last review was its owners' confirmation rather than a curator's."),
        ),
        migrations.AddField(
            model_name='innovation',
            name='confirmed_by_owners',
            field=models.BooleanField(default=False, help_text="Whether the last review was its owners' confirmation rather than a curator's."),
        ),
        migrations.AddField(
            model_name='innovation',
            name='review_requested_at',
            field=models.DateTimeField(blank=True, help_text='When its owners were last emailed to confirm it or update it.', null=True),
        ),
        migrations.AlterField(
            model_name='historicalinnovation',
            name='last_reviewed_on',
            field=models.DateField(blank=True, help_text='When a curator last reviewed it, or its owners last confirmed it is current.', null=True),
        ),
        migrations.AlterField(
            model_name='innovation',
            name='last_reviewed_on',
            field=models.DateField(blank=True, help_text='When a curator last reviewed it, or its owners last confirmed it is current.', null=True),
        ),
    ]
