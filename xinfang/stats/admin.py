from django.contrib import admin

from .models import AssessmentRule, AssessmentScheme


class RuleInline(admin.TabularInline):
    model = AssessmentRule
    extra = 0
    can_delete = False


@admin.register(AssessmentScheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "target", "post_role", "base_points", "version", "active")
    inlines = [RuleInline]
