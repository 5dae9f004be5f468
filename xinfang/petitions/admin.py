"""Admin of the petitions app: reference data only.

TimeLimit, Holiday and Category are editable reference data (every change lands in the admin's
LogEntry with its user). Petitions and what belongs to them are read-only here: no add, no change,
no delete, and no identity field is ever shown in clear (only reg_no, status, channel, category,
region and dates). Their real pages are the petition pages, which go through the access policy.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import ModelForm

from . import timelimits
from .models import Attachment, Category, Holiday, Petition, Petitioner, PetitionEvent, Respondent, TimeLimit


class TimeLimitForm(ModelForm):
    class Meta:
        model = TimeLimit
        fields = ["label", "amount", "day_kind", "basis"]

    def clean(self):
        data = super().clean()
        row = self.instance
        if "amount" in data and "day_kind" in data:
            try:
                timelimits.validate_limit(row.step, data["amount"], row.unit, data["day_kind"])
            except Exception as exc:  # InvalidInput carries the Chinese message
                raise ValidationError(getattr(exc, "message", str(exc))) from None
        return data


@admin.register(TimeLimit)
class TimeLimitAdmin(admin.ModelAdmin):
    form = TimeLimitForm
    list_display = ["label", "step", "amount", "unit", "day_kind", "basis"]
    list_editable: list = []
    readonly_fields = ["step", "unit"]
    fields = ["step", "label", "amount", "unit", "day_kind", "basis"]
    ordering = ["pk"]

    def has_add_permission(self, request):
        return False  # steps are codes used by the lifecycle; only their values change

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        timelimits.clear_cache()


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "is_workday"]
    list_filter = ["is_workday", ("date", admin.DateFieldListFilter)]
    date_hierarchy = "date"
    search_fields = ["name"]
    ordering = ["-date"]

    def has_delete_permission(self, request, obj=None):
        return False  # a wrong entry is corrected (mark it a workday), not removed

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        timelimits.clear_cache()


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "default_unit", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name", "keywords"]
    list_select_related = ["parent", "default_unit"]
    autocomplete_fields: list = []
    raw_id_fields = ["parent", "default_unit"]

    def has_delete_permission(self, request, obj=None):
        return False  # petitions point at categories; retire one with "在用" instead


class ReadOnlyAdmin(admin.ModelAdmin):
    """Look, never touch: no add, no change, no delete, no bulk actions."""

    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Petition)
class PetitionAdmin(ReadOnlyAdmin):
    list_display = ["reg_no", "status", "channel", "category", "region", "received_at", "registered_at", "due_at"]
    list_filter = ["status", "channel"]
    list_select_related = ["category", "region"]
    search_fields = ["reg_no"]
    date_hierarchy = "registered_at"
    fields = ["reg_no", "status", "channel", "category", "region", "received_at", "registered_at", "due_at", "archived_at"]
    readonly_fields = fields


class _ChildAdmin(ReadOnlyAdmin):
    list_select_related = ["petition"]
    search_fields = ["petition__reg_no"]

    @admin.display(description="登记编号", ordering="petition__reg_no")
    def reg_no(self, obj):
        return obj.petition.reg_no


@admin.register(Petitioner)
class PetitionerAdmin(_ChildAdmin):
    # Identity fields (name, ID number, phone, address, work unit) are never shown here.
    list_display = ["pk", "reg_no", "is_representative"]
    fields = ["reg_no", "is_representative"]
    readonly_fields = fields


@admin.register(Respondent)
class RespondentAdmin(_ChildAdmin):
    list_display = ["pk", "reg_no"]
    fields = ["reg_no"]
    readonly_fields = fields


@admin.register(Attachment)
class AttachmentAdmin(_ChildAdmin):
    list_display = ["pk", "reg_no", "kind", "content_type", "size", "uploaded_at"]
    fields = ["reg_no", "kind", "content_type", "size", "sha256", "uploaded_at"]
    readonly_fields = fields


@admin.register(PetitionEvent)
class PetitionEventAdmin(_ChildAdmin):
    list_display = ["reg_no", "seq", "action", "from_status", "to_status", "at"]
    list_filter = ["action"]
    fields = ["reg_no", "seq", "action", "from_status", "to_status", "at", "hash"]
    readonly_fields = fields
