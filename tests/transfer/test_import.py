"""Importing legacy registers: header row, column and value mapping, dry run with row errors and a preview,
all-or-nothing import through registration's own checks into historical records, per-source numbers, taking up."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from xinfang.audit.chain import event_hash
from xinfang.benchmarks import legacy
from xinfang.core.errors import InvalidInput, InvalidTransition, NoPermission
from xinfang.petitions import selectors
from xinfang.petitions.models import Category, Petition, Petitioner, PetitionEvent, RegistrationCounter, Status
from xinfang.transfer import services
from xinfang.transfer.models import ColumnMapping, ImportJob, JobStatus, LegacyRecord

pytestmark = pytest.mark.django_db


def _job(actor, data, *, name="台账.csv", source="2019-2023年台账", mapping=None, values=None):
    job = services.import_job_create(actor=actor, source=source, filename=name, data=data)
    services.import_job_set_mapping(actor=actor, job_id=job.pk, mapping=mapping or job.mapping, values=values)
    return services.import_job_validate(job_id=job.pk)


def _run(actor, job):
    services.import_job_start(actor=actor, job_id=job.pk)
    return services.import_job_run(job_id=job.pk)


def _counters(county):
    return dict(RegistrationCounter.objects.filter(office=county.office).values_list("year", "last"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_row_becomes_a_historical_record_with_its_own_dates_number_unit_and_result(users, ledger, county, fmt):
    data, rows = ledger(30, fmt=fmt)
    job = _job(users.clerk, data, name=f"台账.{fmt}")
    assert job.status == JobStatus.VALIDATED, job.errors
    assert job.total_rows == 30 and job.error_count == 0
    assert Petition.objects.count() == 0  # the dry run writes nothing
    assert job.preview["rows"] == 30 and job.preview["this_year"] == 0

    job = _run(users.clerk, job)
    assert job.status == JobStatus.DONE, job.message
    petitions = {p.legacy_reg_no: p for p in Petition.objects.select_related("handling_unit")}
    assert set(petitions) == {r[0] for r in rows}
    assert all(p.imported and p.historical for p in petitions.values())
    # Numbered from the same counter, in the year of each record's own registration date, gap-free per year.
    by_year = {}
    for p in petitions.values():
        by_year.setdefault(p.year, []).append(p.seq)
        assert p.year == p.received_at.year and p.registered_at == p.received_at
        assert p.reg_no == f"XFJ-{p.year}-{p.seq:06d}"
    assert _counters(county) == {y: len(seqs) for y, seqs in by_year.items()}
    assert all(sorted(seqs) == list(range(1, len(seqs) + 1)) for seqs in by_year.values())

    for r in rows:
        p = petitions[r[0]]
        status_word, unit, replied, satisfaction = r[11], r[12], r[13], r[14]
        if status_word in ("已答复", "已评价", "已归档"):  # closed in the register: archived, with its result
            assert p.status == Status.ARCHIVED and p.archived_at is not None
            assert p.replied_at is not None and p.replied_at.date().isoformat() == replied.replace("/", "-")
            assert (p.get_satisfaction_display() if p.satisfaction else "") == satisfaction
        else:
            assert p.status in (Status.REGISTERED, Status.ACCEPTED, Status.IN_PROGRESS), r
            assert p.due_at is None  # not live work: no current due, no reminders
        if unit:
            assert p.handling_unit is not None
        # Nothing the register does not date is made up; no review window without a delivery; no label stored.
        assert p.accepted_at is None and p.dispatched_at is None and p.review_request_due_at is None and p.archive_category == ""
        assert p.content == r[9]
        events = list(p.events.order_by("seq"))
        assert [e.action for e in events] == ["register", "import"] and all(e.imported for e in events)
        assert events[-1].to_status == p.status and events[-1].data["legacy_reg_no"] == r[0]
        prev = ""
        for e in events:  # the chain holds
            assert e.prev_hash == prev and e.hash == event_hash(e, p.reg_no)
            prev = e.hash
        assert LegacyRecord.objects.get(petition=p).source == "2019-2023年台账"
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
    assert "日期无法识别" in reasons[3] and "未对应到系统取值" in reasons[5] and "第2行重复" in reasons[6]
    assert "共6行，3行有错误" in job.message
    with pytest.raises(InvalidTransition):
        services.import_job_start(actor=users.clerk, job_id=job.pk)
    assert Petition.objects.count() == 0 and PetitionEvent.objects.count() == 0


def test_a_failure_during_the_import_rolls_back_everything(users, ledger, county, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 4)
    data, rows = ledger(12)
    job = _job(users.clerk, data)
    assert job.status == JobStatus.VALIDATED
    before = _counters(county)
    # Between the dry run and the import the category is retired: a later row now fails.
    Category.objects.filter(code="labour").update(active=False)
    job = _run(users.clerk, job)
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("第") and "问题类别" in job.message
    assert Petition.objects.count() == 0 and Petitioner.objects.count() == 0 and PetitionEvent.objects.count() == 0
    assert _counters(county) == before and LegacyRecord.objects.count() == 0


def test_batches_write_what_one_batch_writes(users, ledger, county, monkeypatch):
    _data, rows = ledger(12, seed=4)
    monkeypatch.setattr(services, "BATCH", 500)
    _run(users.clerk, _job(users.clerk, legacy.to_csv([["A" + r[0], *r[1:]] for r in rows]), source="甲"))
    monkeypatch.setattr(services, "BATCH", 5)
    _run(users.clerk, _job(users.clerk, legacy.to_csv([["B" + r[0], *r[1:]] for r in rows]), source="乙"))
    fields = ["status", "channel", "nature", "category_id", "region_id", "received_at", "registered_at", "handling_unit_id", "due_at"]
    fields += ["dispatch_due_at", "accept_due_at", "handle_due_at", "replied_at", "satisfaction", "archived_at", "confidential", "year"]
    for r in rows:
        a = Petition.objects.get(legacy_reg_no="A" + r[0])
        b = Petition.objects.get(legacy_reg_no="B" + r[0])
        assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields], r
        assert [(e.action, e.to_status) for e in a.events.all()] == [(e.action, e.to_status) for e in b.events.all()]
        for e in b.events.all():
            assert e.hash == event_hash(e, b.reg_no)


def test_the_registration_checks_apply_to_imports(users, ledger, county):
    """One registration path: the window's limits refuse what the register breaks (here: content too long)."""
    _data, rows = ledger(2)
    rows[0][9] = "长" * 20001
    job = _job(users.clerk, legacy.to_csv(rows))
    assert job.status == JobStatus.INVALID and "20000" in job.errors[0]["reason"]


