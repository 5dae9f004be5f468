"""Demo data for petitions: categories, and a few hundred petitions driven through the real services.

Each petition is registered and moved step by step with `time_machine` at backdated times, so
events, due times and overdue states are what the services produce. Idempotent: petitions are
created only when none exist.
"""

import random
from datetime import timedelta

import time_machine
from django.utils import timezone

from xinfang.access import policy
from xinfang.core.inputs import id_check_char
from xinfang.org.models import ExternalOrgan, Region, RegionLevel, Role, Unit, User
from xinfang.petitions.models import Category, Petition
from xinfang.petitions.services import petition_act, petition_register

CATEGORIES = [
    ("labour", "劳动社保", "dept-hr", "工资,欠薪,拖欠,社保,养老保险,工伤,劳动合同,农民工"),
    ("land", "国土资源", "dept-land", "征地,土地,宅基地,补偿,确权,占地"),
    ("housing", "城乡建设", "dept-housing", "拆迁,物业,房屋,质量,小区,安置房,违建"),
    ("education", "教育", "dept-edu", "学校,教师,入学,学生,收费,校车"),
    ("health", "卫生健康", "dept-health", "医院,医疗,看病,医生,药品"),
    ("civil", "民政", "dept-civil", "低保,救助,养老院,残疾,补助,五保"),
    ("agriculture", "农村农业", "dept-agri", "承包,农业,补贴,种粮,合作社,村务"),
    ("environment", "生态环境", "dept-env", "污染,噪声,排污,异味,粉尘,垃圾"),
    ("public_security", "公安政法", "dept-police", "治安,派出所,户口,打架,诈骗"),
    ("law", "司法法律", "dept-justice", "法律援助,调解,判决,律师"),
    ("transport", "交通运输", "dept-transport", "道路,公路,客运,公交,出租车"),
    ("water", "水利移民", "dept-water", "水库,移民,灌溉,防汛,饮水"),
    ("market", "市场监管", "dept-market", "食品,假冒,价格,消费,商家"),
    ("discipline", "纪检监察", "dept-discipline", "贪污,受贿,违纪,作风,腐败,挪用"),
    ("other", "其他", None, ""),
]

CONTENTS = {
    "labour": ["反映{place}某建筑工地拖欠农民工工资{n}个月，共{m}万元，多次讨要未果", "反映所在企业未依法缴纳养老保险，要求补缴"],
    "land": ["反映{place}征地补偿款未按标准发放，要求核实补发", "反映邻居在承包地上违规建房占用耕地"],
    "housing": ["反映{place}安置房墙体开裂渗水，开发商拒不维修", "反映小区物业乱收费，停车费上涨无依据"],
    "education": ["反映{place}小学收取课后服务费不透明", "反映孩子入学被拒，要求按学区就近入学"],
    "health": ["反映{place}卫生院医生态度恶劣、延误治疗", "反映新农合报销比例与政策不符"],
    "civil": ["反映家庭困难申请低保未获批准，要求重新审核", "反映{place}五保老人补助未按时发放"],
    "agriculture": ["反映种粮补贴未发到户，村里公示不清", "反映{place}村务不公开，集体土地承包收益去向不明"],
    "environment": ["反映{place}砖厂粉尘污染严重，影响村民生活", "反映养殖场排污到河道，河水发臭"],
    "public_security": ["反映{place}夜间有人聚众赌博，报警后未处理", "反映户口迁移办理多次被推诿"],
    "law": ["反映法院判决生效后对方拒不执行，申请法律援助", "反映{place}邻里纠纷调解后对方反悔"],
    "transport": ["反映{place}通村公路损毁严重，雨天无法通行", "反映客运班车停运，群众出行困难"],
    "water": ["反映{place}饮水工程水压不足，夏季经常停水", "反映水库移民后扶资金发放不到位"],
    "market": ["反映{place}超市销售过期食品", "反映农资店销售假化肥，造成减产"],
    "discipline": ["反映{place}村干部挪用集体资金{m}万元", "反映某站站长在项目验收中收受好处费"],
    "other": ["对{place}集镇规划提出意见建议", "咨询新型农村合作医疗参保政策"],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN = [
    "建国",
    "秀英",
    "桂兰",
    "志强",
    "丽娟",
    "海燕",
    "国华",
    "明",
    "伟",
    "芳",
    "军",
    "静",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "杰",
    "娟",
    "涛",
]

# Target state → the steps that lead there (the same table the tests use).
PATHS = {
    "registered": [],
    "accepted": ["accept"],
    "declined": ["decline"],
    "forwarded": ["forward"],
    "awaiting_instruction": ["accept", "submit_for_instruction"],
    "assigned": ["accept", "assign"],
    "in_progress": ["accept", "assign", "acknowledge"],
    "result_reported": ["accept", "assign", "acknowledge", "report_result"],
    "awaiting_reply": ["accept", "assign", "acknowledge", "report_result", "approve_result"],
    # A letter's delivery is recorded after the answer (送达): the 复查 window runs from it.
    "replied": ["accept", "assign", "acknowledge", "report_result", "approve_result", "reply", "record_delivery"],
    "evaluated": ["accept", "assign", "acknowledge", "report_result", "approve_result", "reply", "record_delivery", "evaluate"],
    "under_review": ["accept", "assign", "acknowledge", "report_result", "approve_result", "reply", "request_review"],
    "under_rereview": [
        "accept",
        "assign",
        "acknowledge",
        "report_result",
        "approve_result",
        "reply",
        "request_review",
        "reply",
        "request_rereview",
    ],
    "archived": ["accept", "assign", "acknowledge", "report_result", "approve_result", "reply", "record_delivery", "evaluate", "archive"],
}
WEIGHTS = {
    "registered": 30,
    "accepted": 22,
    "declined": 10,
    "forwarded": 10,
    "awaiting_instruction": 10,
    "assigned": 22,
    "in_progress": 50,
    "result_reported": 20,
    "awaiting_reply": 15,
    "replied": 25,
    "evaluated": 20,
    "under_review": 8,
    "under_rereview": 4,
    "archived": 54,
}


def _categories():
    units = {u.code: u for u in Unit.objects.filter(code__in=[c[2] for c in CATEGORIES if c[2]])}
    for code, name, unit_code, keywords in CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name, "default_unit": units.get(unit_code), "keywords": keywords})


