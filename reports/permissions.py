"""The "Gestores" group: IPM's managers see every report (attendants see only their own figures)."""

MANAGERS_GROUP = "Gestores"
MANAGER_PERMISSIONS = [("reports", "view_reports")]


def managers_group_ensure(Group, Permission):  # noqa: N803 (model classes, historical or real)
    """Create the group with its permission; used by the migration and by tests after a flush."""
    group, _ = Group.objects.get_or_create(name=MANAGERS_GROUP)
    for app_label, codename in MANAGER_PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group
