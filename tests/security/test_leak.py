"""The leak test: a confidential 检举控告 with distinctive identity strings is registered and
assigned through the real services (notifications run), then every endpoint of the project
(discovered from the URL resolver: lists, details, search, exports, API, documents) is requested
as every role without the identity right; none of the strings may appear in any body or file
(.docx/.xlsx/.pdf text extracted, JSON unescaped). The Django admin is checked as a superuser,
and the database is scanned: no plaintext identity in any column of any table, nor in any mail.
"""

import io
import json
import re
import zlib

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection, models

from tests.security.endpoints import all_endpoints, build_all_kwargs
from tests.security.world import IDENTITY, ROLE_KEYS, SECRET_ADDRESS, SECRET_ID, SECRET_NAME, SECRET_PHONE, SECRETS, build_world
from tests.tokens import api_token

pytestmark = pytest.mark.django_db

NO_RIGHT = [r for r in ROLE_KEYS if r not in IDENTITY]
# Partial forms that give the identity away as well (the masked forms 保****** / 139****5678 are fine).
FRAGMENTS = (*SECRETS, SECRET_NAME[1:], SECRET_ID[6:14], SECRET_PHONE[3:7] + SECRET_PHONE[7:], SECRET_ADDRESS[:4])


@pytest.fixture
def leak_world(county, make_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        w = build_world(county, make_user)
    return w


def _pdf_text(data: bytes) -> str:
    """Text of a PDF without a PDF library: inflate its streams, read literal and UTF-16 hex strings."""
    chunks = [data]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(m.group(1)))
        except zlib.error:
            chunks.append(m.group(1))
    out = []
    for c in chunks:
        out.append(c.decode("latin-1"))
        for hx in re.findall(rb"<([0-9A-Fa-f\s]{4,})>", c):
            h = re.sub(rb"\s", b"", hx)
            try:
                out.append(bytes.fromhex(h.decode()).decode("utf-16-be", errors="ignore"))
            except ValueError:
                pass
        for lit in re.findall(rb"\((.*?)(?<!\\)\)", c, re.S):
            out.append(lit.decode("utf-16-be", errors="ignore") if lit[:2] == b"\xfe\xff" else lit.decode("latin-1"))
        try:
            out.append(c.decode("utf-8", errors="ignore"))
        except Exception:  # noqa: BLE001
            pass
    # The embedded TrueType subsets (xinfang/core/pdf.py) draw one byte per glyph: read them through their ToUnicode CMaps.
    from tests.portal.pdftext import pdf_text

    try:
        out.append(pdf_text(data))
    except AssertionError:  # not a whole PDF: the raw readings above are all there is
        pass
    return "\n".join(out)


def body_text(response) -> str:
    """Everything a person could read in a response: HTML/JSON/text, or the text of a document."""
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    ctype = response.get("Content-Type", "")
    if content[:4] == b"PK\x03\x04":
        texts = []
        try:
            import docx

            d = docx.Document(io.BytesIO(content))
            texts += [p.text for p in d.paragraphs]
            texts += [c.text for t in d.tables for r in t.rows for c in r.cells]
        except Exception:  # noqa: BLE001 (not a Word file)
            pass
        try:
            import openpyxl

            wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
            texts += [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]
        except Exception:  # noqa: BLE001 (not an Excel file)
            pass
        import zipfile

        with zipfile.ZipFile(io.BytesIO(content)) as z:
            texts += [z.read(n).decode("utf-8", errors="ignore") for n in z.namelist()]
        return "\n".join(texts)
    if content[:5] == b"%PDF-":
        return _pdf_text(content)
    text = content.decode("utf-8", errors="ignore")
    if "json" in ctype:
        try:
            text += json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text


def _leaks(text: str) -> list[str]:
    return [s for s in FRAGMENTS if s in text]


def test_the_strings_are_really_there_for_the_office(leak_world, client):
    """The detector works: the registering office sees the identity (so a miss below is a real absence)."""
    from xinfang.access import policy

    people = policy.identity_for_display(leak_world.users["office"], leak_world.p_in, purpose="测试")
    assert _leaks(json.dumps(people, ensure_ascii=False))
    response = client.get("/healthz")
    assert not _leaks(body_text(response))
    client.force_login(leak_world.users["office"])  # and it reads the embedded-font PDFs (the dossier names them)
    assert SECRET_NAME[1:] in _leaks(body_text(client.get(f"/transfer/dossier/{leak_world.p_in.reg_no}.pdf")))


def scan(client, world, user, *, only=None) -> tuple[list[str], list[str]]:
    """GET every endpoint as `user`: (what leaked where, errors: unknown kwargs or 5xx)."""
    client.raise_request_exception = False
    token = api_token(user)
    found, errors = [], []
    client.force_login(user)  # pages use the session; API calls add the token (DRF tries the token first)
    api_headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    for ep in all_endpoints():
        if only is not None and ep.name not in only:
            continue
        try:
            paths = [ep.path(kw) for kw in build_all_kwargs(ep, world, world.p_in)]
        except AssertionError as exc:
            errors.append(str(exc))
            continue
        headers = api_headers if ep.is_api else {}
        for path in paths:
            # Lists and searches also with the registration number as the query.
            for query in ("",) if ep.kwargs else ("", "?q=" + world.p_in.reg_no):
                response = client.get(path + query, **headers)
                if response.status_code >= 500:
                    errors.append(f"{user.username} GET {path}{query}: {response.status_code}")
                    continue
                leaked = _leaks(body_text(response))
                if leaked:
                    found.append(f"{user.username} GET {path}{query} → {response.status_code} shows {leaked}")
    return found, errors


