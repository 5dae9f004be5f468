"""Registration's refusals: each bad input is a Chinese message on its field and nothing is written; the office a
registration falls to; the query code of an old record; attachments and the batch import's edges; linking repeats."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from xinfang.core.errors import InvalidInput, NoPermission
from xinfang.org.models import Role
from xinfang.petitions.models import Attachment, Petition, Petitioner, PetitionEvent, Respondent
from xinfang.petitions.registration import (
    check_query_code,
    petition_register_batch,
    prepare_registration,
)
from xinfang.petitions.services import petition_attach, petition_link_repeat

from .conftest import valid_id

pytestmark = pytest.mark.django_db


def _nothing_written():
    return (
        Petition.objects.count() == 0
        and Petitioner.objects.count() == 0
        and Respondent.objects.count() == 0
        and PetitionEvent.objects.count() == 0
        and Attachment.objects.count() == 0
    )


def _png_bytes():
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, format="PNG")
    return buf.getvalue()


def _form(county, category, users, **overrides):
    data = dict(
        actor=users.clerk,
        channel="letter",
        received_at=timezone.now(),
        petitioners=[{"name": "张三", "id_number": valid_id(), "phone": "13800138000"}],
        nature="request",
        category=category,
        content="反映某公司拖欠农民工工资三个月未发放的问题",
        region=county.villages[0],
    )
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        pytest.param({"category": "labour"}, "category", "请选择问题类别", id="category-as-a-code-not-a-category"),
        pytest.param({"region": None}, "region", "请选择问题发生地", id="no-region"),
        pytest.param({"region": "T001"}, "region", "请选择问题发生地", id="region-as-a-code-not-a-region"),
        pytest.param({"headcount": "很多"}, "headcount", "人数必须是数字", id="headcount-not-a-number"),
        pytest.param({"headcount": -3}, "headcount", "人数应在1以上", id="headcount-negative"),
        pytest.param({"headcount": 100001}, "headcount", "人数应在1以上", id="headcount-beyond-any-crowd"),
        pytest.param({"repeat_of": "XFJ-2026-000001"}, "repeat_of", "关联的原信访件无效", id="repeat-of-a-number-not-a-petition"),
        pytest.param(
            {"respondents": [{"name": " ", "unit": "某镇政府", "post": "副镇长"}]},
            "respondents[0].name",
            "请填写被反映人姓名",
            id="respondent-with-a-unit-but-no-name",
        ),
    ],
)
def test_a_bad_field_is_refused_with_its_chinese_message_and_nothing_written(register, overrides, field, message):
    with pytest.raises(InvalidInput) as exc:
        register(**overrides)
    assert exc.value.message == message and exc.value.fields == {field: [message]}
    assert _nothing_written()


def test_a_respondent_row_left_blank_is_skipped_not_refused(register):
    p, _ = register(respondents=[{}, None, {"name": "", "unit": "", "post": ""}, {"name": "王五", "unit": "某公司"}])
    assert [r.name for r in p.respondents.all()] == ["王五"]


def test_only_an_importing_role_may_import(county, category, users):
    with pytest.raises(NoPermission, match="无权导入信访件"):
        prepare_registration(**_form(county, category, users, actor=users.viewer, imported=True))
    # The roles that may import get a prepared registration (nothing written yet).
    reg = prepare_registration(**_form(county, category, users, actor=users.office, imported=True))
    assert reg.petition.pk is None and reg.imported and _nothing_written()


def test_only_an_import_may_date_its_registration_and_never_in_the_future(county, category, users):
    last_year = timezone.now() - timedelta(days=400)
    with pytest.raises(InvalidInput) as exc:
        prepare_registration(**_form(county, category, users, registered_at=last_year))
    assert exc.value.message == "只有历史台账导入可以指定登记时间" and exc.value.fields == {"registered_at": ["只有导入可以指定"]}
    tomorrow = timezone.now() + timedelta(days=1)
    with pytest.raises(InvalidInput) as exc:
        prepare_registration(**_form(county, category, users, imported=True, registered_at=tomorrow))
    assert exc.value.message == "登记时间不能晚于现在" and "registered_at" in exc.value.fields
    reg = prepare_registration(**_form(county, category, users, imported=True, received_at=last_year, registered_at=last_year))
    assert reg.petition.year == timezone.localtime(last_year).year and reg.registered_at == last_year
    assert _nothing_written()


def test_a_clerk_outside_any_petition_office_registers_for_the_county_bureau(register, make_user, county):
    clerk_in_department = make_user(Role.CLERK, unit=county.dept)  # 人社局 → 县政府: no bureau on the way up
    p, _ = register(actor=clerk_in_department)
    assert p.office == county.office and p.reg_no.startswith("XFJ-")


def test_without_any_active_petition_bureau_registration_is_refused(register, make_user, county):
    clerk_in_department = make_user(Role.CLERK, unit=county.dept)
    county.office.active = False
    county.office.save(update_fields=["active"])
    with pytest.raises(InvalidInput, match="系统中没有信访局，无法登记"):
        register(actor=clerk_in_department)
    assert _nothing_written()


def test_a_query_code_hash_not_in_the_salted_format_matches_nothing():
    assert not check_query_code(Petition(query_code_hash="legacy-plain-hash"), "ABCD1234")
    assert not check_query_code(Petition(query_code_hash=""), "")


def test_an_empty_attachment_is_refused_and_nothing_written(register):
    with pytest.raises(InvalidInput) as exc:
        register(attachments=[SimpleUploadedFile("信封.pdf", b"")])
    assert exc.value.message == "附件“信封.pdf”是空文件" and exc.value.fields == {"attachments": ["空文件"]}
    assert _nothing_written()


def test_an_attachment_of_an_unknown_kind_is_kept_as_other(register):
    png = SimpleUploadedFile("照片.png", _png_bytes())
    p, _ = register(attachments=[{"file": png, "kind": "selfie"}])
    assert p.attachments.get().kind == Attachment.Kind.OTHER


def test_adding_an_attachment_of_an_unknown_kind_is_refused(register, users):
    p, _ = register()
    with pytest.raises(InvalidInput) as exc:
        petition_attach(
            actor=users.office, petition_or_reg_no=p.reg_no, files=[SimpleUploadedFile("照片.png", _png_bytes())], kind="selfie"
        )
    assert exc.value.message == "附件类型无效" and exc.value.fields == {"kind": ["附件类型无效"]}
    assert p.attachments.count() == 0 and p.events.count() == 1  # the register event only


def test_the_batch_import_takes_no_attachments_and_an_empty_batch_writes_nothing(county, category, users):
    assert petition_register_batch(registrations=[]) == []
    png = SimpleUploadedFile("照片.png", _png_bytes())
    reg = prepare_registration(**_form(county, category, users, imported=True, attachments=[png]))
    with pytest.raises(InvalidInput) as exc:
        petition_register_batch(registrations=[reg])
    assert exc.value.message == "批量登记不接收附件" and exc.value.fields == {"attachments": ["批量登记不接收附件"]}
    assert _nothing_written()


def test_linking_a_repeat_needs_a_clerk_or_the_office_and_never_links_a_petition_to_itself(register, users):
    original, _ = register()
    later, _ = register()
    with pytest.raises(NoPermission, match="无权关联重复件"):
        petition_link_repeat(actor=users.leader, petition_or_reg_no=later.reg_no, repeat_of=original, version=later.version)
    with pytest.raises(InvalidInput) as exc:
        petition_link_repeat(actor=users.clerk, petition_or_reg_no=later.reg_no, repeat_of=later, version=later.version)
    assert exc.value.message == "不能关联自身" and exc.value.fields == {"repeat_of": ["不能关联自身"]}
    later.refresh_from_db()
    assert later.repeat_of is None and later.first_time and [e.action for e in later.events.all()] == ["register"]