def _person(rng):
    area = rng.choice(["411523", "411524", "411525"])
    birth = f"{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"{area}{birth}{rng.randint(100, 999)}"
    return {
        "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
        "id_number": first17 + id_check_char(first17),
        "phone": f"1{rng.choice('3578')}{rng.randint(100000000, 999999999)}",
        "address": "",
        "work_unit": "",
    }


def _inputs(action, rng, ctx):
    today = timezone.localdate()
    return {
        "accept": {},
        "decline": {"reason": "所反映事项已进入诉讼程序，应依法通过诉讼途径解决", "route": "litigation", "route_organ": "县人民法院"},
        "forward": {"authority": rng.choice(["市住房和城乡建设局", "市中级人民法院", "市生态环境局"]), "reason": "属其法定职权"},
        "submit_for_instruction": {"note": "问题反映较集中，拟交相关部门调查处理，请批示", "leader": ctx["leader"].username},
        "instruct": {"instruction": "请相关部门依法依规调查处理，按时报结"},
        "assign": {
            "handling_unit": ctx["unit"].code,
            "complexity": rng.choice(["general", "general", "complex", "serious"]),
        },
        "acknowledge": {"committed_date": today + timedelta(days=rng.randint(5, 25))},
        "report_result": {
            "outcome": rng.choice(["full", "partial", "unsupported", "explained"]),
            "findings": "经实地调查核实，情况基本属实，已督促整改",
            "reply_draft": "您反映的问题已调查核实并作处理",
        },
        "approve_result": {},
        "reply": {"method": rng.choice(["letter", "visit", "phone"]), "text": "经调查核实，您反映的问题已依法处理，具体意见如下……"},
        "record_delivery": {"delivered_at": today, "method": rng.choice(["post", "post", "direct"])},
        "triage": {"note": "拟按属地管理交有关单位办理"},
        "evaluate": {"satisfaction": rng.choice(["satisfied", "satisfied", "basically_satisfied", "dissatisfied"])},
        "request_review": {"reason": "对处理意见不服"},
        "request_rereview": {"reason": "对复查意见仍不服"},
        "report_back": {"text": "已办结并答复信访人，现将办理结果报告如下……"},
        "archive": {},
    }[action]


