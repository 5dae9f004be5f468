from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.grassroots.conftest import PARTIES
from xinfang.core.errors import InvalidInput, InvalidTransition, NoPermission, NotFound, StaleVersion
from xinfang.grassroots import selectors, services
from xinfang.grassroots.models import InfoReport, InfoReportNote

pytestmark = pytest.mark.django_db


def png(size=(40, 30)) -> SimpleUploadedFile:
    buf = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, "PNG")
    return SimpleUploadedFile("现场.png", buf.getvalue(), content_type="image/png")


def test_liaison_files_report_with_photo_seen_by_township_and_supervisor_only(net, client):
    r = services.report_file(
        actor=net.liaison, region=net.v1, text="村东头修路占地，十余户有意见", kind="dispute", headcount=12, photo=png()
    )
    assert (r.township, r.status, r.photo_type) == (net.t1, "new", "image/png")
    for user, status in [(net.twp, 200), (net.supervisor, 200), (net.office, 200), (net.liaison, 200), (net.twp2, 404), (net.dept, 404)]:
        client.force_login(user)
        resp = client.get(f"/grassroots/reports/{r.pk}/photo/")
        assert resp.status_code == status, user.username
        if status == 200:
            assert Image.open(BytesIO(b"".join(resp.streaming_content))).size == (40, 30)
    assert [x.pk for x in selectors.report_list(actor=net.twp2)] == []


def test_photo_must_be_an_image_within_size(net):
    fake = SimpleUploadedFile("x.png", b"<html>not an image</html>", content_type="image/png")
    with pytest.raises(InvalidInput) as exc:
        services.report_file(actor=net.liaison, region=net.v1, text="t", photo=fake)
    assert "photo" in exc.value.fields
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024), content_type="image/jpeg")
    with pytest.raises(InvalidInput):
        services.report_file(actor=net.liaison, region=net.v1, text="t", photo=big)
    assert InfoReport.objects.count() == 0


def test_report_workflow_acknowledge_follow_up_convert(net):
    r = services.report_file(actor=net.info, region=net.g1, text="两户因宅基地争吵")
    with pytest.raises(NoPermission):
        services.report_acknowledge(actor=net.liaison, report_id=r.pk, version=r.version)
    r = services.report_acknowledge(actor=net.twp, report_id=r.pk, version=r.version)
    with pytest.raises(StaleVersion):
        services.report_follow_up(actor=net.supervisor, report_id=r.pk, version=1, text="已电话了解")
    with pytest.raises(InvalidTransition):
        services.report_acknowledge(actor=net.supervisor, report_id=r.pk, version=r.version)
    r = services.report_follow_up(actor=net.supervisor, report_id=r.pk, version=r.version, text="已电话了解")
    d = services.report_to_dispute(actor=net.twp, report_id=r.pk, version=r.version, kind="land", description="", parties=PARTIES[:1])
    r.refresh_from_db()
    assert (r.status, d.source_report_id, d.level, d.description, d.region) == ("converted", r.pk, "township", "两户因宅基地争吵", net.g1)
    assert list(InfoReportNote.objects.filter(report=r).values_list("action", flat=True)) == [
        "file",
        "acknowledge",
        "follow_up",
        "to_dispute",
    ]


def test_urgent_report_goes_to_urgent_path_or_stays_flagged(net):
    r = services.report_file(actor=net.liaison, region=net.v1, text="约30人聚集在镇政府门口", urgency="urgent", headcount=30)
    assert r.urgency == "urgent"
    try:
        from xinfang.reception.services import urgent_report_create  # noqa: F401
    except ImportError:
        assert r.urgent_ref == ""
    else:
        assert r.urgent_ref


def test_report_out_of_scope_place_refused(net):
    with pytest.raises(NoPermission):
        services.report_file(actor=net.info, region=net.v3, text="x")
    with pytest.raises(NotFound):
        services.report_acknowledge(actor=net.twp2, report_id=services.report_file(actor=net.info, region=net.g1, text="x").pk, version=1)


