"""The demo county, in the seed's shape: 24 townships in 6 supervision groups of 5
supervisors, ~8 villages per township with 6 villager groups each, 15 county departments,
12 schools. A few posts are left empty on purpose so the coverage page has rows. Above it the city 平川市 inside the
deployment (its government, petition bureau and three departments, each with a login), the province as external organs."""

from datetime import date, timedelta

from django.contrib.auth.models import Group

from xinfang.org.models import (
    ExternalOrgan,
    LeadingGroupMember,
    NetworkPolicy,
    NetworkPost,
    PostRole,
    Region,
    RegionLevel,
    Role,
    SupervisionGroup,
    Unit,
    UnitKind,
    User,
)

DEMO_PASSWORD = "demo12345"
COUNTY_CODE = "341100"

TOWNSHIPS = [
    "城关镇",
    "城东街道",
    "城西街道",
    "河口镇",
    "柳林镇",
    "石桥镇",
    "高庙乡",
    "双河镇",
    "青山乡",
    "白马镇",
    "黄土岭乡",
    "新店镇",
    "龙潭镇",
    "杨集乡",
    "马坊镇",
    "沙湾乡",
    "枣林镇",
    "古城镇",
    "三合乡",
    "东岳镇",
    "南湖乡",
    "北岗镇",
    "桃源乡",
    "金沙镇",
]
VILLAGE_SUFFIXES = ["村", "村", "村", "村", "村", "社区", "村", "村"]
VILLAGE_WORDS = ["和平", "新民", "光明", "红星", "胜利", "建设", "永安", "团结", "富民", "长青", "兴旺", "联合"]
GROUP_NAMES = ["第一", "第二", "第三", "第四", "第五", "第六"]
DEPARTMENTS = [
    ("dept-hr", "县人力资源和社会保障局", "劳动报酬、社会保险、工伤、人事争议"),
    ("dept-land", "县自然资源局", "土地征收、宅基地、国土资源、不动产登记"),
    ("dept-housing", "县住房和城乡建设局", "房屋拆迁、物业、建筑质量、城市建设"),
    ("dept-edu", "县教育局", "学校管理、教师待遇、招生入学、校园安全"),
    ("dept-health", "县卫生健康委员会", "医疗纠纷、医疗服务、计划生育"),
    ("dept-civil", "县民政局", "低保、救助、养老、婚姻登记、殡葬"),
    ("dept-agri", "县农业农村局", "农村土地承包、农业补贴、农民负担"),
    ("dept-env", "县生态环境局", "环境污染、噪声、排污"),
    ("dept-police", "县公安局", "治安、户籍、交通管理"),
    ("dept-justice", "县司法局", "法律援助、人民调解、社区矫正"),
    ("dept-transport", "县交通运输局", "道路建设、客运、出租车"),
    ("dept-water", "县水利局", "水利工程、移民安置、防汛"),
    ("dept-market", "县市场监督管理局", "食品安全、价格、消费维权"),
    ("dept-finance", "县财政局", "财政补贴发放、涉农资金"),
    ("dept-discipline", "县纪委监委", "检举控告党员干部违纪违法"),
]
SCHOOLS = [
    "县第一中学",
    "县第二中学",
    "县实验小学",
    "城关镇中心小学",
    "河口镇中学",
    "柳林镇中心学校",
    "石桥镇初级中学",
    "双河镇中心小学",
    "白马镇中学",
    "新店镇中心学校",
    "龙潭镇小学",
    "县职业高级中学",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌玉兰海燕春梅"


def demo_name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 13 + 5) % len(GIVEN)]


def demo_phone(i: int) -> str:
    return f"139{(i * 7919) % 100000000:08d}"


def _region(code, name, level, parent):
    region, _ = Region.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent": parent})
    return region


def _unit(code, name, kind, region, parent=None, responsibilities=""):
    unit, _ = Unit.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "region": region, "parent": parent, "responsibilities": responsibilities}
    )
    return unit


def _user(username, name, unit, role, post=""):
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD, name=name, unit=unit, post=post)
        user.groups.add(Group.objects.get(name=role))
        if role == Role.ADMIN:
            user.is_staff = True
            user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
    return user


