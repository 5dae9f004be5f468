"""core.inserts: rows of several tables in one statement, exactly as save() would write them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.core.inserts import insert_together
from xinfang.petitions.models import Category

pytestmark = pytest.mark.django_db


def _ids(n: int) -> list[int]:
    return [10_000 + i for i in range(n)]


def test_a_row_without_its_primary_key_is_refused():
    with pytest.raises(ValueError, match="primary key"):
        insert_together([Category(code="x", name="无主键")])
    assert not Category.objects.filter(code="x").exists()


def test_the_rows_are_written_in_one_statement_as_save_writes_them():
    """A parent and its child (a foreign key between the two rows, checked at the commit) in one round trip."""
    parent_id, child_id = _ids(2)
    parent = Category(pk=parent_id, code="t-parent", name="上级类别")
    child = Category(pk=child_id, code="t-child", name="下级类别", parent=parent, keywords="工资,欠薪")
    rows = [parent, child] if connection.vendor == "postgresql" else [parent]  # SQLite has no data-modifying WITH
    with CaptureQueriesContext(connection) as ctx:
        insert_together(rows)
    assert len(ctx.captured_queries) == 1
    assert all(not row._state.adding for row in rows)
    stored = {c.code: c for c in Category.objects.filter(pk__in=[r.pk for r in rows])}
    assert stored["t-parent"].name == "上级类别" and stored["t-parent"].active is True  # the model's default, as save()
    if connection.vendor == "postgresql":
        assert stored["t-child"].parent_id == parent_id and stored["t-child"].keywords == "工资,欠薪"
