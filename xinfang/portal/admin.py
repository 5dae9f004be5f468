from django.contrib import admin, messages

from xinfang.portal.models import Open311Client


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    """External channels. A new channel gets a random API key, shown once in the message after saving."""

    list_display = ("name", "channel_code", "key_hint", "active", "created_at")
    readonly_fields = ("key_hint", "created_at")
    fields = ("name", "channel_code", "active", "key_hint", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            raw = obj.set_api_key()
            messages.warning(request, f"新渠道的 API 密钥（只显示这一次，请妥善转交）：{raw}")
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: petitions keep pointing at the channel code
