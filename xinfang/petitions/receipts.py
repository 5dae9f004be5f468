"""The query code between registration and the receipt page: kept for the clerk's session under a one-time token.

The registration POST redirects to the receipt with the token (post-redirect-get). The first view of that address shows
the code and marks it shown; a reload, the back button or any later visit shows 已告知 instead (the code is a secret of
the petitioner's, "只显示这一次"). The printed receipt may carry the code for a few minutes after registration, with the
same token (a PDF viewer fetches its file more than once). 完成 forgets the code. The plain code is never stored
elsewhere; a lost code is replaced by a new one (portal.services.query_code_reissue, an event on the history).

`receipt_pdf` lays the printed receipt out (A4, the embedded font of xinfang/core/pdf.py, the same bytes on every
reprint): the petitioner's name as the reader may see it (access policy), the portal's address, and for a reprint the
channel's own words for where the code went (a letter's petitioner was never told it "当面").
"""

import io
import secrets
from datetime import datetime, timedelta
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from xinfang.access import policy
from xinfang.petitions.models import Channel

PRINT_MINUTES = 10
SHOWN_SECONDS = 24 * 3600  # how long a token stays spent (longer than any receipt stays open)


def _key(token: str) -> str:
    return f"petition-receipt:{token}"


def _fresh(entry: dict, now: datetime) -> bool:
    try:
        return now - datetime.fromisoformat(entry["at"]) <= timedelta(minutes=PRINT_MINUTES)
    except (KeyError, TypeError, ValueError):
        return False


def _entry(session, reg_no: str, token: str) -> dict | None:
    entry = cache.get(_key(token)) if token else None
    if not isinstance(entry, dict) or entry.get("reg_no") != reg_no or entry.get("session") != session.session_key:
        return None
    return entry


def keep(session, reg_no: str, code: str) -> str:
    """Keep the code for its receipt; returns the one-time token for the receipt's address.

    The code waits in the cache under the token, bound to the clerk's session, not in the session itself: a request
    that saves the session writes back the one it read (any request, once a minute: core.session_refresh), so a request
    of the form still running when it was submitted (the repeat hint's) would write back a session without the code,
    or the receipt's "shown" mark."""
    if session.session_key is None:
        session.save()
    token = secrets.token_urlsafe(16)
    entry = {"reg_no": reg_no, "code": code, "at": timezone.now().isoformat(), "session": session.session_key}
    cache.set(_key(token), entry, timeout=PRINT_MINUTES * 60)
    return token


def show_once(session, reg_no: str, token: str) -> str:
    """The code on the first view of its receipt, then "" for good (the cache's `add` is atomic: one view wins)."""
    entry = _entry(session, reg_no, token)
    if entry is None or not cache.add(_key(token) + ":shown", True, timeout=SHOWN_SECONDS):
        return ""
    return entry.get("code", "")


def printable(session, reg_no: str, token: str) -> str:
    """The code for the printed receipt while its receipt is fresh, else ""."""
    entry = _entry(session, reg_no, token)
    if entry is None or not _fresh(entry, timezone.now()):
        return ""
    return entry.get("code", "")


def drop(session, token: str) -> None:
    """完成: the code is forgotten."""
    if token and cache.get(_key(token), {}).get("session") == session.session_key:
        cache.delete(_key(token))


# ---------------------------------------------------------------------------
# The printed receipt (回执)
# ---------------------------------------------------------------------------

# Where the query code went, by channel, for a receipt printed without it (a reprint, or after PRINT_MINUTES).
CODE_GIVEN = {
    Channel.VISIT: "登记时已当面告知信访人",
    Channel.PHONE: "登记时已在来电中告知信访人",
    Channel.ONLINE: "信访人网上提交时已在页面显示",
}
CODE_GIVEN_DEFAULT = "仅载于登记后首次打印的回执"
NAMES_SHOWN = 5  # a collective petition's receipt names this many, then 等N人
MARGIN = 27  # mm, left and right


PORTAL_UNKNOWN = "本机关网站的“网上信访”页面"  # no address configured and no request to take the host from (a shell)


def portal_address(request=None) -> str:
    """The petitioners' portal as a receipt prints it: settings.XINFANG_PORTAL_URL, else this site's /portal/ as the
    request reached it; without either, words instead of a bare path."""
    from django.urls import reverse

    configured = getattr(settings, "XINFANG_PORTAL_URL", "")
    if configured:
        return configured
    return request.build_absolute_uri(reverse("portal:home")) if request is not None else PORTAL_UNKNOWN


