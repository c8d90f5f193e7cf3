"""What the "Atendentes" group may do: only what attendants need (S24, issue 5)."""

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
]


def attendants_group_ensure(Group, Permission):  # noqa: N803 (model classes, historical or real)
    """Create the group with its permissions; used by the migration and by tests after a flush."""
    group, _ = Group.objects.get_or_create(name=ATTENDANTS_GROUP)
    for app_label, codename in ATTENDANT_PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group