def _actor(action, ctx):
    if action in ("acknowledge", "report_result"):
        return ctx["handler"]
    if action == "instruct":
        return ctx["leader"]
    if action in ("evaluate", "request_review", "request_rereview"):
        return ctx["clerk"]
    return ctx["office"]


HOLIDAY_YEARS = (2025, 2026)


def _holidays() -> str:
    """The official holidays and make-up workdays of the demo years into the Holiday table (idempotent:
    rows already there, possibly edited by hand, are kept)."""
    from xinfang.core.errors import DomainError
    from xinfang.petitions import timelimits

    done = []
    for year in HOLIDAY_YEARS:
        try:
            created, kept = timelimits.holidays_import(actor=None, year=year)
        except DomainError as exc:
            done.append(f"{year} 年未导入（{exc.message}）")
        else:
            done.append(f"{year} 年节假日 {created + kept} 天")
    return "；".join(done)


def load(petitions: int = 300, **_options) -> str:
    holidays = _holidays()
    return f"{holidays}；{_load_petitions(petitions)}；{_review_path_cases()}"


REVIEW_MARK = "【复查复核示例】"
# One case at each stage of the review path (issue 13), so a newcomer sees the whole path: (title, steps after the first
# answer). Each step is (action, inputs); "by" names the demo login that takes it when it is not the county's (a city
# organ answers its own review). The handling unit is 县人社局; above it 县委县政府 and 平川市人社局 (both in the
# deployment, org.demo.CITY_UNITS), above those 平川市人民政府 and the province's 人社厅 (outside it, org.demo.ORGANS_ABOVE).
CITY_REVIEW = [
    ("request_review", {"review_organ": "city-hr"}),
    ("reply", {"text": "经复查，原处理意见认定事实清楚，予以维持。", "by": "city_hr"}),
]
REVIEW_STAGES = [
    ("复查中：县委县政府复查（本系统内）", [("request_review", {"review_organ": "county"})]),
    ("复查中：平川市人社局复查（本系统内，待市人社局答复）", [("request_review", {"review_organ": "city-hr"})]),
    ("复查意见已作出：平川市人社局，可申请复核", CITY_REVIEW),
    ("复核中：平川市人民政府复核（本系统内，待市信访局答复）", [*CITY_REVIEW, ("request_rereview", {"review_organ": "city-gov"})]),
    (
        "已复核终结（三级终结）",
        [
            ("request_review", {"review_organ": "county"}),
            ("reply", {"text": "经复查，维持原处理意见。"}),
            ("request_rereview", {"review_organ": "city-gov"}),
            ("reply", {"text": "经复核，维持复查意见。本复核意见为终结意见。", "by": "city_xfj"}),
        ],
    ),
    ("复核请求待转送：省人社厅（系统外）", [*CITY_REVIEW, ("request_rereview", {"review_organ": "prov-hr"})]),
    (
        "已转送省人社厅，待录入复核意见",
        [*CITY_REVIEW, ("request_rereview", {"review_organ": "prov-hr"}), ("forward_review", {"note": "请依法复核"})],
    ),
    (
        "省人社厅复核意见已录入（三级终结）",
        [
            *CITY_REVIEW,
            ("request_rereview", {"review_organ": "prov-hr"}),
            ("forward_review", {}),
            ("record_review_opinion", {"text": "经复核，维持复查意见。本复核意见为终结意见。"}),
        ],
    ),
]
CITY_LOGINS = ("city_hr", "city_xfj")
FIRST_ANSWER = ["accept", "assign", "acknowledge", "report_result", "approve_result", "reply"]


