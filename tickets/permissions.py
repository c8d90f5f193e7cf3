"""What the "Atendentes" group may do: only what attendants need (S24, issue 5).

``tickets.take_over_ticket`` (take a ticket a colleague holds) is not in the list: taking a live
conversation from someone is a supervisor's decision, granted per user or by a group of their own.
The other attendants ask the holder ("Solicitar transferência").
"""

ATTENDANTS_GROUP = "Atendentes"

ATTENDANT_PERMISSIONS = [
    ("tickets", "attend_ticket"),
    ("tickets", "view_ticket"),
    ("tickets", "change_ticket"),
    ("tickets", "add_ticket"),
    ("tickets", "view_message"),
    ("tickets", "view_module"),
    ("tickets", "view_transcriptoutbox"),
    ("tickets", "change_transcriptoutbox"),
    ("people", "view_person"),
    ("people", "view_contact"),
    ("people", "view_entity"),
    ("attachments", "view_attachment"),
    # Canned replies (issue 14): the shared ones to read, their own to keep (tickets/admin/canned.py).
    ("tickets", "view_cannedreply"),
    ("tickets", "add_cannedreply"),
    ("tickets", "change_cannedreply"),
    ("tickets", "delete_cannedreply"),
]


def attendants_group_ensure(Group, Permission):  # noqa: N803 (model classes, historical or real)
    """Create the group with its permissions; used by the migration and by tests after a flush."""
    group, _ = Group.objects.get_or_create(name=ATTENDANTS_GROUP)
    for app_label, codename in ATTENDANT_PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group


def attendants_group_sync(sender, using="default", **kwargs) -> None:
    """post_migrate: the group exists and holds every permission listed above, on every database.

    Runs after every `migrate` (and after the test flushes, which send post_migrate too), so a
    permission added to ATTENDANT_PERMISSIONS reaches databases that migrated long ago. Permissions an
    administrator granted on top of these are left alone.
    """
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    if sender.label != "tickets":
        return
    # Each app's permissions are created by its own post_migrate; make sure those we need exist now.
    for label in sorted({app_label for app_label, _ in ATTENDANT_PERMISSIONS}):
        create_permissions(apps.get_app_config(label), verbosity=0, using=using)
    group, _ = Group.objects.using(using).get_or_create(name=ATTENDANTS_GROUP)
    wanted = Permission.objects.using(using).filter(
        content_type__app_label__in={app_label for app_label, _ in ATTENDANT_PERMISSIONS},
        codename__in={codename for _, codename in ATTENDANT_PERMISSIONS},
    )
    wanted = [
        p
        for p in wanted.select_related("content_type")
        if (p.content_type.app_label, p.codename) in set(ATTENDANT_PERMISSIONS)
    ]
    group.permissions.add(*wanted)
