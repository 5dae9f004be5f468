"""Endpoint discovery for the matrix and leak tests: every URL pattern of the project (from the
resolver), and how to fill its kwargs. Endpoints added later are covered automatically; a URL
whose kwargs the table below cannot fill FAILS the tests (extend `URL_KWARGS` or `KWARG_DEFAULTS`,
or put it in `SKIP` with a reason). Nothing is skipped silently.
"""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Whole subtrees that are not walked here, with the reason (and where they are covered instead).
SKIP_PREFIXES = {
    "admin/": "the Django admin: covered by test_leak.test_admin_never_shows_identity (every registered model)",
}
# Single endpoints not requested, with the reason. Keep this short.
SKIP = {
    "api-schema": "API description, no data (slow to generate for every role)",
    "api-docs": "Swagger UI shell, no data",
    "api-redoc": "Redoc shell, no data",
    "logout": "ends the session",
    "api-token": "POST only; credentials",
    "health": "infrastructure readiness (database, broker, storage, replica): no petition data; tests/core/test_health_and_router.py",
    "healthz": "liveness: a constant answer",
}

PETITION_KWARGS = ("reg_no", "petition_id", "petition")


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str
    kwargs: tuple[str, ...]

    @property
    def takes_petition(self) -> bool:
        return any(k in PETITION_KWARGS for k in self.kwargs) or self.name in PETITION_BY_OTHER_ID

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    def path(self, values: dict) -> str:
        def sub(m):
            return str(values[m.group("name")])

        return "/" + re.sub(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>", sub, self.route)


def _walk(patterns, prefix="", ns=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            n = ns
            if p.namespace:
                n = (ns + ":" if ns else "") + p.namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), n)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            name = ((ns + ":") if ns and p.name else "") + (p.name or route)
            kwargs = tuple(re.findall(r"<(?:[^>:]+:)?([^>]+)>", route))
            yield Endpoint(name=name, route=route, kwargs=kwargs)


def all_endpoints() -> list[Endpoint]:
    out = []
    for ep in _walk(get_resolver().url_patterns):
        if any(ep.route.startswith(p) for p in SKIP_PREFIXES) or ep.name in SKIP:
            continue
        if "(?P<" in ep.route or ep.route.startswith("^"):
            raise AssertionError(
                f"regex URL {ep.route!r} ({ep.name}): use path() or add it to SKIP_PREFIXES in tests/security/endpoints.py"
            )
        out.append(ep)
    return out


# Endpoints that take a petition through another object's id: name → kwarg builder(world, petition).
PETITION_BY_OTHER_ID = {
    "access:attachment": lambda w, p: {"pk": MISSING if p is ABSENT else _attachment(w, p).pk},
}

# Kwargs by name, for any endpoint (world, petition) → value.
KWARG_DEFAULTS = {
    "reg_no": lambda w, p: p.reg_no,
    "petition_id": lambda w, p: p.pk,
    "petition": lambda w, p: p.pk,
}

# Kwargs for endpoints that take other objects: name → builder(world, petition) → kwargs.
# Ids of objects the world does not create simply 404 (no data, nothing to leak); list the
# endpoint anyway so that a new one is a conscious decision.
MISSING = 987654


class _Absent:
    """A petition that does not exist: out-of-scope answers must be indistinguishable from its answers."""

    reg_no = "XFJ-1999-999999"
    pk = MISSING


ABSENT = _Absent()


def _attachment(w, p):
    from django.core.files.base import ContentFile

    from xinfang.petitions.models import Attachment

    att = Attachment.objects.filter(petition=p).first()
    if att is None:
        png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
        att = Attachment(petition=p, kind="scan", original_name="信件扫描.png", content_type="image/png", size=len(png), sha256="a" * 64)
        att.file.save(f"test-{p.pk}.png", ContentFile(png), save=False)
        att.save()
    return att


def _first_pk(model_path: str):
    from django.apps import apps

    try:
        model = apps.get_model(model_path)
    except LookupError:
        return MISSING
    obj = model.objects.order_by("pk").first()
    return obj.pk if obj is not None else MISSING


def _api_doc_codes():
    from xinfang.api.petition_documents import CODES

    return list(CODES)


def _doc_kinds():
    try:
        from xinfang.petitions.documents import DOCS
    except ImportError:
        return ["chengpi"]
    return list(DOCS)


