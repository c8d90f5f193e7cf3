"""The "Atendentes" group with only what attendants need, and the default attendance hours."""

import datetime

from django.contrib.auth.management import create_permissions
from django.db import migrations

from tickets.permissions import attendants_group_ensure



def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    attendants_group_ensure(Group, Permission)
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
