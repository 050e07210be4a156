# The outbox's table, created by adopters.0003, now belongs to the kernel (docs/architecture.md):
# only Django's record of which app owns it changes here; the table is renamed in 0002.

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("adopters", "0005_adoption_recent_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutgoingEmail",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("to", models.EmailField(max_length=254)),
                        ("subject", models.CharField(max_length=200)),
                        ("body", models.TextField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("last_attempt_at", models.DateTimeField(blank=True, null=True)),
                        ("last_error", models.TextField(blank=True)),
                    ],
                    options={
                        "verbose_name": "outgoing email",
                        "ordering": ["created_at"],
                        "db_table": "adopters_outgoingemail",
                        "indexes": [
                            models.Index(
                                django.db.models.functions.text.Lower("to"),
                                name="outgoing_email_to_ci",
                            ),
                            models.Index(
                                models.F("created_at"),
                                condition=models.Q(("sent_at__isnull", True)),
                                name="outgoing_email_unsent",
                            ),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("sent_at__isnull", True),
                                    ("attempts__gt", 0),
                                    _connector="OR",
                                ),
                                name="outgoing_email_sent_after_attempt",
                                violation_error_message=(
                                    "An email cannot be sent without an attempt."
                                ),
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
