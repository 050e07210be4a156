"""Adoptions still on their way are followed up by email (adopters/follow_ups.py): the fields
that keep when, and why an adoption paused or stopped.

Adoptions already exploring, planning or piloting are first due three months after their latest
dated step (or after they were recorded, when they have none), as new ones will be: those older
than that are followed up on the first run.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('adopters', '0011_adoption_local_authority'),
        ('catalogue', '0021_vocabulary_names_searched'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='adoption',
            name='follow_up_answered_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='adoption',
            name='follow_up_sent_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='adoption',
            name='next_follow_up_on',
            field=models.DateField(blank=True, help_text='When we next email whoever recorded it to ask how it is going. Empty once it is adopted, scaled, paused or stopped.', null=True, verbose_name='next follow-up due'),
        ),
        migrations.AddField(
            model_name='adoption',
            name='stopped_reason',
            field=models.TextField(blank=True, help_text='Shown publicly, for the next adopter to learn from.', max_length=2000, verbose_name='why it paused or stopped'),
        ),
        migrations.AddField(
            model_name='historicaladoption',
            name='stopped_reason',
            field=models.TextField(blank=True, help_text='Shown publicly, for the next adopter to learn from.', max_length=2000, verbose_name='why it paused or stopped'),
        ),
        migrations.RunSQL(
            """
            UPDATE adopters_adoption AS adoption
            SET next_follow_up_on = (
                COALESCE(
                    (SELECT max(step.changed_on) FROM adopters_adoptionstatuschange AS step
                     WHERE step.adoption_id = adoption.id),
                    adoption.created_at::date
                ) + interval '3 months'
            )::date
            WHERE adoption.status IN ('exploring', 'planning', 'piloting')
            """,
            # The column goes with the reversal of its AddField.
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name='adoption',
            index=models.Index(models.F('next_follow_up_on'), condition=models.Q(('status__in', ['exploring', 'planning', 'piloting'])), name='adoption_follow_up_due'),
        ),
    ]
