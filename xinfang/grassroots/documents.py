"""调解协议书 for a mediation session that reached agreement, in the project's one document module (`core.gongwen`).

The agreement is a document for the parties themselves, so it carries their full names; only actors with
`can_view_dispute_identity` may print it (checked by the view). It is dated by the session (成文日期 = the day of the
mediation, in Chinese numerals), never the print date, so a reprint is the same file."""

import datetime as dt

from django.utils import timezone

from xinfang.core import gongwen
from xinfang.core.errors import InvalidTransition
from xinfang.grassroots.models import MediationSession


def agreement(session: MediationSession) -> gongwen.Notice:
    if not session.agreement_reached:
        raise InvalidTransition("该次调解未达成协议，不能生成调解协议书")
    dispute = session.dispute
    level = {"village": dispute.village.name, "township": dispute.township.name}.get(session.level, "县")
    organ = f"{level}人民调解委员会"
    at = timezone.make_aware(dt.datetime.combine(session.held_on, dt.time(9, 0)))
    terms = [t.strip() for t in session.agreement_terms.splitlines() if t.strip()]
    return gongwen.Notice(
        kind="agreement",
        title="人民调解协议书",
        organ=organ,
        signer=organ,
        issued_on=session.held_on,
        issued_at=at,
        reference=f"编号：{dispute.number}-{session.pk}",
        grid_caption="当事人基本情况：",
        grid=[["当事方", "姓名", "联系电话", "住址"]]
        + [[p.get_side_display(), p.name, p.phone or "", p.address or ""] for p in dispute.parties.all()],
        body=[],
        rows=[
            gongwen.Row("纠纷类型", dispute.get_kind_display()),
            gongwen.Row("发生地", dispute.region.full_name),
            gongwen.Row("主要事实、争议事项", dispute.description, 3),
            gongwen.Row("调解情况", session.summary, 2),
            gongwen.Row("调解时间、地点", f"{session.held_on:%Y年%m月%d日}，{session.place or dispute.village.name}"),
            gongwen.Row("参加人员", session.participants),
            gongwen.Row("当事人签名", "", 2),
            gongwen.Row("调解员签名", session.mediator, 2),
        ],
        after=[
            "经调解，各方当事人自愿达成如下协议：",
            *terms,
            "履行方式、时限：按上述协议约定履行。",
            "本协议书一式三份，当事人各执一份，调解组织留存一份，自各方当事人签名之日起生效。",
        ],
    )


def agreement_docx(session: MediationSession) -> bytes:
    return gongwen.to_docx(agreement(session))


def agreement_pdf(session: MediationSession) -> bytes:
    return gongwen.to_pdf(agreement(session))