def test_mapping_and_values_are_saved_per_source_and_reused(users, ledger, county):
    headers = ["来文编号", *legacy.HEADERS[1:]]  # "来文编号" is not a header we recognise by ourselves
    data, _rows = ledger(3, headers=headers)
    job = services.import_job_create(actor=users.clerk, source="乡镇台账", filename="a.csv", data=data)
    assert "legacy_reg_no" not in job.mapping
    with pytest.raises(InvalidInput) as exc:
        services.import_job_set_mapping(actor=users.clerk, job_id=job.pk, mapping=job.mapping)
    assert "legacy_reg_no" in exc.value.fields
    services.import_job_set_mapping(
        actor=users.clerk, job_id=job.pk, mapping={**job.mapping, "legacy_reg_no": "来文编号"}, values={"channel": {"来信": "visit"}}
    )
    saved = ColumnMapping.objects.get(source="乡镇台账")
    assert saved.mapping["legacy_reg_no"] == "来文编号" and saved.values == {"channel": {"来信": "visit"}} and saved.header_row == 1

    data2, _ = ledger(3, headers=headers, prefix="新")
    job2 = services.import_job_create(actor=users.office, source="乡镇台账", filename="b.csv", data=data2)
    assert job2.mapping["legacy_reg_no"] == "来文编号" and job2.values == {"channel": {"来信": "visit"}}
    other = services.import_job_create(actor=users.office, source="别的来源", filename="c.csv", data=data2)
    assert "legacy_reg_no" not in other.mapping and other.values == {}


