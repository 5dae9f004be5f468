from django.contrib import admin

from xinfang.knowledge.models import KnowledgeArticle, RoutingModelRun


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "public", "unit", "category", "active", "updated_at")
    list_filter = ("kind", "public", "active")
    search_fields = ("title", "body", "keywords")
    autocomplete_fields = ()


@admin.register(RoutingModelRun)
class RoutingModelRunAdmin(admin.ModelAdmin):
    list_display = ("trained_at", "method", "samples", "test_samples", "unit_accuracy", "category_accuracy")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
