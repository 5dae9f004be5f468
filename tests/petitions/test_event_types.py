"""Every entry ever written on a petition's timeline has a Chinese name, written once (event_types.py)."""

import ast
import re
from pathlib import Path

import pytest

from xinfang.petitions import workflow
from xinfang.petitions.event_types import DATA_LABELS, PETITIONER_LABELS, EventType, label
from xinfang.petitions.events import record_event

ROOT = Path(__file__).resolve().parents[2] / "xinfang"
CJK = re.compile(r"[\u4e00-\u9fff]")
# Functions that write a timeline entry, and how their action is passed.
WRITERS = {"record_event", "_finish", "append_event", "_begin", "first_event_rows"}


def _written_actions() -> list[tuple[str, str]]:
    """(where, code) for every action a writer is called with in the code: string literals, EventType.X and Action.X."""
    found = []
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            values = []
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in WRITERS:
                values = [k.value for k in node.keywords if k.arg == "action"] + node.args[2:3]
            elif isinstance(node, ast.Dict):  # the import's planned events: {"action": ..., ...}
                values = [v for k, v in zip(node.keys, node.values, strict=True) if isinstance(k, ast.Constant) and k.value == "action"]
            for v in values:
                where = f"{path.relative_to(ROOT.parent)}:{node.lineno}"
                if isinstance(v, ast.Constant) and isinstance(v.value, str):
                    found.append((where, v.value))
                elif isinstance(v, ast.Attribute) and getattr(v.value, "id", "") in ("EventType", "Action"):
                    found.append((where, getattr(EventType, v.attr).value))
    return found


def test_every_action_written_in_the_code_is_an_event_type_with_a_chinese_name():
    written = _written_actions()
    assert len(written) > 40  # the scan sees the writers (lifecycle, registration, access, portal, supervision, import)
    unknown = [(where, code) for where, code in written if code not in EventType.values]
    assert unknown == []
    for code in {code for _w, code in written}:
        assert CJK.search(label(code)) and label(code) != code


def test_every_event_type_and_every_lifecycle_action_has_a_chinese_label():
    for t in EventType:
        assert CJK.search(t.label), t
    for action in workflow.ACTIONS:
        assert workflow.label(action) == EventType(action).label == workflow.Action(action).label
    assert workflow.label("link_repeat") == "关联重复件"  # was shown as the bare code on the timeline
    assert label("supervise") == "督办" and label("query_code_reissue").startswith("重新发放")
    assert CJK.search(label("something_no_release_wrote"))
    assert set(PETITIONER_LABELS) <= set(EventType.values) and all(CJK.search(v) for v in DATA_LABELS.values())


@pytest.mark.django_db
def test_record_event_refuses_an_unnamed_type(register):
    p, _code = register()
    with pytest.raises(ValueError, match="event_types.py"):
        record_event(petition=p, action="no_such_event")
    assert not p.events.filter(action="no_such_event").exists()