def _checkpoint_files(w, p):
    """Every format of a real checkpoint (signed here when the world has none): JSON lists reg_nos and hashes, never identity."""
    from xinfang.audit import checkpoints
    from xinfang.audit.models import Checkpoint

    cp = Checkpoint.objects.order_by("-number").first() or checkpoints.create(created_by="test")
    return [{"number": cp.number, "fmt": fmt} for fmt in ("pdf", "txt", "json")]


# A builder may return one kwargs dict or a list of them (each is requested).
URL_KWARGS = {
    "audit:checkpoint_file": _checkpoint_files,
    # Petitions (lifecycle pages): every document kind, the petition's attachments, an action form.
    "petitions:act": lambda w, p: {"reg_no": p.reg_no, "action": "progress"},
    "petitions:document": lambda w, p: [{"reg_no": p.reg_no, "kind": k} for k in _doc_kinds()],
    "petitions:document_pdf": lambda w, p: [{"reg_no": p.reg_no, "kind": k} for k in _doc_kinds()],
    "api-petition-document": lambda w, p: [{"reg_no": p.reg_no, "code": c, "fmt": f} for c in _api_doc_codes() for f in ("docx", "pdf")],
    "petitions:attachment": lambda w, p: {"reg_no": p.reg_no, "pk": MISSING if p is ABSENT else _attachment(w, p).pk},
    "api-petition-action": lambda w, p: {"reg_no": p.reg_no, "action": "progress"},
    # Settings and reference data (no petition data).
    "timelimits:limit_update": lambda w, p: {"step": "handle"},
    "timelimits:pause_update": lambda w, p: {"code": "hearing"},
    "org:region": lambda w, p: {"code": w.county.townships[0].code},
    "org:unit": lambda w, p: {"code": w.county.dept.code},
    "org:post-end": lambda w, p: {"pk": _first_pk("org.NetworkPost")},
    "org:post-training": lambda w, p: {"pk": _first_pk("org.NetworkPost")},
    "api-org-post-end": lambda w, p: {"pk": _first_pk("org.NetworkPost")},
    "api-end-user-sessions": lambda w, p: {"username": "w_clerk"},  # POST only; GET answers 405
    "api-safety-sheet": lambda w, p: {"pk": w.county.school.pk},
    "stats:drill": lambda w, p: {"code": "total"},
    "stats:sheet": lambda w, p: {"pk": _first_pk("stats.AssessmentSheet")},
    "api-stats-drill": lambda w, p: {"code": "total"},
    # Objects of other apps: their first row when the world made one (e.g. a supervision order
    # created by a notification), else an id that does not exist (404, nothing to leak).
    "supervision:order": lambda w, p: {"pk": _first_pk("supervision.SupervisionOrder")},
    "supervision:order_docx": lambda w, p: {"pk": _first_pk("supervision.SupervisionOrder")},
    "supervision:order_pdf": lambda w, p: {"pk": _first_pk("supervision.SupervisionOrder")},
    "api-supervision-order": lambda w, p: {"pk": _first_pk("supervision.SupervisionOrder")},
    "api-supervision-order-answer": lambda w, p: {"pk": _first_pk("supervision.SupervisionOrder")},
    "api-supervision-order-close": lambda w, p: {"pk": _first_pk("supervision.SupervisionOrder")},
    "reception:day_edit": lambda w, p: {"pk": _first_pk("reception.ReceptionDay")},
    "reception:duty_log": lambda w, p: {"pk": _first_pk("reception.DutyShift")},
    "reception:urgent": lambda w, p: {"pk": _first_pk("reception.UrgentReport")},
    "reception:emergency_group": lambda w, p: {"pk": _first_pk("reception.EmergencyGroup")},
    "reception:collective": lambda w, p: {"pk": _first_pk("reception.CollectiveVisitResponse")},
    "reception:plan_edit": lambda w, p: {"pk": _first_pk("reception.ResponsePlan")},
    "reception:cross_level": lambda w, p: {"reg_no": p.reg_no},  # POST only; GET answers 405
    "api-urgent-report": lambda w, p: {"pk": _first_pk("reception.UrgentReport")},
    "api-urgent-report-send": lambda w, p: {"pk": _first_pk("reception.UrgentReport")},
    "api-urgent-report-ack": lambda w, p: {"pk": _first_pk("reception.UrgentReport")},
    "api-urgent-report-tell": lambda w, p: {"pk": _first_pk("reception.UrgentReport")},
    "api-urgent-report-note": lambda w, p: {"pk": _first_pk("reception.UrgentReport")},
    "grassroots:report": lambda w, p: {"pk": _first_pk("grassroots.InfoReport")},
    "grassroots:report_photo": lambda w, p: {"pk": _first_pk("grassroots.InfoReport")},
    "grassroots:dispute": lambda w, p: {"pk": _first_pk("grassroots.Dispute")},
    "grassroots:dispute_action": lambda w, p: {"pk": _first_pk("grassroots.Dispute"), "action": "view"},
    "grassroots:agreement": lambda w, p: {"pk": _first_pk("grassroots.Dispute"), "session_id": MISSING},
    "api-dispute": lambda w, p: {"pk": _first_pk("grassroots.Dispute")},
    "api-dispute-escalate": lambda w, p: {"pk": _first_pk("grassroots.Dispute")},
    "api-dispute-sessions": lambda w, p: {"pk": _first_pk("grassroots.Dispute")},
    "api-info-report-ack": lambda w, p: {"pk": _first_pk("grassroots.InfoReport")},
    "safety:report_action": lambda w, p: {"pk": MISSING, "action": "view"},
    "safety:school": lambda w, p: {"pk": w.county.school.pk},
    "safety:sheet_xlsx": lambda w, p: {"pk": w.county.school.pk},
    "safety:school_action": lambda w, p: {"pk": w.county.school.pk, "action": "view"},
    "portal:document": lambda w, p: {"reg_no": p.reg_no, "seq": 1},
    "portal:guide": lambda w, p: {"pk": MISSING},
    "petitions:filter_delete": lambda w, p: {"pk": _first_pk("petitions.SavedFilter")},  # POST only; one's own filters
    "knowledge:detail": lambda w, p: {"pk": _first_pk("knowledge.Article")},
    "api-access-grant-revoke": lambda w, p: {"pk": MISSING},
    # Data in and out (imports are the office's own uploads; exports and dossiers take no other kwargs).
    "transfer:job": lambda w, p: {"job_id": _first_pk("transfer.ImportJob")},
    "transfer:mapping": lambda w, p: {"job_id": _first_pk("transfer.ImportJob")},
    "transfer:values": lambda w, p: {"job_id": _first_pk("transfer.ImportJob")},
    "transfer:progress": lambda w, p: {"job_id": _first_pk("transfer.ImportJob")},
    "transfer:run": lambda w, p: {"job_id": _first_pk("transfer.ImportJob")},
    # Open311 (public): both formats; a request id / token that does not exist.
    "open311:discovery": lambda w, p: [{"fmt": "json"}, {"fmt": "xml"}],
    "open311:services": lambda w, p: [{"fmt": "json"}, {"fmt": "xml"}],
    "open311:service": lambda w, p: {"code": "other", "fmt": "json"},
    "open311:requests": lambda w, p: [{"fmt": "json"}, {"fmt": "xml"}],
    "open311:request": lambda w, p: [{"service_request_id": p.reg_no, "fmt": "json"}, {"service_request_id": p.reg_no, "fmt": "xml"}],
    "open311:token": lambda w, p: {"token": "no-such-token", "fmt": "json"},
}


