"""Demo school safety information: a school year (the last 12 months) of reports by every
officer, some officers under quota, ratings, major items, recognitions and one failure record.
Written in bulk (dated history); idempotent."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from xinfang.org.models import NetworkPost, PostRole, User
from xinfang.safety.models import Recognition, ReportingFailure, SafetyReport

CONTENTS = [
    ("hazard", "近期连续降雨，提醒学生上下学注意交通安全，校门口需增派值勤人员。"),
    ("measures", "学校召开消防安全专题会议，组织全校疏散演练。"),
    ("suggestion", "建议在实验楼增设应急照明灯和防滑垫。"),
    ("incident", "一名学生课间在操场摔伤，已送医处理，无大碍。"),
    ("hazard", "冬季取暖用电增多，提醒宿舍严禁使用大功率电器。"),
    ("accident_report", "学校附近路段有车辆超速，学生过马路存在隐患，已报告交警。"),
    ("measures", "食堂开展食品安全自查，更换老化燃气管道。"),
]


def _months(today: date, n: int) -> list[date]:
    months, y, m = [], today.year, today.month
    for _ in range(n):
        months.append(date(y, m, 1))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return list(reversed(months))


def load(**_options) -> str:
    if SafetyReport.objects.exists():
        return f"{SafetyReport.objects.count()} 条安全信息（已存在）"
    posts = list(
        NetworkPost.objects.filter(role=PostRole.SAFETY_OFFICER, ended_on__isnull=True).select_related("school", "user").order_by("pk")
    )
    if not posts:
        return "没有安全信息员，跳过"
    office = User.objects.filter(username="office").first()
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    months = _months(today, 12)
    rows = []
    for p_i, post in enumerate(posts):
        under = p_i % 4 == 3  # every fourth officer often misses the quota
        for m_i, month in enumerate(months):
            count = (m_i + p_i) % 2 if under else 2 + (m_i + p_i) % 2
            if month == months[-1]:
                count = min(count, 1 if post.user_id else count)  # the demo officer still has work to do this month
            for k in range(count):
                day = min(3 + k * 9 + p_i % 5, 28)
                when = datetime.combine(month.replace(day=day), time(9 + k, 15), tz)
                if when.date() > today:
                    when = datetime.combine(today, time(8, 0), tz)
                category, content = CONTENTS[(p_i + m_i + k) % len(CONTENTS)]
                major = (p_i + m_i) % 23 == 0 and k == 0
                rows.append(
                    SafetyReport(
                        post=post,
                        school=post.school,
                        reporter=post.user,
                        category=category,
                        channel=["written", "phone", "sms", "oral"][(m_i + k) % 4],
                        content=content,
                        importance="major" if major else ("important" if (m_i + k) % 5 == 0 else "normal"),
                        reported_at=when,
                        month=month,
                        value_rating=["high", "medium", "", "low"][(p_i + m_i + k) % 4],
                        attended_by=office if (major and month != months[-1]) else None,
                        attended_at=when + timedelta(hours=2) if (major and month != months[-1]) else None,
                        attention_note="已组织排查整改" if (major and month != months[-1]) else "",
                    )
                )
    SafetyReport.objects.bulk_create(rows, batch_size=500)
    if office:
        last_year = today.year - 1
        schools = {}
        for post in posts:
            schools.setdefault(post.school_id, []).append(post)
        for school_posts in list(schools.values())[:6]:
            post = school_posts[0]
            Recognition.objects.create(
                kind="advanced",
                year=last_year,
                school=post.school,
                post=post,
                reason="全年按时报送，信息价值高",
                decided_by=office,
                decided_on=date(last_year, 12, 28),
            )
        report = SafetyReport.objects.filter(importance="major").select_related("post", "school").first()
        if report:
            Recognition.objects.create(
                kind="major_reward",
                year=report.month.year,
                school=report.school,
                post=report.post,
                report=report,
                reason="及时报告隐患，避免了一起安全事故",
                decided_by=office,
                decided_on=report.reported_at.date() + timedelta(days=3),
            )
        under = posts[3] if len(posts) > 3 else posts[-1]
        ReportingFailure.objects.create(
            school=under.school,
            post=under,
            hazard="实验室插座老化冒烟未及时报告",
            known_on=today - timedelta(days=50),
            decision="discipline",
            decision_text="校务会决定给予批评教育并通报",
            decided_by=office,
            decided_on=today - timedelta(days=45),
        )
    return f"{len(rows)} 条安全信息（{len(posts)} 名安全信息员，12 个月）"
