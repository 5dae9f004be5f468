"""`manage.py load_demo` (every app's demo, as `make run` calls it; fewer petitions to stay quick) twice: no table changes its count."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command


def all_counts():
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy and m._meta.label not in ("sessions.Session", "axes.AccessLog", "axes.AccessAttempt")
    }


@pytest.mark.django_db
def test_load_demo_twice_changes_no_counts():
    call_command("load_demo", petitions=30, stdout=io.StringIO())
    first = all_counts()
    call_command("load_demo", petitions=30, stdout=io.StringIO())
    second = all_counts()
    assert {k: (first[k], second[k]) for k in first if first[k] != second[k]} == {}