def _has(model_path: str) -> bool:
    from django.apps import apps

    try:
        apps.get_model(model_path)
        return True
    except LookupError:
        return False


def build_all_kwargs(ep: Endpoint, world, petition) -> list[dict]:
    """Every kwargs to call `ep` with for `petition` (several for e.g. document kinds)."""
    if ep.name in URL_KWARGS:
        out = URL_KWARGS[ep.name](world, petition)
        return out if isinstance(out, list) else [out]
    return [build_kwargs(ep, world, petition)]


def build_kwargs(ep: Endpoint, world, petition) -> dict:
    """The kwargs to call `ep` for `petition`, or AssertionError naming the table to extend."""
    if ep.name in URL_KWARGS:
        return build_all_kwargs(ep, world, petition)[0]
    if ep.name in PETITION_BY_OTHER_ID:
        return PETITION_BY_OTHER_ID[ep.name](world, petition)
    values = {}
    for k in ep.kwargs:
        if k not in KWARG_DEFAULTS:
            raise AssertionError(
                f"不知道如何调用 {ep.name} (/{ep.route})：参数 {k!r} 未知。"
                "请在 tests/security/endpoints.py 的 URL_KWARGS（按 URL 名）或 KWARG_DEFAULTS（按参数名）中补充，"
                "或在 SKIP 中写明理由。"
            )
        values[k] = KWARG_DEFAULTS[k](world, petition)
    return values
