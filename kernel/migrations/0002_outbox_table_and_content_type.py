# The outbox's table takes the kernel's name, and its content type (which its admin
# permissions hang on) follows it, so staff allowed to read the outbox still may.

from django.db import migrations


def content_type_to_kernel(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    content_types.objects.filter(app_label="adopters", model="outgoingemail").update(
        app_label="kernel"
    )


def content_type_to_adopters(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    content_types.objects.filter(app_label="kernel", model="outgoingemail").update(
        app_label="adopters"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("kernel", "0001_initial"),
        ("adopters", "0006_outbox_moves_to_the_kernel"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="outgoingemail", table=None),
        migrations.RunPython(content_type_to_kernel, content_type_to_adopters),
    ]
