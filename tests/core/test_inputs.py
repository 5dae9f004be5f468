"""The one check of each kind of value (xinfang.core.inputs): text, ID number, phone, dates, choices and codes."""

from datetime import date

import pytest

from xinfang.core import inputs
from xinfang.core.errors import InvalidInput
from xinfang.petitions.models import Category, Satisfaction

VALID_ID = "11010519491231002" + inputs.id_check_char("11010519491231002")


def test_id_numbers_gb_11643_with_the_birth_date():
    assert inputs.id_number_valid(VALID_ID)
    assert not inputs.id_number_valid("110105194913310021")  # right check character, month 13
    assert not inputs.id_number_valid("110105194902300025")  # 30 February
    assert not inputs.id_number_valid(VALID_ID[:-1] + ("0" if VALID_ID[-1] != "0" else "1"))  # wrong check character
    assert not inputs.id_number_valid(VALID_ID[:16])
    full_width = VALID_ID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert inputs.id_number(full_width, "id_number") == VALID_ID
    with pytest.raises(InvalidInput) as exc:
        inputs.id_number("110105194913310021", "petitioners[0].id_number")
    assert "出生日期" in exc.value.message and list(exc.value.fields) == ["petitioners[0].id_number"]
    assert inputs.id_number("", "id_number") == ""
    with pytest.raises(InvalidInput):
        inputs.id_number(" ", "id_number", required=True)


def test_impossible_dates_are_a_chinese_400_never_a_value_error():
    for check in (inputs.day, inputs.moment):
        for value in ("2026-02-30", "2026-13-01"):
            with pytest.raises(InvalidInput) as exc:
                check(value, "due_at", "要求办结日期")
            assert "要求办结日期" in exc.value.message and exc.value.fields == {"due_at": [exc.value.message]}
    with pytest.raises(InvalidInput, match="不是有效的日期时间"):
        inputs.moment("2026-02-30T10:00:00", "delivered_at", "送达日期")
    with pytest.raises(InvalidInput, match="格式不正确"):
        inputs.day("下周三", "committed_date", "承诺办结日期")
    assert inputs.day("２０２６-０６-１６", "d", "日期") == date(2026, 6, 16)
    assert inputs.moment("2026-06-16", "d", "日期").isoformat() == "2026-06-16T00:00:00+08:00"
    assert inputs.day(None, "d", "日期") is None
    with pytest.raises(InvalidInput, match="请填写日期"):
        inputs.moment("", "d", "日期")


def test_text_makes_full_width_letters_and_digits_ascii_and_keeps_chinese_punctuation():
    assert inputs.text("  ＡＢＣ公司拖欠１２３元，（三个月）  ", "content", "主要问题") == "ABC公司拖欠123元，（三个月）"
    with pytest.raises(InvalidInput, match="请填写主要问题"):
        inputs.text(" \n ", "content", "主要问题")
    with pytest.raises(InvalidInput, match="最多5字"):
        inputs.text("一二三四五六", "note", "备注", max_len=5)
    assert inputs.text(None, "note", "备注", required=False) == ""


def test_phone_choice_and_integer():
    assert inputs.phone("１３８００１３８０００", "phone") == "13800138000"
    with pytest.raises(InvalidInput, match="电话号码格式不正确"):
        inputs.phone("call me", "phone")
    assert inputs.choice("satisfied", Satisfaction, "satisfaction", "满意度") == "satisfied"
    with pytest.raises(InvalidInput, match="满意度无效"):
        inputs.choice("happy", Satisfaction, "satisfaction", "满意度")
    assert inputs.integer("２０", "days", "延期天数", low=1, high=30) == 20
    with pytest.raises(InvalidInput, match="1至30"):
        inputs.integer(31, "days", "延期天数", low=1, high=30)
    with pytest.raises(InvalidInput, match="请填写延期天数"):
        inputs.integer("二十", "days", "延期天数")


@pytest.mark.django_db
def test_codes_name_active_objects_only(county):
    Category.objects.create(code="old", name="已停用类别", active=False)
    live = Category.objects.create(code="labour", name="劳动社保")
    assert inputs.by_code(Category, "labour", "category", "问题类别") == live
    assert inputs.by_code(Category, live, "category", "问题类别") == live
    for code in ("old", "nope", ""):
        with pytest.raises(InvalidInput) as exc:
            inputs.by_code(Category, code, "category", "问题类别")
        assert "问题类别" in exc.value.message and "category" in exc.value.fields
    assert inputs.unit("dept-hr", "handling_unit", "承办单位") == county.dept
    county.dept2.active = False
    county.dept2.save(update_fields=["active"])
    with pytest.raises(InvalidInput, match="承办单位不存在"):
        inputs.unit("dept-land", "handling_unit", "承办单位")


def test_required_phone_and_day_are_asked_for_in_chinese():
    with pytest.raises(InvalidInput) as exc:
        inputs.phone(" ", "phone", required=True)
    assert exc.value.message == "请填写联系电话" and exc.value.fields == {"phone": ["请填写联系电话"]}
    with pytest.raises(InvalidInput) as exc:
        inputs.day("", "postmark_date", "邮戳日期", required=True)
    assert exc.value.message == "请填写邮戳日期" and exc.value.fields == {"postmark_date": ["请填写邮戳日期"]}


def test_a_day_of_a_datetime_is_the_site_day_and_a_short_written_day_is_midnight():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    # 2026-06-15 20:00 UTC is already 16 June in Asia/Shanghai; a naive time is taken as written.
    assert inputs.day(datetime(2026, 6, 15, 20, 0, tzinfo=ZoneInfo("UTC")), "d", "日期") == date(2026, 6, 16)
    assert inputs.day(datetime(2026, 6, 15, 20, 0), "d", "日期") == date(2026, 6, 15)
    # "2026-6-16" is no ISO date time but a day as clerks type it: its midnight in the site's zone.
    assert inputs.moment("2026-6-16", "received_at", "收到时间").isoformat() == "2026-06-16T00:00:00+08:00"
    with pytest.raises(InvalidInput) as exc:
        inputs.moment(20260616, "received_at", "收到时间")
    assert exc.value.message == "收到时间格式不正确" and exc.value.fields == {"received_at": ["收到时间格式不正确"]}


@pytest.mark.django_db
def test_a_user_is_asked_for_and_an_unknown_or_inactive_one_refused(make_user):
    from xinfang.org.models import Role

    leader = make_user(Role.LEADER, username="zhang_leader")
    assert inputs.user("zhang_leader", "reception_leader", "接访领导") == leader
    assert inputs.user(str(leader.pk), "reception_leader", "接访领导") == leader
    with pytest.raises(InvalidInput) as exc:
        inputs.user(" ", "reception_leader", "接访领导")
    assert exc.value.message == "请选择接访领导" and exc.value.fields == {"reception_leader": ["请选择接访领导"]}
    leader.is_active = False
    leader.save(update_fields=["is_active"])
    for value in ("zhang_leader", "nobody", "999999"):
        with pytest.raises(InvalidInput) as exc:
            inputs.user(value, "reception_leader", "接访领导")
        assert exc.value.message == "接访领导不存在"
