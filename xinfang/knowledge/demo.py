"""Demo knowledge base: the seed's 应知应会 list, each demo department's 归口 responsibilities, standard answers."""

from xinfang.knowledge import routing
from xinfang.knowledge.models import ArticleKind, KnowledgeArticle, RoutingModelRun
from xinfang.org.models import Unit, UnitKind
from xinfang.petitions.models import Category

K = ArticleKind
ARTICLES = [
    (
        "《信访工作条例》要点",
        K.REGULATION,
        True,
        "信访,条例,时限,复查,复核",
        "信访工作坚持以人民为中心，分级负责、归口办理，谁主管、谁负责。\n"
        "收到信访事项后，应当在15日内转送、交办；有权处理的机关应当在15日内决定是否受理并书面告知信访人。\n"
        "信访事项应当自受理之日起60日内办结；情况复杂的，经批准可以适当延长办理期限，但延长期限不得超过30日，并告知信访人延期理由。\n"
        "信访人对处理意见不服的，可以自收到书面答复之日起30日内请求原办理机关的上一级机关复查；对复查意见不服的，可以自收到书面答复之日起30日内向复查机关的上一级机关请求复核。",
    ),
    (
        "首问责任制度",
        K.REGULATION,
        False,
        "首问,登记,接待",
        "本单位工作人员均有责任将上访人引领到信访办公室，由信访办接待人员负责接待。\n"
        "认真填写《人民信访登记表》，做好群众来信、来电、来访登记工作，确保信访工作的连续性。\n"
        "登记内容完整准确，不遗不漏，包括姓名、时间、单位或家庭住址、联系电话、主要问题以及处理结果等。",
    ),
    (
        "保密制度",
        K.REGULATION,
        False,
        "保密,检举,控告,举报人",
        "严格执行保密规定，不准将来信来访内容向无关人员透露，不得把有关案件查办情况向外泄漏。\n"
        "保密内容：信访的检举、控告材料和检举控告人、举报人和证人的姓名、住址以及可能危及其安全的有关情况；"
        "检举、控告领导干部违法违纪，未经核实处理或正在核实处理的内容；办理信访案件的报告、内部讨论情况和证据。\n"
        "严禁将控告、检举材料和信访人要求保密及可能对信访人权益造成损害的内容泄露给被控告人、被检举人。",
    ),
    (
        "查处制度与办理时限",
        K.REGULATION,
        False,
        "查处,时限,一个月,三个月",
        "凡上级和领导交办要报查处结果的信访，要及时查处，催报和审理结案。\n"
        "一般信访案件在一个月内查结，复杂案件在二个月内办结，对问题比较严重和立案的案件在三个月内办结。\n"
        "对所有信访必须做到件件有着落，事事有结果。",
    ),
    (
        "转办制度",
        K.REGULATION,
        False,
        "转办,归口,交办",
        "根据“按级负责，归口办理”原则，转办迅速、准确，无积压、拖延。\n凡不属受理范围的其他来信，登记后，根据内容转有关部门处理。",
    ),
    (
        "信访登记制度",
        K.REGULATION,
        False,
        "登记,当日阅办,拆封",
        "来信要及时拆封，并保持信封、邮戳、邮票、信纸及信内其它物件完整无缺。\n阅信认真、细致，明确重点，抓住中心。\n"
        "专门登记信访内容及处理情况，做到当日信访当日阅办，紧急或重要信访当日阅办后迅速处理。",
    ),
    (
        "回访复信制度",
        K.REGULATION,
        False,
        "回访,复信,答复",
        "对署名信件和来访，应把查处情况及时写信或当面告诉检举、控告人，对查处有异议的，应听取合理意见，认真加以解决。\n"
        "对申诉的信访，经过复查，不论改变或维持原处理，均要回访复信。",
    ),
    (
        "信访工作人员应知",
        K.REGULATION,
        False,
        "应知,职责,归口",
        "1. 一定时期国际国内发生的重大事件及重要工作部署。\n2. 一定时期群众反映最强烈的问题。\n3. 信访工作的指导思想、任务职责和职能作用。\n"
        "4. 信访工作的主要法规、制度。\n5. 各级党政机关、司法机关、行政执法部门、经济管理部门的名称及其主要职责。\n"
        "6. 党政各部门归口处理信访问题的办法。\n7. 本单位信访工作主要内部工作制度及主要内容。\n8. 处理信访事项的基本程序、方法；上级信访工作机构的联系电话。",
    ),
    (
        "信访工作人员应会",
        K.REGULATION,
        False,
        "应会,统计,分析",
        "1. 处理各种来信、来访、举报电话；答复群众有关信访的询问，告知信访人处理情况。\n2. 会编写信访专题报告和转办函件。\n"
        "3. 会进行信访调研和撰写调研报告。\n4. 会对信访情况进行分析，写出分析报告。\n5. 统计信访情况。\n6. 会查办信访案件、初核信访问题。\n"
        "7. 会撰写信访工作的总结、经验材料。",
    ),
    (
        "怎样提出信访事项",
        K.HOWTO,
        True,
        "网上信访,来信,来访,来电",
        "您可以通过网上信访（本门户）、书信、电话、走访等形式提出信访事项。\n"
        "请写明姓名、联系方式、问题发生地、主要问题和诉求；检举、控告可以要求对身份保密。\n"
        "登记后您会得到登记编号和查询码，凭二者可随时查询办理进展、下载告知书和意见书、评价办理结果。\n"
        "信访局将在15日内转送或交办，有权处理的机关在15日内决定是否受理并书面告知您；受理后一般60日内办结。",
    ),
    (
        "怎样申请复查、复核",
        K.HOWTO,
        True,
        "复查,复核,30日",
        "对处理意见不服的，可以自收到书面答复之日起30日内申请复查；对复查意见不服的，可以自收到复查意见之日起30日内申请复核。\n"
        "复查、复核机关应当自收到请求之日起30日内提出意见。复核意见为终结意见。\n"
        "在本门户凭登记编号和查询码查询后，如仍在期限内，页面会显示“申请复查”或“申请复核”按钮。",
    ),
    (
        "标准答复：不予受理告知",
        K.STANDARD_ANSWER,
        False,
        "不予受理,告知书",
        "您反映的事项已经或者依法应当通过诉讼、仲裁、行政复议等法定途径解决，根据《信访工作条例》的规定，本机关不予受理。"
        "请您依照有关法律、行政法规规定的程序向有关机关提出。",
    ),
    (
        "标准答复：欠薪类事项",
        K.STANDARD_ANSWER,
        False,
        "欠薪,工资,农民工",
        "您反映的拖欠工资问题已转县人力资源和社会保障局劳动保障监察部门调查处理。"
        "经调查属实的，将责令用人单位限期支付；拒不支付的，依法移送处理。您也可以向劳动人事争议仲裁委员会申请仲裁。",
    ),
    (
        "标准答复：受理告知",
        K.STANDARD_ANSWER,
        False,
        "受理,告知书,60日",
        "您反映的事项本机关已依法受理，将自受理之日起60日内办结并书面答复您。您可以凭登记编号和查询码查询办理进展。",
    ),
]


