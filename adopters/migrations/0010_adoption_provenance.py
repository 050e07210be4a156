"""Every adoption says how we know of it. Existing ones get the best answer their records give:
checked by a curator when verified; otherwise reported by the innovation's team when whoever
recorded it owns the innovation today (the nearest we can tell to when they recorded it);
otherwise reported by the adopter, which is also what the import and curators' entries had
meant until now."""

from typing import Any

from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def set_provenance(apps: Any, schema_editor: Any) -> None:
    Adoption = apps.get_model("adopters", "Adoption")
    Adoption.objects.filter(verified=True).update(provenance="verified")
    by_owner = Adoption.objects.filter(
        verified=False, recorded_by__isnull=False, innovation__owners=F("recorded_by")
    ).values("pk")
    Adoption.objects.filter(pk__in=by_owner).update(provenance="reported-by-innovator")


class Migration(migrations.Migration):

    dependencies = [
        ('adopters', '0009_registration_email_unquoted'),
        ('catalogue', '0017_innovation_revisions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='adoption',
            name='provenance',
            field=models.CharField(choices=[('self-reported', 'Reported by the adopter'), ('reported-by-innovator', "Reported by the innovation's team"), ('verified', 'Checked by a curator')], default='self-reported', help_text='How we know: reported by the adopter, reported by an owner of the innovation, or checked by a curator.', max_length=30),
        ),
        migrations.AddField(
            model_name='historicaladoption',
            name='provenance',
            field=models.CharField(choices=[('self-reported', 'Reported by the adopter'), ('reported-by-innovator', "Reported by the innovation's team"), ('verified', 'Checked by a curator')], default='self-reported', help_text='How we know: reported by the adopter, reported by an owner of the innovation, or checked by a curator.', max_length=30),
        ),
        migrations.RunPython(set_provenance, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name='adoption',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('provenance', 'verified'), ('verified', True)), models.Q(('verified', False), ('provenance__in', ['self-reported', 'reported-by-innovator'])), _connector='OR'), name='adoption_provenance_matches_verified', violation_error_message='An adoption is verified exactly when a curator checked it.'),
        ),
    ]
