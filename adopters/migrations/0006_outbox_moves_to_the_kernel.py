# The outbox now belongs to the kernel (kernel.0001 took over its table): only Django's record
# of the model leaves this app; no data moves.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("adopters", "0005_adoption_recent_index"),
        ("kernel", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="OutgoingEmail")],
            database_operations=[],
        ),
    ]
