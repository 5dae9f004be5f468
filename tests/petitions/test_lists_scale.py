"""Lists at scale: keyset paging (every row once, forwards and back, ties on the ordering column), capped counts,
search through one box (text, respondent, identity, number) equal to a plain filter, and bounded query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.tokens import api_token
from xinfang.core.errors import InvalidInput
from xinfang.petitions import selectors
from xinfang.petitions.models import Petition, Respondent

from .conftest import valid_id
from .helpers import drive

pytestmark = pytest.mark.django_db


def client_for(user):
    from rest_framework.test import APIClient

    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return c


def _walk(c, url):
    """Follow `next` to the end, then `previous` back to the start; returns (forward reg_nos, backward reg_nos)."""
    forward, pages = [], []
    while url:
        data = c.get(url).json()
        pages.append(data)
        forward += [r["reg_no"] for r in data["results"]]
        url = data["next"]
    backward = list(reversed([r["reg_no"] for r in pages[-1]["results"]]))
    url = pages[-1]["previous"]
    while url:
        data = c.get(url).json()
        backward += list(reversed([r["reg_no"] for r in data["results"]]))
        url = data["previous"]
    return forward, list(reversed(backward))


def test_cursor_paging_visits_every_row_once_in_order_both_ways(register, users):
    made = [register()[0] for _ in range(7)]
    # Ties on the ordering column are broken by id: give three petitions the same registration time.
    same = timezone.now() - timedelta(days=1)
    Petition.objects.filter(pk__in=[made[1].pk, made[2].pk, made[5].pk]).update(registered_at=same)
    expected = list(Petition.objects.order_by("-registered_at", "-pk").values_list("reg_no", flat=True))
    c = client_for(users.office)
    forward, backward = _walk(c, "/api/v1/petitions/?page_size=2")
    assert forward == expected and backward == expected
    first = c.get("/api/v1/petitions/?page_size=2").json()
    assert first["count"] == 7 and first["count_capped"] is False and first["previous"] is None


def test_due_ordered_buckets_page_by_due_time(register, users):
    for _ in range(5):
        register()
    Petition.objects.update(due_at=timezone.now() - timedelta(days=2))  # all overdue, equal due times
    expected = list(Petition.objects.order_by("due_at", "pk").values_list("reg_no", flat=True))
    forward, backward = _walk(client_for(users.office), "/api/v1/petitions/?bucket=overdue&page_size=2")
    assert forward == expected and backward == expected


def test_a_bad_cursor_is_a_400_in_the_api_and_a_message_on_the_page(register, users):
    register()
    r = client_for(users.office).get("/api/v1/petitions/?cursor=not-a-cursor")
    assert r.status_code == 400 and "cursor" in r.json()["error"]["fields"]
    # A cursor made for another ordering is refused too.
    token = selectors._cursor(selectors.ORDERINGS["due"], Petition.objects.get(), "next", 2)
    with pytest.raises(InvalidInput):
        selectors.petition_page(Petition.objects.order_by("-registered_at", "-pk"), ordering="registered", cursor=token)
    from django.test import Client

    c = Client()
    c.force_login(users.office)
    page = c.get("/petitions/?cursor=not-a-cursor", follow=True)
    assert page.status_code == 200 and "分页游标无效" in page.content.decode()


def test_counts_stop_at_the_cap(register, users, monkeypatch):
    for _ in range(4):
        register()
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    data = client_for(users.office).get("/api/v1/petitions/").json()
    assert data["count"] == 3 and data["count_capped"] is True and len(data["results"]) == 4
    buckets = {b["code"]: b for b in selectors.worklist_counts(actor=users.office)}
    assert buckets["triage_today"]["count"] == 3 and buckets["triage_today"]["count_label"] == "3+"
    assert selectors.count_label(10_000, True) == "1万+" and selectors.count_label(12, False) == "12"


def _search(actor, q):
    return set(selectors.petition_list(actor=actor, filters={"q": q}).values_list("reg_no", flat=True))


def test_search_finds_text_number_respondent_and_visible_identity_only(register, users):
    def reg(**kw):
        return register(**{"requests": "", **kw})[0]

    wage = reg(content="反映某公司拖欠农民工工资三个月")
    land = reg(content="村里征地补偿款一直没有发放", requests="请求尽快发放补偿")
    report = reg(nature="report", content="反映站长挪用救灾款", respondents=[{"name": "王建国", "unit": "某站", "post": "站长"}])
    named = reg(
        content="咨询社保转移", petitioners=[{"name": "李秀英", "id_number": valid_id("11010519800101003"), "phone": "13700001111"}]
    )
    secret = reg(
        content="反映村干部侵占集体资产", nature="report", petitioners=[{"name": "李秀英", "id_number": "", "phone": "13700002222"}]
    )
    office = users.office
    assert _search(office, "工资") == {wage.reg_no}
    assert _search(office, "征地补偿") == {land.reg_no}
    assert _search(office, "尽快发放") == {land.reg_no}  # in the requests
    assert _search(office, "建国") == {report.reg_no}  # a respondent's name, by substring
    assert _search(office, wage.reg_no.lower()) == {wage.reg_no}  # the number, any case
    assert _search(office, "13700001111") == {named.reg_no}
    assert _search(office, valid_id("11010519800101003")) == {named.reg_no}
    # The office registered both: it may see both identities.
    assert _search(office, "李秀英") == {named.reg_no, secret.reg_no}
    # A leader sees the petitions but not the protected identity: the name finds only the unprotected one.
    assert _search(users.leader, "李秀英") == {named.reg_no}
    assert _search(users.leader, "侵占集体") == {secret.reg_no}
    assert _search(office, "工") == {wage.reg_no}  # one character: no gram, the substring test alone


def test_a_searched_identity_is_looked_up_alone_then_its_petitions_by_id(register, users):
    """The people whose name, ID or phone match are read on their own (their hash indexes, no join to the petition, no
    ordering), then their petitions by id. Inside one statement PostgreSQL merged the matches with the whole primary
    key: people registered since the table was last analysed lie beyond its statistics (1.1 s at 1M petitions)."""
    from django.test.utils import CaptureQueriesContext

    named = register(content="咨询社保转移", petitioners=[{"name": "李秀英", "phone": "13700001111"}])[0]
    with CaptureQueriesContext(connection) as ctx:
        assert _search(users.office, "李秀英") == {named.reg_no}
    people = [q["sql"] for q in ctx.captured_queries if '"petitions_petitioner"' in q["sql"]]
    assert people, "the identity arm reads the petitioners"
    for sql in people:
        assert sql.startswith('SELECT "petitions_petitioner"."petition_id"') and "JOIN" not in sql and "ORDER BY" not in sql, sql


def test_search_is_the_plain_substring_filter(register, users):
    texts = ["拖欠工资", "工资拖欠三月", "征地补偿款", "补偿征地", "低保资格取消", "物业费乱收", "A栋漏水", "a栋停电"]
    for t in texts:
        register(content=t, requests="")
    Respondent.objects.create(petition=Petition.objects.first(), name="赵工资")
    first = Petition.objects.order_by("pk").first().reg_no
    # A number in the text: found by the words' grams, beside the petition that carries it (the number's own index).
    register(content=f"前次登记编号{first}至今未答复", requests="请求按期答复 ABC-7")
    numbers = [first, first.lower(), first[-6:], first[-3:], first[:4], "abc-7", "ABC", "-7", "登记编号" + first[:3]]
    for q in ["工资", "征地补偿", "补偿", "低保资格", "栋", "a栋", "A栋漏", "不存在", "资拖", *numbers]:
        expected = {
            p.reg_no
            for p in Petition.objects.all()
            if q.upper() in p.content.upper()
            or q.upper() in p.requests.upper()
            or q.upper() in p.reg_no.upper()
            or any(q.upper() in r.name.upper() for r in p.respondents.all())
        }
        assert _search(users.office, q) == expected, q


def test_list_and_worklist_queries_do_not_grow_with_rows(register, users, django_assert_max_num_queries):
    for _ in range(3):
        register(respondents=[{"name": "某人", "unit": "", "post": ""}])
    leader_case = drive(register, users, "accepted")
    Petition.objects.filter(pk=leader_case.pk).update(case_leader=users.leader, repeat_of=Petition.objects.first())
    c = client_for(users.office)
    # Token (2), roles, jurisdiction, the respondent block (once per request); count and page; the case leaders and
    # repeated petitions of the page.
    with django_assert_max_num_queries(10):
        r = c.get("/api/v1/petitions/")
    assert r.status_code == 200 and len(r.json()["results"]) == 4
    for _ in range(10):
        register()
    with django_assert_max_num_queries(10):
        assert len(c.get("/api/v1/petitions/").json()["results"]) == 14


def test_the_petition_page_and_its_api_read_a_bounded_number_of_queries(register, users, django_assert_max_num_queries):
    from django.test import Client

    p = drive(register, users, "in_progress")
    c = Client()
    c.force_login(users.office)
    c.get(f"/petitions/{p.reg_no}/")
    # Session, user, roles, jurisdiction; the row (policy) and its relations and lists one query each; the identity
    # view's access record (chained); the page's own panels (disputes, routing, inbox count). Not per event or action.
    with django_assert_max_num_queries(30):
        assert c.get(f"/petitions/{p.reg_no}/").status_code == 200
    api = client_for(users.office)
    api.get(f"/api/v1/petitions/{p.reg_no}/")
    with django_assert_max_num_queries(22):
        assert api.get(f"/api/v1/petitions/{p.reg_no}/").status_code == 200


def test_the_worklist_page_reads_the_same_queries_for_4_rows_as_for_14(register, users):
    """The page masks each row's petitioner through the policy: whether the office may see a row is asked once for
    the page, not once per row (it was one EXISTS query per row)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    c = Client()
    c.force_login(users.office)

    def queries() -> int:
        c.get("/petitions/")  # the session and the per-request caches settle
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/petitions/").status_code == 200
        return len(ctx.captured_queries)

    for _ in range(4):
        register()
    few = queries()
    for _ in range(10):
        register()
    assert queries() == few


