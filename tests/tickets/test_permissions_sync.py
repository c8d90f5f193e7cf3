"""The "Atendentes" group follows the code after every migrate (issue 16, point 10)."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from tickets.permissions import ATTENDANT_PERMISSIONS, ATTENDANTS_GROUP

ROOT = Path(__file__).resolve().parents[2]


def group_permissions() -> set[tuple[str, str]]:
    group = Group.objects.get(name=ATTENDANTS_GROUP)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


@pytest.mark.django_db(transaction=True)
def test_a_migrate_restores_the_groups_permissions_and_keeps_what_an_administrator_added():
    assert group_permissions() >= set(ATTENDANT_PERMISSIONS)
    group = Group.objects.get(name=ATTENDANTS_GROUP)
    # A database that migrated before a permission joined the list: the permission is not there.
    missing = Permission.objects.get(content_type__app_label="tickets", codename="attend_ticket")
    group.permissions.remove(missing)
    extra = Permission.objects.get(content_type__app_label="auth", codename="view_user")
    group.permissions.add(extra)

    call_command("migrate", verbosity=0)

    assert group_permissions() >= set(ATTENDANT_PERMISSIONS)
    assert ("auth", "view_user") in group_permissions()


@pytest.mark.django_db(transaction=True)
def test_a_migrate_creates_the_group_where_it_was_deleted():
    Group.objects.filter(name=ATTENDANTS_GROUP).delete()
    call_command("migrate", verbosity=0)
    assert group_permissions() == set(ATTENDANT_PERMISSIONS)


def test_no_data_migration_imports_the_projects_live_code():
    """Data migrations run with historical models only: importing live code ties them to today's code.
    (Schema migrations may name a model's callables, such as an upload path, as Django writes them.)"""
    apps = ("tickets", "people", "attachments", "atende_chat")
    for path in ROOT.glob("*/migrations/*.py"):
        text = path.read_text()
        if "RunPython" not in text:
            continue
        for app in apps:
            assert not re.search(rf"^\s*(from|import) {app}\b", text, re.M), f"{path} imports {app}"