def test_the_scan_finds_the_identity_where_it_may_be_shown(leak_world, client):
    """Positive control: the registering office's clerk does see the strings (detail page, API, Word files)."""
    found, _errors = scan(client, leak_world, leak_world.users["clerk"], only={"petitions:detail", "api-petition", "petitions:document"})
    assert any("/petitions/" in f and "保密测试人甲乙" in f for f in found), found


@pytest.mark.parametrize("role", NO_RIGHT)
def test_no_endpoint_shows_the_identity(leak_world, client, role):
    found, errors = scan(client, leak_world, leak_world.users[role])
    assert not errors, "\n".join(errors)
    assert not found, "身份信息泄露：\n" + "\n".join(found)


# Identity probes: searching by the secret ID/phone/name must not single out the protected petition
# for someone who may not see its petitioner (that would tell them who reported). Findings reported
# to their owners and not yet fixed are listed here and reported as xfail; remove once fixed.
# Endpoints whose identity search is known to single out a protected petition (reported, not yet fixed).
# Empty: petitions/selectors.py matches name/ID/phone only among policy.identity_searchable(actor).
PROBE_KNOWN_GAPS: dict[str, str] = {}


@pytest.mark.parametrize("role", [r for r in NO_RIGHT if r in ("unit_handler", "leader", "supervisor", "admin")])
def test_identity_probes_do_not_single_out_the_protected_petition(leak_world, client, role):
    from tests.security.world import _valid_id

    user = leak_world.users[role]
    token = api_token(user)
    client.raise_request_exception = False
    client.force_login(user)
    reg_no = leak_world.p_in.reg_no
    probe = {"id_number": SECRET_ID, "phone": SECRET_PHONE, "q": SECRET_PHONE, "name": SECRET_NAME}
    decoy = {"id_number": _valid_id("11010519700101003"), "phone": "13700000000", "q": "13700000000", "name": "无此人"}
    found, gaps = [], []
    for ep in all_endpoints():
        if ep.kwargs:
            continue
        headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if ep.is_api else {}
        hit = client.get(ep.path({}), probe, **headers)
        miss = client.get(ep.path({}), decoy, **headers)
        if hit.status_code >= 500 or miss.status_code >= 500:
            continue  # reported by the endpoint scan
        if reg_no in body_text(hit) and reg_no not in body_text(miss):
            line = f"{role} GET /{ep.route}?id_number/phone=… singles out {reg_no}"
            (gaps if ep.name in PROBE_KNOWN_GAPS else found).append(
                line + (f" [{PROBE_KNOWN_GAPS[ep.name]}]" if ep.name in PROBE_KNOWN_GAPS else "")
            )
    assert not found, "按身份信息检索可推知保密件信访人：\n" + "\n".join(found)
    if gaps:
        pytest.xfail("已报告未修复：\n" + "\n".join(gaps))


def test_admin_never_shows_identity(leak_world, client, make_user):
    from django.contrib import admin

    su = make_user("admin", username="w_root", is_staff=True, is_superuser=True)
    client.force_login(su)
    found = []
    paths = ["/admin/"]
    for model, model_admin in admin.site._registry.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        paths += [base, f"{base}?q={leak_world.p_in.reg_no}"]
        obj = model.objects.order_by("pk").first()
        if obj is not None:
            paths += [f"{base}{obj.pk}/change/", f"{base}{obj.pk}/delete/"]
        if model._meta.label in ("petitions.Petition", "petitions.Petitioner"):
            assert not model_admin.has_delete_permission(_request_for(su)), f"{model._meta.label} admin allows delete"
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, f"GET {path}: {response.status_code}"
        leaked = _leaks(body_text(response))
        if leaked:
            found.append(f"admin GET {path} shows {leaked}")
    assert not found, "管理后台显示了明文身份：\n" + "\n".join(found)


def _request_for(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_no_plaintext_identity_anywhere_in_the_database(leak_world):
    """Notifications, messages, events, logs, documents stored by any app: no column holds the plaintext."""
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if model._meta.proxy or not model._meta.managed:
                continue
            cols = [f.column for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
            if not cols:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            select = ", ".join(connection.ops.quote_name(c) for c in cols)
            cursor.execute(f"SELECT {select} FROM {table}")
            for row in cursor.fetchall():
                text = " ".join(str(v) for v in row if v is not None)
                try:
                    text += json.dumps([json.loads(v) for v in row if isinstance(v, str) and v[:1] in "[{"], ensure_ascii=False)
                except ValueError:
                    pass
                leaked = [s for s in SECRETS if s in text]
                if leaked:
                    found.append(f"{model._meta.label}: {leaked}")
    for message in mail.outbox:
        leaked = [s for s in SECRETS if s in message.subject + message.body]
        if leaked:
            found.append(f"mail to {message.to}: {leaked}")
    assert not found, "数据库中存在明文身份信息：\n" + "\n".join(sorted(set(found)))
