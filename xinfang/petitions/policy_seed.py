"""The policy table as a fresh database holds it: each time limit and pause ground with its default and legal basis.

`timelimits.time_limits_seed()` restores a missing row from here (a flushed test database, a demo). The migrations keep
their own copies of the values they wrote (0002, 0006), frozen as they were: a later change here never rewrites history.
"""

# (step, label, amount, unit, day_kind, basis)
TIME_LIMITS: list[tuple[str, str, int, str, str, str]] = [
    ("triage", "当日阅办", 0, "days", "calendar", "种子：当日信访当日阅办"),
    (
        "dispatch",
        "转送/交办",
        15,
        "days",
        "calendar",
        "《信访工作条例》第二十二条：信访部门收到信访事项，应当予以登记，并区分情况，在15日内分别按照下列方式处理",
    ),
    (
        "accept",
        "受理告知",
        15,
        "days",
        "calendar",
        "《信访工作条例》第二十三条：不能当场告知的，应当自收到信访事项之日起15日内书面告知信访人",
    ),
    ("handle", "办理", 60, "days", "calendar", "《信访工作条例》：应当自受理之日起60日内办结"),
    (
        "simple_handle",
        "简易办理",
        10,
        "days",
        "workday",
        "国家信访局《信访事项简易办理办法（试行）》：适用简易办理的信访事项，应当在受理之日起10个工作日内作出处理意见并答复",
    ),
    (
        "extend_max",
        "延期上限",
        30,
        "days",
        "calendar",
        "《信访工作条例》：情况复杂的，经本机关、单位负责人批准，可以适当延长办理期限，但延长期限不得超过30日，并告知信访人延期理由",
    ),
    ("internal_general", "检举控告一般案件查结", 30, "days", "calendar", "种子：查处制度 一个月"),
    ("internal_complex", "检举控告复杂案件办结", 60, "days", "calendar", "种子：查处制度 二个月"),
    ("internal_serious", "严重/立案案件办结", 90, "days", "calendar", "种子：查处制度 三个月"),
    (
        "review_request",
        "申请复查",
        30,
        "days",
        "calendar",
        "《信访工作条例》：信访人对信访处理意见不服的，可以自收到书面答复之日起30日内请求复查",
    ),
    (
        "review_answer",
        "复查答复",
        30,
        "days",
        "calendar",
        "《信访工作条例》：收到复查请求的机关、单位应当自收到复查请求之日起30日内提出复查意见，并予以书面答复",
    ),
    (
        "rereview_request",
        "申请复核",
        30,
        "days",
        "calendar",
        "《信访工作条例》：信访人对复查意见不服的，可以自收到书面答复之日起30日内请求复核",
    ),
    (
        "rereview_answer",
        "复核答复",
        30,
        "days",
        "calendar",
        "《信访工作条例》：收到复核请求的机关、单位应当自收到复核请求之日起30日内提出复核意见；听证所需时间不计算在内",
    ),
    ("instruction", "重要信访呈批", 2, "days", "calendar", "种子：呈批制度 1-2天内交领导阅批"),
    ("case_leader_after", "长期未结提示包案", 90, "days", "calendar", "本县规定：登记后超过该天数仍未办结且无包案领导的，提示确定包案领导"),
    ("urgent_report", "紧急报告", 15, "minutes", "calendar", "种子：15分钟以内报告"),
    (
        "return_window",
        "承办单位提出异议（退回）",
        5,
        "days",
        "workday",
        "《信访工作条例》第二十三条：不属于本机关、单位或者本系统职权范围的，应当自收到之日起5个工作日内提出异议，并详细说明理由",
    ),
]

# (code, label, max_days, roles, legal_bound)
PAUSE_GROUNDS: list[tuple[str, str, int, str, str]] = [
    (
        "hearing",
        "听证",
        30,
        "office",
        "《信访工作条例》：对重大、复杂、疑难的信访事项，可以举行听证；复核的听证所需时间不计算在期限内。条例未规定暂停上限，上限为本县规定。",
    ),
    (
        "appraisal",
        "鉴定、检验、检测",
        60,
        "office",
        "《信访工作条例》未规定鉴定、检验、检测所需时间如何计算；本县规定其所需时间不计入办理期限，上限为本县规定。",
    ),
]
