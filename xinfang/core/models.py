"""Shared model pieces."""

from django.db import models

from xinfang.core.errors import DomainError


class NoDeleteQuerySet(models.QuerySet):
    """Records that must never be destroyed (seed: 不得丢失、隐匿和擅自销毁信访材料)."""

    def delete(self):
        raise DomainError("信访材料不得删除；如需更正，请登记更正或撤销事件", code="permission_denied")


class NoDeleteModel(models.Model):
    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise DomainError("信访材料不得删除；如需更正，请登记更正或撤销事件", code="permission_denied")
