"""Demo reference data for petitions: categories mapped to the departments that handle them."""

from xinfang.org.models import Unit
from xinfang.petitions.models import Category

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


def load(**_options) -> str:
    units = {u.code: u for u in Unit.objects.filter(code__in=[c[2] for c in CATEGORIES if c[2]])}
    for code, name, unit_code, keywords in CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name, "default_unit": units.get(unit_code), "keywords": keywords})
    return f"{Category.objects.count()} 个问题类别"
