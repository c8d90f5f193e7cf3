"""The default attendance hours.

The "Atendentes" group and its permissions are no longer made here: a migration that imports live
code breaks when that code changes, and a permission added later would never reach a database that
had already migrated. They are synchronised after every migrate instead (tickets/permissions.py,
connected to post_migrate in tickets/apps.py).
"""

import datetime

from django.db import migrations


def forwards(apps, schema_editor):
    AttendancePeriod = apps.get_model("tickets", "AttendancePeriod")
    if not AttendancePeriod.objects.exists():
        for weekday in range(5):
            AttendancePeriod.objects.create(
                weekday=weekday, starts_at=datetime.time(8, 0), ends_at=datetime.time(18, 0)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
        ("people", "0001_initial"),
        ("attachments", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
