"""OpenAPI schema generation: nested `InputSerializer`/`OutputSerializer` classes (STYLE.md: one
API class per operation) are named after their API class, so components never collide."""

from drf_spectacular.openapi import AutoSchema


class XinfangAutoSchema(AutoSchema):
    def get_serializer_name(self, serializer, direction):
        qualname = serializer.__class__.__qualname__
        if "." in qualname and "<locals>" not in qualname:
            return qualname.replace(".", "")
        return super().get_serializer_name(serializer, direction)
