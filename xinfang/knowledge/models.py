"""应知应会: the library of regulations, policies, department responsibilities and standard answers.

Routing suggestions (routing.py) link to the department-responsibility article of the unit they
suggest; `RoutingModelRun` keeps every training run with its held-out accuracy.
"""

from django.db import models
from django.db.models import Q


class ArticleKind(models.TextChoices):
    REGULATION = "regulation", "法规制度"
    POLICY = "policy", "政策文件"
    RESPONSIBILITY = "responsibility", "部门职责(归口办理)"
    STANDARD_ANSWER = "standard_answer", "标准答复"
    HOWTO = "howto", "办事指引"


class KnowledgeArticle(models.Model):
    title = models.CharField("标题", max_length=120)
    kind = models.CharField("类型", max_length=32, choices=ArticleKind.choices)
    body = models.TextField("正文")
    summary = models.CharField("摘要", max_length=300, blank=True)
    keywords = models.CharField("关键词(逗号分隔)", max_length=500, blank=True)
    public = models.BooleanField("门户公开", default=False)
    unit = models.ForeignKey("org.Unit", verbose_name="相关单位", null=True, blank=True, on_delete=models.PROTECT, related_name="articles")
    category = models.ForeignKey(
        "petitions.Category", verbose_name="相关问题类别", null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    active = models.BooleanField("在用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "应知应会"
        ordering = ["kind", "title"]
        indexes = [
            models.Index(fields=["kind", "title"], condition=Q(active=True), name="article_active_kind"),
            models.Index(fields=["public", "kind"], condition=Q(active=True), name="article_public_kind"),
        ]

    def __str__(self):
        return self.title


class RoutingModelRun(models.Model):
    """One training of the routing classifier (or the decision to stay on keyword rules)."""

    class Method(models.TextChoices):
        CLASSIFIER = "classifier", "分类模型"
        KEYWORDS = "keywords", "关键词规则(历史数据不足)"

    trained_at = models.DateTimeField("训练时间", auto_now_add=True)
    method = models.CharField("方法", max_length=16, choices=Method.choices)
    samples = models.PositiveIntegerField("样本数")
    test_samples = models.PositiveIntegerField("留出样本数", default=0)
    category_accuracy = models.FloatField("类别准确率", null=True, blank=True)
    unit_accuracy = models.FloatField("承办单位准确率", null=True, blank=True)
    category_top3 = models.FloatField("类别前三命中率", null=True, blank=True)
    unit_top3 = models.FloatField("单位前三命中率", null=True, blank=True)
    model_path = models.CharField("模型文件", max_length=255, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "分办模型训练记录"
        ordering = ["-trained_at"]