def test_no_person_tracking_fields():
    names = {f.name for f in InfoReport._meta.get_fields()}
    assert not names & {"person", "resident", "target", "key_person", "id_number", "name", "phone"}


# ---- pages ------------------------------------------------------------------------------

SECRETS = ["张三丰", "13812345678", "340123198001011233", "第1镇1村8号", "李四海", "13987654321"]


@pytest.mark.parametrize(
    "who,status,leaks",
    [
        ("office", 200, True),
        ("twp", 200, True),
        ("vhandler", 200, True),
        ("liaison", 200, False),
        ("info", 200, False),
        ("supervisor", 200, False),
        ("twp2", 404, False),
        ("dept", 404, False),
    ],
)
def test_dispute_page_identity_only_for_right_holders(net, dispute, client, who, status, leaks):
    client.force_login(getattr(net, who))
    pages = [
        f"/grassroots/disputes/{dispute.pk}/",
        "/grassroots/disputes/",
        "/grassroots/",
        f"/api/v1/grassroots/disputes/{dispute.pk}/",
        "/api/v1/grassroots/disputes/",
    ]
    resp = client.get(pages[0])
    assert resp.status_code == status
    body = "".join(client.get(p).content.decode() for p in pages)
    found = [s for s in SECRETS if s in body]
    if leaks:
        assert found == SECRETS
    else:
        assert found == []
        if status == 200:
            assert "张**" in body and "138****5678" in body


def test_agreement_docx_only_for_identity_holders(net, dispute, client):
    s = services.dispute_add_session(
        actor=net.vhandler,
        dispute_id=dispute.pk,
        version=dispute.version,
        held_on=dispute.found_at.date(),
        mediator="驻村员",
        participants="双方",
        summary="同意",
        agreement_reached=True,
        agreement_terms="以界桩为准",
    )
    url = f"/grassroots/disputes/{dispute.pk}/agreement/{s.pk}.docx"
    client.force_login(net.liaison)
    assert client.get(url).status_code == 403
    client.force_login(net.twp)
    resp = client.get(url)
    assert resp.status_code == 200 and resp.content[:2] == b"PK"


def test_report_form_page_and_bad_input(net, client):
    client.force_login(net.liaison)
    resp = client.get("/grassroots/reports/new/")
    assert resp.status_code == 200 and "上报信息" in resp.content.decode()
    resp = client.post(
        "/grassroots/reports/new/", {"region": net.v1.pk, "kind": "concern", "urgency": "normal", "text": "", "headcount": 0}
    )
    assert resp.status_code == 200 and "必填项" in resp.content.decode()
    assert InfoReport.objects.count() == 0
    resp = client.post(
        "/grassroots/reports/new/", {"region": net.v1.pk, "kind": "concern", "urgency": "normal", "text": "村道路灯坏了", "headcount": 0}
    )
    assert resp.status_code == 302
    assert InfoReport.objects.get().reporter == net.liaison


def test_escalate_page_flow_and_stale_version(net, dispute, client):
    client.force_login(net.twp)
    url = f"/grassroots/disputes/{dispute.pk}/escalate/"
    resp = client.post(url, {"esc-version": dispute.version, "esc-reason": "村级调解两次未果"})
    assert resp.status_code == 302
    resp = client.post(url, {"esc-version": dispute.version, "esc-reason": "again"})
    assert resp.status_code == 400 and "已被他人更新" in resp.content.decode()
    dispute.refresh_from_db()
    assert (dispute.level, dispute.escalations) == ("township", 1)


def test_figures_and_lists_render(net, dispute, client, django_assert_max_num_queries):
    client.force_login(net.office)
    for url in [
        "/grassroots/figures/",
        "/grassroots/figures/?by=village",
        "/grassroots/screening/",
        "/grassroots/publicity/",
        "/grassroots/reports/",
    ]:
        assert client.get(url).status_code == 200
    for i in range(5):
        services.dispute_record(actor=net.liaison, kind="land", region=net.v1, description=f"d{i}", parties=PARTIES)
    with django_assert_max_num_queries(14):
        assert client.get("/grassroots/disputes/").status_code == 200


