"""The roles of DESIGN.md as groups, each with the model permissions that role needs."""

from django.db import migrations

ROLES = ["admin", "clerk", "office", "leader", "unit_handler", "supervisor", "liaison", "info_officer", "safety_officer", "viewer"]

# Model permissions per role (app_label.codename). Object-level scope is decided by the access policy.
PERMISSIONS = {
    "admin": [
        "org.view_region",
        "org.add_region",
        "org.change_region",
        "org.view_unit",
        "org.add_unit",
        "org.change_unit",
        "org.view_user",
        "org.add_user",
        "org.change_user",
        "org.view_networkpost",
        "org.add_networkpost",
        "org.change_networkpost",
        "org.view_supervisiongroup",
        "org.change_supervisiongroup",
        "org.change_networkpolicy",
        "org.view_networkpolicy",
    ],
    "office": [
        "org.view_region",
        "org.view_unit",
        "org.view_user",
        "org.view_networkpost",
        "org.add_networkpost",
        "org.change_networkpost",
        "org.view_supervisiongroup",
    ],
    "clerk": ["org.view_region", "org.view_unit"],
    "leader": ["org.view_region", "org.view_unit", "org.view_networkpost"],
    "unit_handler": ["org.view_region", "org.view_unit"],
    "supervisor": ["org.view_region", "org.view_unit", "org.view_networkpost"],
    "liaison": ["org.view_region"],
    "info_officer": ["org.view_region"],
    "safety_officer": ["org.view_region"],
    "viewer": ["org.view_region", "org.view_unit"],
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        for perm in PERMISSIONS.get(role, []):
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found:
                group.permissions.add(found)


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