def test_numbers_are_unique_per_source(users, ledger, county):
    data, _rows = ledger(4)
    assert _run(users.clerk, _job(users.clerk, data)).status == JobStatus.DONE
    again = _job(users.clerk, data)
    assert again.status == JobStatus.INVALID
    assert {e["reason"][-3:] for e in again.errors} == {"导入过"} and len(again.errors) == 4
    # Another township's register numbered the same way is its own.
    other = _job(users.clerk, data, source="第1镇台账")
    assert other.status == JobStatus.VALIDATED
    assert _run(users.clerk, other).status == JobStatus.DONE
    assert Petition.objects.count() == 8


def test_only_import_roles_may_import_and_bad_files_are_refused(users, ledger):
    data, _ = ledger(2)
    with pytest.raises(NoPermission):
        services.import_job_create(actor=users.handler, source="x", filename="a.csv", data=data)
    with pytest.raises(InvalidInput, match="只支持"):
        services.import_job_create(actor=users.clerk, source="x", filename="a.xls", data=data)
    with pytest.raises(InvalidInput, match="来源名称"):
        services.import_job_create(actor=users.clerk, source=" ", filename="a.csv", data=data)
    twice = services.import_job_create(actor=users.clerk, source="x", filename="a.csv", data="编号,编号,日期\n1,2,3\n".encode())
    assert twice.headers == ["编号", "编号（2）", "日期"]  # a repeated header is numbered, not refused
    gbk = "登记编号,登记日期,问题类别,问题发生地,反映问题\n旧1,2020-01-02,劳动社保,第1镇,工资\n".encode("gb18030")
    job = services.import_job_create(actor=users.clerk, source="x", filename="gbk.csv", data=gbk)
    assert job.headers[0] == "登记编号"
    assert ImportJob.objects.count() == 2


def test_pages_upload_header_map_values_dry_run_preview_and_import(client, users, ledger, county, settings):
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
    assert "原登记编号" in page and 'value="登记编号" selected' in page and 'name="header_row" value="1" checked' in page
    r = client.post(reverse("transfer:mapping", args=[job.pk]), {"action": "columns", **job.mapping})
    assert r["Location"] == reverse("transfer:values", args=[job.pk])
    page = client.get(r["Location"]).content.decode()
    assert "办理状态" in page and "已认出" in page
    r = client.post(r["Location"], _accept_all(client, job))
    assert r["Location"] == reverse("transfer:job", args=[job.pk])
    page = client.get(r["Location"]).content.decode()
    assert "校验通过" in page and "确认导入 5 件历史记录" in page and "导入后会怎样" in page and "各项统计不变" in page
    client.post(reverse("transfer:run", args=[job.pk]))
    page = client.get(reverse("transfer:progress", args=[job.pk])).content.decode()
    assert "已导入5件历史记录" in page and 'value="100"' in page and "hx-trigger" not in page
    assert Petition.objects.filter(imported=True, historical=True).count() == 5
    # Someone else's job is not found; a handler may not open the import pages.
    client.force_login(users.office)
    assert client.get(reverse("transfer:job", args=[job.pk])).status_code == 404
    client.force_login(users.handler)
    assert client.get(reverse("transfer:index")).status_code == 403