def code_line(petition, query_code: str) -> str:
    """The 查询码 row: the code while the receipt is fresh, else where it went (by channel)."""
    if query_code:
        return query_code
    return f"（{CODE_GIVEN.get(petition.channel, CODE_GIVEN_DEFAULT)}，补打的回执不再显示）"


def petitioner_names(actor, petition, *, path: str = "") -> str:
    """The petitioners' names as this reader may see them (masked without the right; an unmasked view is logged)."""
    if petition.anonymous and not petition.petitioners.exists():
        return "匿名"
    people = policy.identity_for_display(actor, petition, purpose="打印登记回执", path=path)
    names = [x["name"] for x in people if x["name"]]
    if not names:
        return "匿名" if petition.anonymous else "—"
    total = max(len(names), petition.headcount if petition.collective else len(names))
    shown = "、".join(names[:NAMES_SHOWN])
    return f"{shown}等{total}人" if total > NAMES_SHOWN or (petition.collective and total > len(names)) else shown


def _day(dt) -> str:
    return f"{timezone.localtime(dt):%Y年%-m月%-d日}" if dt else ""


def _minute(dt) -> str:
    return f"{timezone.localtime(dt):%Y年%-m月%-d日 %H:%M}" if dt else ""


def receipt_pdf(petition, *, actor, query_code: str = "", portal_url: str = "", path: str = "") -> bytes:
    """The receipt's PDF bytes: everything comes from the record (no print time), so a reprint is the same file."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from xinfang.core.pdf import doc_options, style
    from xinfang.petitions import timelimits

    names = petitioner_names(actor, petition, path=path)
    portal = portal_url or portal_address()
    title = style("rc-title", fontSize=20, leading=30, alignment=TA_CENTER, spaceAfter=2 * mm)
    sub = style("rc-sub", fontSize=10.5, leading=16, alignment=TA_CENTER, textColor=colors.HexColor("#444444"))
    body = style("rc-body", fontSize=12, leading=21, firstLineIndent=24)
    plain = style("rc-plain", fontSize=12, leading=21)
    cell = style("rc-cell", fontSize=11.5, leading=17)
    note = style("rc-note", fontSize=10.5, leading=17, leftIndent=10, firstLineIndent=-10)
    sign = style("rc-sign", fontSize=12, leading=21, alignment=TA_RIGHT)

    def p(text, st):
        return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), st)

    rows = [
        ("信访人", names),
        ("登记编号", petition.reg_no),
        ("查询码", code_line(petition, query_code)),
        ("信访形式", petition.get_channel_display()),
        ("收到时间", _minute(petition.received_at)),
        ("登记时间", _minute(petition.registered_at)),
        ("问题类别", petition.category.name),
        ("受理告知期限", f"{_day(petition.accept_due_at)}前书面告知是否受理" if petition.accept_due_at else "—"),
        ("网上查询", portal),
    ]
    width = A4[0] - 2 * MARGIN * mm - 12  # the frame's own padding is 6 pt a side: the table lines up with the text
    table = Table([[p(k, cell), p(v, cell)] for k, v in rows], colWidths=[30 * mm, width - 30 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    notes = [
        f"一、请妥善保管登记编号和查询码，凭二者可登录 {portal} 或到信访接待场所查询办理进度、下载告知书和意见书。",
        "二、查询码只提供一次，工作人员不会向您索要查询码，请勿告知他人；遗失的，可到信访接待场所申请重新发放，原查询码随即失效。",
        "三、对处理意见不服的，可以自收到书面答复之日起30日内请求复查；对复查意见不服的，可以自收到复查意见之日起30日内请求复核。",
    ]
    footnote = timelimits.notice_footnote(petition.accept_due_at, short=True)
    intro = f"您于{_day(petition.received_at)}以{petition.get_channel_display()}形式提出的信访事项，本机关已登记，现将有关事项告知如下："
    story = [
        p("信访事项登记回执", title),
        p(f"登记编号：{petition.reg_no}", sub),
        Spacer(1, 8 * mm),
        p(f"{names}：", plain),
        p(intro, body),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 5 * mm),
        *[p(n, note) for n in notes],
        *([p(footnote, note)] if footnote else []),
        Spacer(1, 16 * mm),
        p(f"{petition.office.name}（盖章）", sign),
        p(_day(petition.registered_at), sign),
    ]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN * mm,
        rightMargin=MARGIN * mm,
        topMargin=30 * mm,
        bottomMargin=25 * mm,
        title=f"信访事项登记回执 {petition.reg_no}",
        author=petition.office.name,
        **doc_options(),
    )
    doc.build(story)
    return buf.getvalue()