def _review_path_cases() -> str:
    """The review path's cases (idempotent: made once), plus a later petition on the ended matter awaiting its 不再受理
    answer, a simple-track case and a dissatisfied one."""
    if Petition.objects.filter(content__startswith=REVIEW_MARK).exists():
        return "复查复核示例已存在"
    users = {u.username: u for u in User.objects.filter(username__in=["clerk", "office", "leader", "unit_handler", *CITY_LOGINS])}
    labour = Category.objects.filter(code="labour").first()
    village = Region.objects.filter(level=RegionLevel.VILLAGE).order_by("code").first()
    if len(users) < 4 + len(CITY_LOGINS) or labour is None or village is None or users["unit_handler"].unit is None:
        return "未生成复查复核示例（缺少演示账号或区划）"
    if not (
        Unit.objects.filter(code__in=["county", "city-hr", "city-gov"]).count() == 3
        and ExternalOrgan.objects.filter(code="prov-hr").exists()
    ):
        return "未生成复查复核示例（缺少上级机关：先载入组织机构演示数据）"
    rng = random.Random(13)
    ctx = {"clerk": users["clerk"], "office": users["office"], "leader": users["leader"], "handler": users["unit_handler"]}
    ctx["unit"] = ctx["handler"].unit

    def register(title, nature="appeal", **extra):
        p, _code = petition_register(
            actor=ctx["clerk"],
            channel="visit",
            received_at=timezone.now(),
            petitioners=[_person(rng)],
            nature=nature,
            category=labour,
            region=village,
            content=f"{REVIEW_MARK}{title}：反映{village.full_name}某企业拖欠工资，对处理意见不服",
            requests="请求依法处理",
            **extra,
        )
        return p

    def step(p, action, extra=None):
        try:
            base = _inputs(action, rng, ctx)
        except KeyError:  # the review path's own actions: their inputs are the stage's
            base = {}
        inputs = {**base, **(extra or {})}
        actor = users[inputs.pop("by")] if "by" in inputs else _actor(action, ctx)
        if action == "reply":
            inputs["method"] = "letter"
        return petition_act(actor=actor, petition_or_reg_no=p.reg_no, action=action, version=p.version, **inputs)

    ended = None
    for title, steps in REVIEW_STAGES:
        p = register(title)
        for action in FIRST_ANSWER:
            p = step(p, action, {"method": "letter"} if action == "reply" else None)
        p = step(p, "record_delivery")
        for action, extra in steps:
            if action in ("request_review", "request_rereview"):
                extra = {"reason": "对处理意见不服", **extra}
            if action == "record_review_opinion":
                extra = {"decided_at": timezone.localdate(), **extra}
            p = step(p, action, extra)
        ended = ended or (p if p.review_level >= 2 else None)  # the first matter ended, in the deployment
    if ended is not None:
        register("复核终结后再次反映（待告知不再受理）", repeat_of=ended)
    simple = register("简易办理", nature="request")
    step(simple, "accept", {"track": "simple"})
    unhappy = register("不满意件（待回访）", nature="request")
    for action in FIRST_ANSWER:
        unhappy = step(unhappy, action, {"method": "letter"} if action == "reply" else None)
    step(unhappy, "evaluate", {"satisfaction": "dissatisfied"})
    return f"复查复核示例 {len(REVIEW_STAGES) + 3} 件"