def _accept_all(client, job):
    """What the values page posts when the clerk accepts every pre-selected choice."""
    import re

    page = client.get(reverse("transfer:values", args=[job.pk])).content.decode()
    out = {}
    for name, body in re.findall(r'<select id="(v-[^"]+)" name="[^"]+">(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        out[name] = chosen.group(1) if chosen else ""
    return out


def test_header_row_can_be_chosen_on_the_page(client, users, county, category, settings):
    settings.XINFANG_TRANSFER_SYNC = True
    client.force_login(users.clerk)
    csv = "县信访局2019年来信来访登记台账\n\n登记编号,登记日期,问题类别,问题发生地,反映问题\nA1,2019-02-01,劳动社保,第1镇,拖欠工资\n"
    job = services.import_job_create(actor=users.clerk, source="s", filename="a.csv", data=csv.encode())
    assert job.header_row == 3 and job.headers[0] == "登记编号"  # the title and the blank line are skipped
    client.post(reverse("transfer:mapping", args=[job.pk]), {"action": "header", "header_row": "1"})
    job.refresh_from_db()
    assert job.header_row == 1 and job.headers[0] == "县信访局2019年来信来访登记台账"
    client.post(reverse("transfer:mapping", args=[job.pk]), {"action": "header", "header_row": "3"})
    job.refresh_from_db()
    assert job.header_row == 3 and job.mapping["legacy_reg_no"] == "登记编号"


def test_page_shows_row_errors_and_mapping_errors_in_chinese(client, users, ledger, county, settings):
    settings.XINFANG_TRANSFER_SYNC = True
    client.force_login(users.clerk)
    _data, rows = ledger(3)
    rows[2][8] = "火星"
    job = services.import_job_create(actor=users.clerk, source="s", filename="a.csv", data=legacy.to_csv(rows))
    r = client.post(reverse("transfer:mapping", args=[job.pk]), {"action": "columns", **job.mapping, "content": ""})
    assert r.status_code == 200 and "请为“主要问题”选择一列" in r.content.decode()
    client.post(reverse("transfer:mapping", args=[job.pk]), {"action": "columns", **job.mapping})
    values = _accept_all(client, job)
    client.post(reverse("transfer:values", args=[job.pk]), {k: ("" if "region" in k else v) for k, v in values.items()})
    page = client.get(reverse("transfer:job", args=[job.pk])).content.decode()
    assert "第 4 行" in page and "地名“火星”未对应到系统中的地方" in page and "校验未通过" in page


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


# ---------------------------------------------------------------- found, and taken up


def test_an_original_number_and_a_full_width_phone_find_the_record(users, ledger, county):
    _data, rows = ledger(6)
    rows[0][5] = "１３９０５５１２３４５"  # typed full-width in the register
    _run(users.clerk, _job(users.clerk, legacy.to_csv(rows)))
    p = Petition.objects.get(legacy_reg_no=rows[0][0])
    assert p.petitioners.get().phone == "13905512345"  # stored normalised
    for q in (rows[0][0], "１３９０５５１２３４５", "13905512345"):
        assert list(selectors.petition_list(actor=users.office, filters={"q": q}).values_list("pk", flat=True)) == [p.pk], q


def test_open_records_wait_in_their_bucket_until_the_office_takes_one_up(client, users, ledger, county):
    _data, rows = ledger(10)
    for r in rows[:3]:
        r[11], r[13], r[14] = "办理中", "", ""  # open in the register
    _run(users.clerk, _job(users.clerk, legacy.to_csv(rows)))
    open_ones = Petition.objects.filter(historical=True, status=Status.IN_PROGRESS)
    assert open_ones.count() >= 3
    counts = {c["code"]: c["count"] for c in selectors.worklist_counts(actor=users.office)}
    assert counts["historical_open"] == Petition.objects.filter(historical=True).exclude(status=Status.ARCHIVED).count()
    assert counts["in_progress"] == 0 and counts["overdue"] == 0 and counts["triage_today"] == 0
    p = open_ones.first()
    with pytest.raises(NoPermission):
        services.historical_take_up(actor=users.clerk, reg_no=p.reg_no, version=p.version)
    client.force_login(users.office)
    page = client.get(reverse("petitions:detail", args=[p.reg_no])).content.decode()
    assert "历史待办" in page and p.legacy_reg_no in page and "接续办理" in page
    r = client.post(reverse("transfer:take_up", args=[p.reg_no]), {"version": p.version, "reason": "经核实仍需办理"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert not p.historical and p.due_at is not None and p.events.last().action == "take_up"
    counts = {c["code"]: c["count"] for c in selectors.worklist_counts(actor=users.office)}
    assert counts["in_progress"] == 1  # live work now
    archived = Petition.objects.filter(historical=True, status=Status.ARCHIVED).first()
    with pytest.raises(InvalidTransition):
        services.historical_take_up(actor=users.office, reg_no=archived.reg_no, version=archived.version)
