"""Importing legacy registers: mapping, dry run with row errors, all-or-nothing import, both write paths."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from xinfang.audit.chain import event_hash
from xinfang.benchmarks import legacy
from xinfang.core.errors import InvalidInput, InvalidTransition, NoPermission
from xinfang.petitions.models import Category, Petition, Petitioner, PetitionEvent, RegistrationCounter, Status
from xinfang.transfer import services
from xinfang.transfer.models import ColumnMapping, ImportJob, JobStatus

pytestmark = pytest.mark.django_db


def _job(actor, data, *, name="台账.csv", source="2019-2023年台账", mapping=None):
    job = services.import_job_create(actor=actor, source=source, filename=name, data=data)
    services.import_job_set_mapping(actor=actor, job_id=job.pk, mapping=mapping or job.mapping)
    return services.import_job_validate(job_id=job.pk)


def _run(actor, job):
    services.import_job_start(actor=actor, job_id=job.pk)
    return services.import_job_run(job_id=job.pk)


def _counter_last(county):
    c = RegistrationCounter.objects.filter(office=county.office).first()
    return c.last if c else 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_good_file_imports_every_row_with_history(users, ledger, county, fmt):
    data, rows = ledger(30, fmt=fmt)
    job = _job(users.clerk, data, name=f"台账.{fmt}")
    assert job.status == JobStatus.VALIDATED, job.errors
    assert job.total_rows == 30 and job.error_count == 0
    assert Petition.objects.count() == 0  # the dry run writes nothing

    job = _run(users.clerk, job)
    assert job.status == JobStatus.DONE, job.message
    assert job.imported_count == 30
    petitions = {p.legacy_reg_no: p for p in Petition.objects.all()}
    assert set(petitions) == {r[0] for r in rows}
    assert all(p.imported for p in petitions.values())
    assert _counter_last(county) == 30  # gap-free: one number per row
    assert sorted(p.seq for p in petitions.values()) == list(range(1, 31))

    by_status = {"已登记": Status.REGISTERED, "已受理": Status.ACCEPTED, "办理中": Status.IN_PROGRESS, "已答复": Status.REPLIED}
    by_status |= {"已评价": Status.EVALUATED, "已归档": Status.ARCHIVED}
    for r in rows:
        p = petitions[r[0]]
        assert p.status == by_status[r[11]], r
        assert p.content == r[9]
        if r[12]:
            assert p.handling_unit is not None
        if r[14]:
            assert p.get_satisfaction_display() == r[14]
        if r[13]:
            assert p.replied_at is not None and p.due_at is None
        events = list(p.events.order_by("seq"))
        assert events[0].action == "register" and all(e.imported for e in events)
        assert events[-1].to_status == p.status
        prev = ""
        for e in events:  # the chain holds
            assert e.prev_hash == prev and e.hash == event_hash(e, p.reg_no)
            prev = e.hash
    named = [r for r in rows if r[4]]
    person = Petitioner.objects.get(petition=petitions[named[0][0]])
    assert person.id_number == named[0][4] and person.name == named[0][3]


def test_bad_rows_are_reported_with_row_numbers_and_nothing_is_written(users, ledger, county):
    _data, rows = ledger(6)
    rows[1][1] = "2023年13月40日"  # file row 3: a date that does not exist
    rows[3][7] = "不存在的类别"  # file row 5
    rows[3][4] = "110105194912310021"  # file row 5: wrong check digit
    rows[4][0] = rows[0][0]  # file row 6: duplicate legacy number
    job = _job(users.clerk, legacy.to_csv(rows))
    assert job.status == JobStatus.INVALID
    got = {(e["row"], e["column"]) for e in job.errors}
    assert got == {(3, "登记日期"), (5, "问题类别"), (5, "身份证号码"), (6, "登记编号")}
    reasons = {e["row"]: e["reason"] for e in job.errors if e["column"] != "身份证号码"}
    assert "日期无法识别" in reasons[3] and "没有该问题类别" in reasons[5] and "第2行重复" in reasons[6]
    assert "共6行，3行有错误" in job.message
    with pytest.raises(InvalidTransition):
        services.import_job_start(actor=users.clerk, job_id=job.pk)
    assert Petition.objects.count() == 0 and PetitionEvent.objects.count() == 0


@pytest.mark.parametrize("bulk", [False, True])
def test_a_failure_during_the_import_rolls_back_everything(users, ledger, county, monkeypatch, bulk):
    monkeypatch.setattr(services, "BULK_THRESHOLD", 5 if bulk else 10_000)
    monkeypatch.setattr(services, "BULK_BATCH", 4)
    data, rows = ledger(12)
    job = _job(users.clerk, data)
    assert job.status == JobStatus.VALIDATED
    before = _counter_last(county)
    # Between the dry run and the import the category is retired: a later row now fails.
    Category.objects.filter(code="labour").update(active=False)
    job = _run(users.clerk, job)
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("第") and "问题类别" in job.message
    assert Petition.objects.count() == 0 and Petitioner.objects.count() == 0 and PetitionEvent.objects.count() == 0
    assert _counter_last(county) == before


def test_bulk_path_writes_what_the_row_path_writes(users, ledger, county, monkeypatch):
    _data, rows = ledger(12, seed=4)
    monkeypatch.setattr(services, "BULK_THRESHOLD", 10_000)
    _run(users.clerk, _job(users.clerk, legacy.to_csv([["A" + r[0], *r[1:]] for r in rows])))
    monkeypatch.setattr(services, "BULK_THRESHOLD", 5)
    monkeypatch.setattr(services, "BULK_BATCH", 5)
    _run(users.clerk, _job(users.clerk, legacy.to_csv([["B" + r[0], *r[1:]] for r in rows])))
    assert Petition.objects.count() == 24
    assert sorted(Petition.objects.values_list("seq", flat=True)) == list(range(1, 25))
    fields = ["status", "version", "channel", "nature", "category_id", "region_id", "received_at", "handling_unit_id", "due_at"]
    fields += [
        "dispatch_due_at",
        "accept_due_at",
        "handle_due_at",
        "replied_at",
        "satisfaction",
        "archived_at",
        "confidential",
        "anonymous",
    ]
    for r in rows:
        a = Petition.objects.get(legacy_reg_no="A" + r[0])
        b = Petition.objects.get(legacy_reg_no="B" + r[0])
        assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields], r
        assert _events(a) == _events(b)
        for e in b.events.all():
            assert e.hash == event_hash(e, b.reg_no)
        people = lambda p: [(x.name, x.id_number, x.phone, x.id_hash, x.phone_hash) for x in p.petitioners.all()]  # noqa: E731
        assert people(a) == people(b)


def _events(p):
    return [
        (e.action, e.from_status, e.to_status, e.seq == 1 or e.at, e.public, e.imported, e.data.get("text"))
        for e in p.events.order_by("seq")
    ]


def test_mapping_is_saved_per_source_and_reused(users, ledger, county):
    headers = ["来文编号", *legacy.HEADERS[1:]]  # "来文编号" is not a header we recognise by ourselves
    data, _rows = ledger(3, headers=headers)
    job = services.import_job_create(actor=users.clerk, source="乡镇台账", filename="a.csv", data=data)
    assert "legacy_reg_no" not in job.mapping
    with pytest.raises(InvalidInput) as exc:
        services.import_job_set_mapping(actor=users.clerk, job_id=job.pk, mapping=job.mapping)
    assert "legacy_reg_no" in exc.value.fields
    services.import_job_set_mapping(actor=users.clerk, job_id=job.pk, mapping={**job.mapping, "legacy_reg_no": "来文编号"})
    assert ColumnMapping.objects.get(source="乡镇台账").mapping["legacy_reg_no"] == "来文编号"

    data2, _ = ledger(3, headers=headers, prefix="新")
    job2 = services.import_job_create(actor=users.office, source="乡镇台账", filename="b.csv", data=data2)
    assert job2.mapping["legacy_reg_no"] == "来文编号"
    other = services.import_job_create(actor=users.office, source="别的来源", filename="c.csv", data=data2)
    assert "legacy_reg_no" not in other.mapping


def test_the_same_register_cannot_be_imported_twice(users, ledger, county):
    data, _rows = ledger(4)
    assert _run(users.clerk, _job(users.clerk, data)).status == JobStatus.DONE
    again = _job(users.clerk, data)
    assert again.status == JobStatus.INVALID
    assert {e["reason"][-4:] for e in again.errors} == {"已导入过"} and len(again.errors) == 4
    assert Petition.objects.count() == 4


def test_only_import_roles_may_import_and_bad_files_are_refused(users, ledger):
    data, _ = ledger(2)
    with pytest.raises(NoPermission):
        services.import_job_create(actor=users.handler, source="x", filename="a.csv", data=data)
    with pytest.raises(InvalidInput, match="只支持"):
        services.import_job_create(actor=users.clerk, source="x", filename="a.xls", data=data)
    with pytest.raises(InvalidInput, match="来源名称"):
        services.import_job_create(actor=users.clerk, source=" ", filename="a.csv", data=data)
    with pytest.raises(InvalidInput, match="表头"):
        services.import_job_create(actor=users.clerk, source="x", filename="a.csv", data="编号,编号\n1,2\n".encode())
    gbk = "登记编号,登记日期,问题类别,问题发生地,反映问题\n旧1,2020-01-02,劳动社保,第1镇,工资\n".encode("gb18030")
    job = services.import_job_create(actor=users.clerk, source="x", filename="gbk.csv", data=gbk)
    assert job.headers[0] == "登记编号"
    assert ImportJob.objects.count() == 1


def test_pages_upload_map_dry_run_and_import(client, users, ledger, county, settings):
    settings.XINFANG_TRANSFER_SYNC = True
    client.force_login(users.clerk)
    index = client.get(reverse("transfer:index")).content.decode()
    assert reverse("transfer:export_xlsx") in index and reverse("transfer:export_csv") in index
    data, _rows = ledger(5)
    upload = io.BytesIO(data)
    upload.name = "台账.csv"
    r = client.post(reverse("transfer:index"), {"source": "页面台账", "file": upload})
    job = ImportJob.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("transfer:mapping", args=[job.pk])
    page = client.get(r["Location"]).content.decode()
    assert "原登记编号" in page and 'value="登记编号" selected' in page
    r = client.post(reverse("transfer:mapping", args=[job.pk]), {**job.mapping})
    assert r["Location"] == reverse("transfer:job", args=[job.pk])
    page = client.get(r["Location"]).content.decode()
    assert "校验通过" in page and "确认导入 5 件" in page
    r = client.post(reverse("transfer:run", args=[job.pk]))
    page = client.get(reverse("transfer:progress", args=[job.pk])).content.decode()
    assert "已导入5件" in page and 'value="100"' in page and "hx-trigger" not in page
    assert Petition.objects.filter(imported=True).count() == 5
    # Someone else's job is not found; a handler may not open the import pages.
    client.force_login(users.office)
    assert client.get(reverse("transfer:job", args=[job.pk])).status_code == 404
    client.force_login(users.handler)
    assert client.get(reverse("transfer:index")).status_code == 403


def test_page_shows_row_errors_and_mapping_errors_in_chinese(client, users, ledger, county, settings):
    settings.XINFANG_TRANSFER_SYNC = True
    client.force_login(users.clerk)
    _data, rows = ledger(3)
    rows[2][8] = "火星"
    job = services.import_job_create(actor=users.clerk, source="s", filename="a.csv", data=legacy.to_csv(rows))
    r = client.post(reverse("transfer:mapping", args=[job.pk]), {**job.mapping, "content": ""})
    assert r.status_code == 200 and "请为“主要问题”选择一列" in r.content.decode()
    client.post(reverse("transfer:mapping", args=[job.pk]), {**job.mapping})
    page = client.get(reverse("transfer:job", args=[job.pk])).content.decode()
    assert "第 4 行" in page and "系统中没有该地名：“火星”" in page and "校验未通过" in page


def test_command_dry_run_then_import(users, ledger, county, tmp_path):
    data, _rows = ledger(8)
    path = tmp_path / "台账.csv"
    path.write_bytes(data)
    out = io.StringIO()
    call_command(
        "import_petitions", str(path), "--source", "命令台账", "--user", users.clerk.username, "--dry-run", "--no-progress", stdout=out
    )
    assert "全部通过校验" in out.getvalue() and Petition.objects.count() == 0
    call_command("import_petitions", str(path), "--source", "命令台账", "--user", users.clerk.username, "--no-progress", stdout=out)
    assert Petition.objects.count() == 8
    with pytest.raises(CommandError, match="有错误"):
        call_command(
            "import_petitions",
            str(path),
            "--source",
            "命令台账",
            "--user",
            users.clerk.username,
            "--no-progress",
            stdout=out,
            stderr=io.StringIO(),
        )
