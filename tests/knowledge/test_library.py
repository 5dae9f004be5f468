import pytest
from django.urls import reverse

from xinfang.knowledge import demo
from xinfang.knowledge.models import ArticleKind, KnowledgeArticle
from xinfang.org.models import Role


@pytest.fixture
def articles(county):
    county.dept.responsibilities = "劳动保障监察、欠薪、社会保险"
    county.dept.save()
    demo.load()
    return KnowledgeArticle.objects.all()


def test_demo_has_seed_list_and_department_responsibilities(articles, county):
    titles = set(articles.values_list("title", flat=True))
    assert {"首问责任制度", "保密制度", "查处制度与办理时限", "信访工作人员应知", "信访工作人员应会"} <= titles
    resp = articles.get(kind=ArticleKind.RESPONSIBILITY, unit=county.dept)
    assert "欠薪" in resp.body and resp.public
    demo.load()
    assert KnowledgeArticle.objects.count() == articles.count()  # idempotent


def test_staff_search_finds_all_words(articles, make_user, client, django_assert_max_num_queries):
    client.force_login(make_user(Role.CLERK))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("knowledge:library"), {"q": "检举 保密"}).content.decode()
    assert "保密制度" in page and "首问责任制度" not in page
    page = client.get(reverse("knowledge:library"), {"kind": "howto"}).content.decode()
    assert "怎样申请复查、复核" in page and "保密制度" not in page
    art = articles.get(title="保密制度")
    assert "严禁将控告" in client.get(reverse("knowledge:detail", args=[art.pk])).content.decode()


def test_library_needs_login(articles, client):
    assert client.get(reverse("knowledge:library")).status_code == 302


def test_articles_api(articles, make_user, client):
    client.force_login(make_user(Role.OFFICE))
    r = client.get("/api/v1/knowledge/articles/", {"q": "复查"})
    assert r.status_code == 200 and any(a["title"] == "怎样申请复查、复核" for a in r.json()["results"])
    client.force_login(make_user(Role.VIEWER))
    assert client.get("/api/v1/knowledge/articles/").status_code == 403
