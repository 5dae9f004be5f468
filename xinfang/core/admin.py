"""The admin site's name: the system's own, not "Django 站点管理员" (reference data is kept here).

Apps and models whose packages give no translatable name (django-axes, django-rest-knox, the event model) are named
in the index here; translatable strings those packages leave in English are in xinfang/locale.
"""

from django.contrib import admin

admin.site.site_header = "信访工作管理系统"
admin.site.site_title = "信访工作管理系统"
admin.site.index_title = "基础数据管理"

APP_NAMES = {"axes": "登录锁定", "knox": "接口令牌"}
MODEL_NAMES = {("knox", "AuthToken"): "接口令牌", ("petitions", "PetitionEvent"): "办理过程记录"}

_get_app_list = admin.site.get_app_list


def get_app_list(request, app_label=None):
    apps = _get_app_list(request, app_label)
    for app in apps:
        app["name"] = APP_NAMES.get(app["app_label"], app["name"])
        for model in app["models"]:
            model["name"] = MODEL_NAMES.get((app["app_label"], model["object_name"]), model["name"])
    return apps


admin.site.get_app_list = get_app_list