def _reviewer(user) -> None:
    """A city organ's login holds the reviewer role only: a demo database loaded before gave it the county's office role,
    which is taken back on reload (idempotent)."""
    county_roles = [r for r in Role.values if r != Role.REVIEWER]
    user.groups.remove(*Group.objects.filter(name__in=county_roles))
    user.groups.add(Group.objects.get(name=Role.REVIEWER))


# The city above the county, inside this deployment (issue 13): its own region root (the county's paths and statistics do
# not change), its government, petition bureau and three departments as units, the superiors of the county's units; each
# with a demo login whose scope is the reviews asked of that organ. (code, name, kind, the county units it is above)
CITY_CODE = "341000"
CITY_UNITS = [
    ("city-gov", "平川市人民政府", UnitKind.CITY_LEADERSHIP, ["county"]),
    ("city-xfj", "平川市信访局", UnitKind.PETITION_BUREAU, ["xfj"]),
    ("city-hr", "平川市人力资源和社会保障局", UnitKind.CITY_DEPARTMENT, ["dept-hr"]),
    ("city-land", "平川市自然资源和规划局", UnitKind.CITY_DEPARTMENT, ["dept-land"]),
    ("city-housing", "平川市住房和城乡建设局", UnitKind.CITY_DEPARTMENT, ["dept-housing"]),
]
# One login per city organ: (username, name, unit code, post). The reviewer role: they answer the reviews asked of them.
CITY_USERS = [
    ("city_gov", "唐秘书", "city-gov", "市政府办公室秘书"),
    ("city_xfj", "宋科长", "city-xfj", "市信访局复查复核科科长"),
    ("city_hr", "曹科长", "city-hr", "市人社局信访科科长"),
    ("city_land", "袁科长", "city-land", "市自然资源和规划局信访科科长"),
    ("city_housing", "蒋科长", "city-housing", "市住建局信访科科长"),
]
# The province above the city stays outside the deployment: records the office picks (org.ExternalOrgan).
# (code, name, kind, address, parent code, the city units it is the organ above)
ORGANS_ABOVE = [
    ("prov-gov", "省人民政府", "government", "省城人民路1号", "", ["city-gov"]),
    ("prov-xfj", "省信访局", "petition_bureau", "省城人民路3号", "prov-gov", ["city-xfj"]),
    ("prov-hr", "省人力资源和社会保障厅", "department", "省城建设路20号", "prov-gov", ["city-hr"]),
    ("prov-land", "省自然资源厅", "department", "省城国土路2号", "prov-gov", ["city-land"]),
    ("prov-housing", "省住房和城乡建设厅", "department", "省城建设路8号", "prov-gov", ["city-housing"]),
]
# Earlier demo databases held the city as external organs under these codes: now units, so the records are retired.
RETIRED_CITY_ORGANS = ["city-gov", "city-xfj", "city-hr", "city-land", "city-housing"]


def _city_above(units: dict) -> list[Unit]:
    """The city inside the deployment, above the county's units (idempotent: links set once, never moved back)."""
    city = _region(CITY_CODE, "平川市", RegionLevel.CITY, None)
    gov = _unit("city-gov", "平川市人民政府", UnitKind.CITY_LEADERSHIP, city)
    made = []
    for code, name, kind, below in CITY_UNITS:
        unit = gov if code == "city-gov" else _unit(code, name, kind, city, gov)
        made.append(unit)
        for c in below:
            low = units.get(c)
            if low is None:
                continue
            if low.kind == UnitKind.COUNTY_LEADERSHIP and low.parent_id is None:  # the county government under the city's
                low.parent = unit
                low.save(update_fields=["parent"])
            elif low.kind != UnitKind.COUNTY_LEADERSHIP and low.superior_id is None:
                low.superior = unit
                low.save(update_fields=["superior"])
    ExternalOrgan.objects.filter(code__in=RETIRED_CITY_ORGANS, active=True).update(active=False)
    return made