def _load_petitions(petitions: int) -> str:
    _categories()
    if Petition.objects.exists():
        return f"{Category.objects.count()} 个问题类别；已有 {Petition.objects.count()} 件信访件，跳过"
    users = {u.username: u for u in User.objects.filter(username__in=["clerk", "office", "leader", "leader2"])}
    if "clerk" not in users or "office" not in users:
        return f"{Category.objects.count()} 个问题类别（未找到演示账号，未生成信访件）"
    handlers = list(User.objects.filter(groups__name=Role.UNIT_HANDLER, is_active=True).exclude(unit=None).select_related("unit"))
    if not handlers:
        return f"{Category.objects.count()} 个问题类别（没有承办人员）"
    leaders = [u for k, u in users.items() if k.startswith("leader")]
    categories = list(Category.objects.all())
    villages = list(Region.objects.filter(level=RegionLevel.VILLAGE).select_related("parent"))
    rng = random.Random(20261128)
    states = list(WEIGHTS)
    weights = [WEIGHTS[s] for s in states]
    now = timezone.now()
    created: list[tuple[Petition, dict]] = []
    for i in range(petitions):
        target = rng.choices(states, weights)[0]
        steps = PATHS[target]
        handler = rng.choice(handlers)
        ctx = {"clerk": users["clerk"], "office": users["office"], "leader": rng.choice(leaders), "handler": handler, "unit": handler.unit}
        shortest = max(2, len(steps) * 3)
        # Most petitions are recent and on time; about a fifth are old enough to be overdue in an open state.
        span = rng.randint(shortest, shortest + 12 + len(steps) * 4) if rng.random() < 0.8 else rng.randint(shortest, 150)
        received = now - timedelta(days=span, hours=rng.randint(0, 8))
        category = rng.choice(categories)
        village = rng.choice(villages)
        person = _person(rng)
        kwargs = {
            "channel": rng.choice(["letter", "visit", "visit", "phone", "online", "mailbox", "sms"]),
            "petitioners": [person],
            "nature": rng.choice(["request", "request", "request", "appeal", "suggestion", "inquiry"]),
            "category": category,
            "region": village,
            "content": "",
            "requests": "请求依法处理",
        }
        roll = rng.random()
        if roll < 0.1:
            kwargs.update(channel="visit", headcount=rng.randint(5, 40), representatives=[_person(rng) for _ in range(rng.randint(1, 3))])
        elif roll < 0.2:
            kwargs.update(
                nature="report",
                category=next((c for c in categories if c.code == "discipline"), category),
                respondents=[{"name": rng.choice(SURNAMES) + "某", "unit": f"{village.parent.name}人民政府", "post": "村干部"}],
            )
            if handler.unit.name == f"{village.parent.name}人民政府":
                # A 检举控告 never goes to the accused's unit (《信访工作条例》第四十六条): the discipline organ handles it.
                organs = set(policy.discipline_organs().values_list("pk", flat=True))
                ctx["handler"] = next((h for h in handlers if h.unit_id in organs), next(h for h in handlers if h.unit != handler.unit))
                ctx["unit"] = ctx["handler"].unit
        elif roll < 0.26:
            kwargs.update(
                channel="from_superior", superior_doc_no=f"市信访交〔2026〕{i + 1}号", superior_due_at=received + timedelta(days=20)
            )
        elif roll < 0.34 and created:
            original, original_person = rng.choice(created)
            kwargs.update(repeat_of=original, petitioners=[original_person], region=original.region, category=original.category)
        kwargs["content"] = rng.choice(CONTENTS[kwargs["category"].code]).format(
            place=kwargs["region"].full_name, n=rng.randint(2, 9), m=rng.randint(2, 60)
        )
        if kwargs.get("repeat_of"):
            kwargs["content"] = "再次反映：" + kwargs["repeat_of"].content
        if kwargs["channel"] == "from_superior" and "archive" in steps:
            steps = [*steps[:-1], "report_back", "archive"]
        # Steps happen at increasing times between receipt and now (gaps short enough for the review windows).
        gap_max = min(12 * 86400, span * 86400 // (len(steps) + 1))
        moments, at = [], received
        for _ in steps:
            at = at + timedelta(seconds=rng.randint(3600, max(3601, gap_max)))
            moments.append(at)
        with time_machine.travel(received + timedelta(minutes=rng.randint(5, 120)), tick=False):
            p, _code = petition_register(actor=ctx["clerk"], received_at=received, **kwargs)
        if not steps and rng.random() < 0.7:  # most petitions waiting for a decision were read on the day (当日阅办)
            with time_machine.travel(received + timedelta(hours=3), tick=False):
                p = petition_act(
                    actor=ctx["office"], petition_or_reg_no=p.reg_no, action="triage", version=p.version, **_inputs("triage", rng, ctx)
                )
        for action, at in zip(steps, moments, strict=True):
            with time_machine.travel(at, tick=False):
                inputs = _inputs(action, rng, ctx)
                if action == "evaluate" and target == "archived":
                    inputs = {"satisfaction": "satisfied"}
                p = petition_act(actor=_actor(action, ctx), petition_or_reg_no=p.reg_no, action=action, version=p.version, **inputs)
        # Repeat and collective cases get more attention: a leader takes the case (包案).
        if (p.repeat_of_id or p.collective) and p.status not in ("registered", "declined", "forwarded", "archived"):
            with time_machine.travel((moments[-1] if moments else received) + timedelta(minutes=30), tick=False):
                p = petition_act(
                    actor=ctx["office"],
                    petition_or_reg_no=p.reg_no,
                    action="set_case_leader",
                    version=p.version,
                    leader=ctx["leader"].username,
                    reason="重复/集体信访，由县领导包案",
                )
        created.append((p, person))
    total = Petition.objects.count()
    overdue = Petition.objects.filter(due_at__lt=now).count()
    return f"{Category.objects.count()} 个问题类别；{total} 件信访件（{overdue} 件超期）"
