from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from xinfang.org.models import ExternalOrgan, LeadingGroupMember, NetworkPolicy, NetworkPost, Region, SupervisionGroup, Unit, User


class NoDeleteAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(NoDeleteAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(Unit)
class UnitAdmin(NoDeleteAdmin):
    list_display = ["code", "name", "kind", "parent", "superior", "region", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent", "superior", "region"]


@admin.register(ExternalOrgan)
class ExternalOrganAdmin(NoDeleteAdmin):
    list_display = ["code", "name", "level", "kind", "parent", "address", "active"]
    list_filter = ["level", "kind", "active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    filter_horizontal = ["supervises"]


@admin.register(User)
class XinfangUserAdmin(UserAdmin):
    list_display = ["username", "name", "unit", "is_active"]
    search_fields = ["username", "name"]
    fieldsets = UserAdmin.fieldsets + (("单位", {"fields": ("name", "unit", "phone", "post")}),)
    raw_id_fields = ["unit"]
    actions = ["end_sessions_and_tokens"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="结束所选用户的全部会话和 API 令牌")
    def end_sessions_and_tokens(self, request, queryset):
        from xinfang.api.tokens import end_user_sessions

        sessions = tokens = 0
        for user in queryset:
            s, t = end_user_sessions(actor=request.user, user=user)
            sessions, tokens = sessions + s, tokens + t
        self.message_user(request, f"已结束 {sessions} 个会话、吊销 {tokens} 个令牌")


@admin.register(NetworkPolicy)
class NetworkPolicyAdmin(NoDeleteAdmin):
    pass


@admin.register(SupervisionGroup)
class SupervisionGroupAdmin(NoDeleteAdmin):
    list_display = ["code", "name"]
    filter_horizontal = ["townships"]


@admin.register(NetworkPost)
class NetworkPostAdmin(NoDeleteAdmin):
    """Read-only here: posts are set and ended on /org/ (services.py holds the rules)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    list_display = ["role", "name", "region", "school", "supervision_group", "start_on", "end_on", "ended_on"]
    list_filter = ["role"]
    search_fields = ["name"]
    raw_id_fields = ["user", "region", "school", "home_unit"]


@admin.register(LeadingGroupMember)
class LeadingGroupMemberAdmin(NoDeleteAdmin):
    list_display = ["unit", "position", "name", "post"]
    raw_id_fields = ["unit", "user"]
