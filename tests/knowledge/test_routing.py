"""Routing suggestions: keyword rules with little history, a classifier trained on generated history."""

import random

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.portal.factories import make_category, make_petition
from xinfang.knowledge import routing, selectors
from xinfang.knowledge.models import ArticleKind, KnowledgeArticle, RoutingModelRun
from xinfang.org.models import Role

TOPICS = {
    "hr": ("labour", "劳动社保", "工资,欠薪,社保", ["拖欠工资", "农民工工资", "养老保险", "工伤认定", "劳动合同", "社保缴费"]),
    "land": ("land", "国土资源", "征地,宅基地", ["征地补偿", "宅基地", "土地确权", "占用耕地", "承包地被占", "土地流转"]),
    "twp": ("village", "村务管理", "村务", ["村务公开", "村干部", "村集体账目", "道路修建", "村里低保评定", "自来水"]),
}
FILLERS = ["本人", "我家", "我们村", "去年", "多次", "至今", "希望尽快", "请领导", "一直没有", "相关部门"]


@pytest.fixture
def model_dir(tmp_path, settings):
    settings.XINFANG_ROUTING_MODEL_DIR = tmp_path
    routing._state["model"] = routing._state["model_mtime"] = None
    yield tmp_path
    routing._state["model"] = routing._state["model_mtime"] = None


@pytest.fixture
def units(county):
    return {"hr": county.dept, "land": county.dept2, "twp": county.township_unit}


def _generate_history(county, units, n=240, seed=7):
    rnd = random.Random(seed)
    cats = {key: make_category(code, name, units[key], kw) for key, (code, name, kw, _) in TOPICS.items()}
    for i in range(n):
        key = list(TOPICS)[i % 3]
        words = rnd.sample(TOPICS[key][3], 2) + rnd.sample(FILLERS, 3)
        rnd.shuffle(words)
        make_petition(county, category=cats[key], content="，".join(words) + "。", handling_unit=units[key], status="assigned")
    return cats


def test_tokenize_uses_domain_dictionary():
    words = routing.tokenize("老板拖欠工资三个月，宅基地被占。")
    assert "拖欠工资" in words and "宅基地" in words
    assert "，" not in words and "。" not in words


def test_keyword_rules_when_history_is_short(county, units, model_dir):
    _generate_history(county, units, n=30)
    KnowledgeArticle.objects.create(title="人社局归口", kind=ArticleKind.RESPONSIBILITY, body="欠薪", unit=county.dept)
    run, ev = routing.train()
    assert run.method == RoutingModelRun.Method.KEYWORDS and run.unit_accuracy is None
    assert not routing.model_path().exists()
    out = selectors.suggest_routing("老板欠薪半年不发工资")
    assert out[0]["unit"] == county.dept and out[0]["method"] == "keywords"
    assert out[0]["category"].code == "labour"
    assert "欠薪" in out[0]["reason"]
    assert out[0]["article_url"] == reverse("knowledge:detail", args=[KnowledgeArticle.objects.get().pk])
    assert len(out) <= 3


def test_keyword_rules_fall_back_to_the_township_of_the_place(county, units, model_dir):
    _generate_history(county, units, n=3)
    out = selectors.suggest_routing("门前的路灯坏了很久", region=county.villages[0])
    assert [s["unit"] for s in out] == [county.township_unit]
    assert "属地" in out[0]["reason"] and out[0]["confidence"] < 0.5


def test_classifier_trained_on_history_reports_held_out_accuracy(county, units, model_dir):
    _generate_history(county, units)
    run, ev = routing.train()
    assert run.method == "classifier" and run.samples == 240 and run.test_samples == 48
    assert run.unit_accuracy > 0.9 and run.category_accuracy > 0.9  # the topics are cleanly separable
    assert routing.model_path().exists()
    out = selectors.suggest_routing("我们村的宅基地被人强占，土地确权一直不办")
    assert out[0]["unit"] == county.dept2 and out[0]["method"] == "classifier"
    assert out[0]["category"].code == "land"
    assert 0 < out[0]["confidence"] <= 1 and len(out) == 3
    assert out[0]["confidence"] >= out[1]["confidence"] >= out[2]["confidence"]


def test_routing_accuracy_command_reports_figures(county, units, model_dir, capsys):
    _generate_history(county, units)
    call_command("routing_accuracy")
    out = capsys.readouterr().out
    assert "承办单位准确率" in out and "留出 48 件" in out and "—" not in out.split("承办单位准确率")[1]
    assert RoutingModelRun.objects.count() == 0  # measuring does not replace the model
    call_command("train_routing")
    assert "模型已保存" in capsys.readouterr().out
    assert RoutingModelRun.objects.get().method == "classifier"


def test_suggest_api_for_the_office_only(county, units, model_dir, make_user, client):
    _generate_history(county, units, n=10)
    client.force_login(make_user(Role.OFFICE))
    r = client.get("/api/v1/routing/suggest/", {"content": "单位拖欠工资不给社保"})
    assert r.status_code == 200
    first = r.json()["results"][0]
    assert first["unit"] == {"code": "dept-hr", "name": county.dept.name} and first["category"]["code"] == "labour"
    assert set(first) == {"category", "unit", "confidence", "reason", "method", "article_url"}
    assert client.get("/api/v1/routing/suggest/").json()["error"]["code"] == "invalid"
    client.force_login(make_user(Role.UNIT_HANDLER))
    assert client.get("/api/v1/routing/suggest/", {"content": "工资"}).status_code == 403


def test_routing_settings_page_shows_accuracy_and_retrains(county, units, model_dir, make_user, client):
    _generate_history(county, units)
    client.force_login(make_user(Role.OFFICE))
    r = client.post(reverse("knowledge:routing"))
    assert r.status_code == 302
    page = client.get(reverse("knowledge:routing"), {"content": "拖欠工资"}).content.decode()
    run = RoutingModelRun.objects.get()
    assert f"{round(run.unit_accuracy * 100)}%" in page
    assert county.dept.name in page
    client.force_login(make_user(Role.UNIT_HANDLER))
    assert client.get(reverse("knowledge:routing")).status_code == 403


def test_the_petition_office_is_never_a_keyword_suggestion(county, units, model_dir):
    county.office.responsibilities = "受理、交办、转送、督办信访事项，拖欠工资"
    county.office.save()
    _generate_history(county, units, n=3)
    assert county.office not in [s["unit"] for s in selectors.suggest_routing("信访事项：拖欠工资")]


def test_a_model_whose_units_are_gone_falls_back_to_keywords(county, units, model_dir):
    _generate_history(county, units)
    routing.train()
    from xinfang.org.models import Unit

    for unit in Unit.objects.all():  # as if the model came from another county's database
        unit.code = "x-" + unit.code
        unit.save()
    out = selectors.suggest_routing("老板欠薪半年不发工资")
    assert out and out[0]["method"] == "keywords" and out[0]["unit"] == county.dept