def test_a_number_is_found_through_its_trigram_index_and_the_words_through_their_grams(register, users):
    """A number's two-character grams are in every number, so the words' gram index leaves the number out and a
    trigram index over the expression `icontains` compares answers it (petitions migration 0015): with scans and
    ordered index walks forbidden, the plan must still find the rows, through both indexes."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the search indexes are PostgreSQL's")
    p = register()[0]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = selectors.petition_list(actor=users.office, filters={"q": p.reg_no}).explain()
    assert "petition_reg_no_trgm" in plan and "petition_text_grams" in plan, plan
    assert "Seq Scan on petitions_petition" not in plan, plan
    # A word with a character no number holds does not ask the numbers: a rare word stays on the gram index.
    plan = selectors.petition_list(actor=users.office, filters={"q": "危桥"}).explain()
    assert "petition_text_grams" in plan and "petition_reg_no_trgm" not in plan, plan


def test_only_what_a_number_is_made_of_can_be_in_one():
    from xinfang.petitions.numbering import may_be_in_registration_number

    assert may_be_in_registration_number("XFJ-2026-000123") and may_be_in_registration_number("xfj-20")
    assert may_be_in_registration_number("000123") and may_be_in_registration_number("a.b_c")
    assert not may_be_in_registration_number("工资") and not may_be_in_registration_number("XFJ 2026")
    assert not may_be_in_registration_number("")


def test_the_planner_prices_computing_grams_row_by_row_as_expensive():
    """Priced at PostgreSQL's default (100), the planner walked the date index computing every row's grams for a rare
    word (1.2 s at 1M petitions) instead of reading the gram index (petitions migration 0014)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the gram index and its function are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT procost FROM pg_proc WHERE proname = 'xf_grams'")
        assert cursor.fetchone()[0] >= 1000