def _organs_above(city_units: list[Unit]) -> None:
    """The province above the city as records (org.ExternalOrgan), linked to the city units they are above (idempotent)."""
    units = {u.code: u for u in city_units}
    for code, name, kind, address, parent, below in ORGANS_ABOVE:
        organ, _ = ExternalOrgan.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "level": "province",
                "kind": kind,
                "address": address,
                "parent": ExternalOrgan.objects.filter(code=parent).first(),
            },
        )
        organ.supervises.add(*[units[c] for c in below if c in units])


def load(**_options) -> str:
    NetworkPolicy.current()
    county = _region(COUNTY_CODE, "安和县", RegionLevel.COUNTY, None)
    townships, villages, groups = [], [], []
    for t, tname in enumerate(TOWNSHIPS, start=1):
        township = _region(f"{COUNTY_CODE}{t:03d}", tname, RegionLevel.TOWNSHIP, county)
        townships.append(township)
        for v in range(1, 9):
            word = VILLAGE_WORDS[(t * 3 + v) % len(VILLAGE_WORDS)]
            village = _region(f"{township.code}{v:03d}", f"{word}{VILLAGE_SUFFIXES[v - 1]}", RegionLevel.VILLAGE, township)
            villages.append(village)
            for g in range(1, 7):
                groups.append(_region(f"{village.code}{g:02d}", f"{GROUP_NAMES[g - 1]}村民小组", RegionLevel.GROUP, village))

    leadership = _unit("county", "安和县委县政府", UnitKind.COUNTY_LEADERSHIP, county)
    bureau = _unit("xfj", "安和县信访局", UnitKind.PETITION_BUREAU, county, leadership, "受理、交办、转送、督办信访事项")
    joint = _unit("lxb", "安和县信访工作联席会议办公室", UnitKind.JOINT_OFFICE, county, leadership, "统筹协调、督查考核")
    departments = [_unit(code, name, UnitKind.DEPARTMENT, county, leadership, resp) for code, name, resp in DEPARTMENTS]
    township_units = [
        _unit(f"twp-{t.code}", f"{t.name}人民政府" if not t.name.endswith("街道") else f"{t.name}办事处", UnitKind.TOWNSHIP, t, leadership)
        for t in townships
    ]
    edu = departments[3]
    schools = [_unit(f"school-{i:02d}", name, UnitKind.SCHOOL, townships[i % len(townships)], edu) for i, name in enumerate(SCHOOLS, 1)]

    # One login per role (demo only).
    _user("admin", "系统管理员", bureau, Role.ADMIN, "管理员")
    _user("clerk", "周登记", bureau, Role.CLERK, "登记员")
    _user("office", "吴主任", bureau, Role.OFFICE, "信访局办公室主任")
    leader = _user("leader", "郑县长", leadership, Role.LEADER, "副县长")
    _user("leader2", "冯书记", leadership, Role.LEADER, "县委副书记")
    _user("unit_handler", "钱科长", departments[0], Role.UNIT_HANDLER, "信访科科长")
    _user("unit_handler_land", "孙科长", departments[1], Role.UNIT_HANDLER, "信访科科长")
    _user("twp_handler", "何干事", township_units[0], Role.UNIT_HANDLER, "乡镇信访办干事")
    # The discipline organ (纪检监察机关) handles 检举控告 that may not go to the accused's unit.
    discipline = next(d for d in departments if d.code == "dept-discipline")
    _user("discipline_handler", "韩主任", discipline, Role.UNIT_HANDLER, "信访室主任")
    supervisor_user = _user("supervisor", "陈督查", joint, Role.SUPERVISOR, "督查员")
    liaison_user = _user("liaison", "林联络", township_units[0], Role.LIAISON, "村联络员")
    info_user = _user("info_officer", "黄信息", township_units[0], Role.INFO_OFFICER, "组信息员")
    safety_user = _user("safety_officer", "许老师", schools[0], Role.SAFETY_OFFICER, "安全信息员")
    _user("viewer", "马查看", leadership, Role.VIEWER, "县委办")

    city_units = _city_above({u.code: u for u in [leadership, bureau, *departments]})
    _organs_above(city_units)
    by_code = {u.code: u for u in city_units}
    for username, name, code, post in CITY_USERS:
        _reviewer(_user(username, name, by_code[code], Role.REVIEWER, post))

    # Leading groups (领导小组): the county and each school.
    if not LeadingGroupMember.objects.filter(unit=leadership).exists():
        LeadingGroupMember.objects.create(unit=leadership, user=leader, name=leader.name, post="副县长", position="head")
        LeadingGroupMember.objects.create(unit=leadership, name="吴主任", post="信访局局长", position="deputy")
        for i, school in enumerate(schools):
            LeadingGroupMember.objects.create(unit=school, name=demo_name(500 + i), post="校长", position="head")
            LeadingGroupMember.objects.create(unit=school, name=demo_name(600 + i), post="副校长", position="member")

    if NetworkPost.objects.exists():
        return f"{len(townships)} 乡镇, {len(villages)} 村, {len(groups)} 村民小组 (网络已存在)"

    today = date.today()
    # 6 supervision groups × 4 townships × 5 supervisors; group 6's fifth supervisor untrained
    # and one whose term ends within 30 days: the coverage page lists them.
    for g in range(6):
        sg, _ = SupervisionGroup.objects.get_or_create(code=f"dcz-{g + 1}", defaults={"name": f"第{'一二三四五六'[g]}督查组"})
        sg.townships.set(townships[g * 4 : g * 4 + 4] if g < 5 else townships[20:23])  # 金沙镇 in no group
        for m in range(5):
            i = g * 5 + m
            trained = None if (g, m) == (5, 4) else today - timedelta(days=400)
            end = today + timedelta(days=20) if (g, m) == (4, 4) else today + timedelta(days=200)
            NetworkPost.objects.create(
                role=PostRole.SUPERVISOR,
                user=supervisor_user if i == 0 else None,
                name=supervisor_user.name if i == 0 else demo_name(i),
                phone=demo_phone(i),
                supervision_group=sg,
                home_unit=departments[i % len(departments)],
                birth_date=date(1994 + i % 6, 1 + i % 12, 1 + i % 27),
                selected_on=today - timedelta(days=165),
                trained_on=trained,
                start_on=today - timedelta(days=160),
                end_on=end,
            )
    posts = []
    for v, village in enumerate(villages):
        township_unit = township_units[townships.index(village.parent)]
        posts.append(
            NetworkPost(
                role=PostRole.HANDLER,
                name=demo_name(1000 + v // 2),
                phone=demo_phone(1000 + v // 2),
                region=village,
                home_unit=township_unit,
                start_on=today - timedelta(days=300),
            )
        )
        if v % 37 != 5:  # a few villages without a liaison
            posts.append(
                NetworkPost(
                    role=PostRole.LIAISON,
                    user=liaison_user if v == 0 else None,
                    name=liaison_user.name if v == 0 else demo_name(2000 + v),
                    phone=demo_phone(2000 + v),
                    region=village,
                    home_unit=township_unit,
                    start_on=today - timedelta(days=300),
                )
            )
    for g, group in enumerate(groups):
        if g % 97 != 11:  # a few groups without an information officer
            posts.append(
                NetworkPost(
                    role=PostRole.INFO_OFFICER,
                    user=info_user if g == 0 else None,
                    name=info_user.name if g == 0 else demo_name(5000 + g),
                    phone=demo_phone(5000 + g),
                    region=group,
                    start_on=today - timedelta(days=300),
                )
            )
    for s, school in enumerate(schools):
        count = 0 if s == 11 else 1 + s % 3  # the vocational school has none yet
        for k in range(count):
            first = s == 0 and k == 0
            posts.append(
                NetworkPost(
                    role=PostRole.SAFETY_OFFICER,
                    user=safety_user if first else None,
                    name=safety_user.name if first else demo_name(9000 + s * 3 + k),
                    phone=demo_phone(9000 + s * 3 + k),
                    school=school,
                    start_on=today - timedelta(days=300),
                )
            )
    NetworkPost.objects.bulk_create(posts)
    return f"{len(townships)} 乡镇, {len(villages)} 村, {len(groups)} 村民小组, {NetworkPost.objects.count()} 个网络岗位"
