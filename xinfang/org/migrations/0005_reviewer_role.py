"""The reviewer role (复查复核机关) as a group, and the users of units above the county moved onto it: until now they held
the county's office role (issue 13), which opened the county's pages to them by URL."""

from django.db import migrations

ABOVE_THE_COUNTY = ("city", "province")
# The county's roles a user of a city or province organ loses (they review; the county's work is not theirs).
COUNTY_ROLES = ["clerk", "office", "leader", "unit_handler", "supervisor"]
PERMISSIONS = ["org.view_region", "org.view_unit"]


def add_reviewer(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    User = apps.get_model("org", "User")
    group, _ = Group.objects.get_or_create(name="reviewer")
    for perm in PERMISSIONS:
        app_label, codename = perm.split(".")
        found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if found:
            group.permissions.add(found)
    county = Group.objects.filter(name__in=COUNTY_ROLES)
    for user in User.objects.filter(unit__region__level__in=ABOVE_THE_COUNTY, is_superuser=False, groups__in=county).distinct():
        user.groups.remove(*county)
        user.groups.add(group)


def back(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name="reviewer").first()
    if group is None:
        return
    office, _ = Group.objects.get_or_create(name="office")
    for user in group.user_set.all():
        user.groups.add(office)
    group.delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0004_unit_superior"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(add_reviewer, back)]
