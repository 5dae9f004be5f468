"""The documents endpoint of DESIGN.md "Core API": what was issued for a petition, and each file.

`GET /api/v1/petitions/{reg_no}/documents/` lists the notices and forms (code, title, 文号, 成文日期, SHA-256, urls);
`GET …/documents/{code}.docx|.pdf` is the file, the same bytes the petition page serves (`petitions.notices.printed`).
"""

from django.http import Http404, HttpResponse
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from xinfang.access import policy
from xinfang.api.schema import ERROR
from xinfang.core.downloads import attach
from xinfang.core.gongwen import cn_date
from xinfang.petitions import documents, notices

# DESIGN.md's codes for the documents (the petition page's short codes on the right).
CODES = {
    "registration_form": "dengji",
    "submission_form": "chengpi",
    "assignment_form": "jiaoban",
    "acceptance_notice": "accept",
    "simple_notice": "simple",
    "decline_notice": "decline",
    "forward_notice": "forward",
    "extension_notice": "extend",
    "opinion": "opinion",
    "review_opinion": "review",
    "rereview_opinion": "rereview",
    "delivery_receipt": "delivery",
    "review_forward_notice": "review_forward",
    "ended_notice": "ended",
}
KINDS = {v: k for k, v in CODES.items()}


class PetitionDocumentsApi(APIView):
    """信访件的文书清单：已签发文书的文号、成文日期与 SHA-256（签发后不再改变），表单（呈阅表、送达回证）随办理记录生成。"""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "PetitionDocument"

        code = serializers.CharField()
        title = serializers.CharField()
        number = serializers.CharField(help_text="文号（表单为空）")
        issued_at = serializers.DateTimeField(allow_null=True)
        issued_on = serializers.CharField(help_text="成文日期，中文数字")
        signer = serializers.CharField()
        docx_sha256 = serializers.CharField(allow_null=True)
        pdf_sha256 = serializers.CharField(allow_null=True)
        docx = serializers.CharField()
        pdf = serializers.CharField()

    @extend_schema(responses={200: OutputSerializer(many=True), 404: ERROR})
    def get(self, request, reg_no: str):
        petition = policy.get_visible_petition(request.user, reg_no)
        rows = []
        for kind in documents.available(petition, as_codes=True):
            doc = notices.issued(kind, petition)
            code = KINDS[kind]
            url = reverse("api-petition-document", args=[petition.reg_no, code, "docx"])
            rows.append(
                {
                    "code": code,
                    "title": documents.DOCS[kind],
                    "number": doc.number if doc else "",
                    "issued_at": doc.issued_at if doc else None,
                    "issued_on": cn_date(doc.issued_on) if doc else "",
                    "signer": doc.signer if doc else petition.office.name,
                    "docx_sha256": doc.docx_sha256 if doc else None,
                    "pdf_sha256": doc.pdf_sha256 if doc else None,
                    "docx": request.build_absolute_uri(url),
                    "pdf": request.build_absolute_uri(url.removesuffix(".docx") + ".pdf"),
                }
            )
        return Response(self.OutputSerializer(rows, many=True).data)


class PetitionDocumentFileApi(APIView):
    """下载一份文书（.docx 或 .pdf），中文文件名（RFC 5987）；已签发文书每次下载字节相同。"""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ERROR})
    def get(self, request, reg_no: str, code: str, fmt: str):
        petition = policy.get_visible_petition(request.user, reg_no)
        kind = CODES.get(code)
        if kind is None or fmt not in ("docx", "pdf") or kind not in documents.available(petition, as_codes=True):
            raise Http404("该文书尚不可生成")
        data, filename = notices.printed(kind, petition, actor=request.user, path=request.path, fmt=fmt)
        mime = "application/pdf" if fmt == "pdf" else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        return attach(HttpResponse(data, content_type=mime), filename, fallback=f"{code}-{reg_no}.{fmt}")


urlpatterns = [
    path("petitions/<str:reg_no>/documents/", PetitionDocumentsApi.as_view(), name="api-petition-documents"),
    path("petitions/<str:reg_no>/documents/<slug:code>.<str:fmt>", PetitionDocumentFileApi.as_view(), name="api-petition-document"),
]