def load(**_options) -> str:
    created = 0
    for title, kind, public, keywords, body in ARTICLES:
        _, new = KnowledgeArticle.objects.get_or_create(
            title=title, defaults={"kind": kind, "public": public, "keywords": keywords, "body": body, "summary": body.split("\n")[0][:300]}
        )
        created += new
    cats_by_unit: dict[int, list[Category]] = {}
    for cat in Category.objects.filter(default_unit__isnull=False).order_by("code"):
        cats_by_unit.setdefault(cat.default_unit_id, []).append(cat)
    for unit in Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.TOWNSHIP]).exclude(responsibilities="").order_by("code"):
        cats = cats_by_unit.get(unit.pk, [])
        keywords = ",".join(k for c in cats for k in c.keywords.split(",") if k)
        body = f"{unit.name}归口办理以下信访事项：{unit.responsibilities}。"
        if cats:
            body += f"\n对应问题类别：{'、'.join(c.name for c in cats)}。常见关键词：{keywords.replace(',', '、')}。"
        if unit.duty_phone:
            body += f"\n值班电话：{unit.duty_phone}。"
        _, new = KnowledgeArticle.objects.get_or_create(
            kind=K.RESPONSIBILITY,
            unit=unit,
            defaults={
                "title": f"{unit.name}归口处理信访事项",
                "public": True,
                "keywords": keywords,
                "body": body,
                "summary": unit.responsibilities[:300],
                "category": cats[0] if cats else None,
            },
        )
        created += new
    routing_note = "分办建议：关键词规则"
    contents, _categories, _units = routing.history()
    if len(contents) >= routing.MIN_HISTORY and not RoutingModelRun.objects.exists():  # idempotent: train once
        run, _ev = routing.train()
        routing_note = f"分办模型：{run.samples} 件历史，承办单位留出准确率 {run.unit_accuracy:.0%}"
    return f"{KnowledgeArticle.objects.count()} 条应知应会（新增 {created}）；{routing_note}"