def test_home_panel_for_liaison(net, client):
    services.report_file(actor=net.liaison, region=net.v1, text="路灯坏了")
    client.force_login(net.liaison)
    body = client.get("/").content.decode()
    assert "上报信息" in body and "路灯坏了" in body


def test_api_report_and_escalate(net, dispute, client):
    client.force_login(net.info)
    resp = client.post(
        "/api/v1/grassroots/reports/", {"region": net.g1.code, "text": "组里水渠堵塞", "urgency": "normal"}, content_type="application/json"
    )
    assert resp.status_code == 201
    bad = client.post("/api/v1/grassroots/reports/", {"region": net.v3.code, "text": "x"}, content_type="application/json")
    assert bad.status_code == 403 and bad.json()["error"]["code"] == "permission_denied"
    client.force_login(net.twp)
    ok = client.post(
        f"/api/v1/grassroots/disputes/{dispute.pk}/escalate/", {"version": 1, "reason": "未果"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["level"] == "township"
    stale = client.post(
        f"/api/v1/grassroots/disputes/{dispute.pk}/escalate/", {"version": 1, "reason": "未果"}, content_type="application/json"
    )
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"
    assert client.get("/api/v1/grassroots/figures/").json()["results"][0]["escalated"] == 1


def test_report_to_petition_page(net, client):
    from xinfang.petitions.models import Category

    cat = Category.objects.create(code="other", name="其他")
    r = services.report_file(actor=net.liaison, region=net.v1, text="群众反映低保评定不公开")
    client.force_login(net.office)
    resp = client.post(
        f"/grassroots/reports/{r.pk}/",
        {
            "action": "to_petition",
            "version": r.version,
            "channel": "visit",
            "nature": "request",
            "category": cat.pk,
            "petitioner_name": "王五",
        },
    )
    assert resp.status_code == 302
    r.refresh_from_db()
    assert r.status == "converted" and r.petition.reg_no in client.get(resp.url).content.decode()


def test_dispute_form_page(net, client):
    client.force_login(net.liaison)
    resp = client.post(
        "/grassroots/disputes/new/", {"region": net.v1.pk, "kind": "land", "risk": "low", "level": "township", "description": "x"}
    )
    assert resp.status_code == 200 and "请检查标出的字段" in resp.content.decode()  # a liaison cannot take it in at township level
    data = {
        "region": net.v1.pk,
        "kind": "land",
        "risk": "low",
        "level": "village",
        "description": "地界纠纷",
        "p0-side": "applicant",
        "p0-name": "",
        "p1-side": "respondent",
    }
    resp = client.post("/grassroots/disputes/new/", data)
    assert "请至少填写一名当事人" in resp.content.decode()
    data["p0-name"] = "张三丰"
    resp = client.post("/grassroots/disputes/new/", data)
    assert resp.status_code == 302
    from xinfang.grassroots.models import Dispute

    assert Dispute.objects.get().parties.get().name == "张三丰"


def test_report_list_queries_do_not_grow(net, client, django_assert_max_num_queries):
    for i in range(12):
        services.report_file(actor=net.info, region=net.g1, text=f"信息{i}")
    client.force_login(net.twp)
    with django_assert_max_num_queries(14):
        assert client.get("/grassroots/reports/").status_code == 200
    with django_assert_max_num_queries(18):
        assert client.get("/grassroots/").status_code == 200


def test_date_inputs_carry_iso_values(net, client):
    from django.utils import timezone

    client.force_login(net.liaison)
    body = client.get("/grassroots/publicity/").content.decode()
    assert f'type="date" name="held_on" value="{timezone.localdate():%Y-%m-%d}"' in body


def test_viewer_sees_figures_not_records(net, dispute, client):
    client.force_login(net.viewer)
    assert client.get("/grassroots/").status_code == 403
    assert client.get(f"/grassroots/disputes/{dispute.pk}/").status_code == 404
    body = client.get("/grassroots/figures/").content.decode()
    assert net.t1.name in body and "张三丰" not in body and "张**" not in body
