"""Materials and e-licences in the API: upload a file once and list them, the caller's
e-licences, and verifying a printed licence by its code (for anyone)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status as http
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from zhili.accounts import pii
from zhili.accounts.models import Role, User
from zhili.cases import serializers as s
from zhili.cases.api_common import (
    R400,
    R401,
    R403,
    R429,
    UPLOAD_FIELDS,
    Api,
    ApiList,
    applicant_for,
    default_kind,
)
from zhili.cases.materials import check_upload, store_file
from zhili.cases.models import Applicant, ELicence, StoredFile
from zhili.cases.selectors import elicences_of
from zhili.cases.services import CaseInvalid

# ---- materials -------------------------------------------------------------


def _files_visible_to(user: User, id_number: str, kind: str) -> QuerySet[StoredFile]:
    qs = StoredFile.objects.select_related("applicant").order_by("-created_at", "-id")
    if user.role == Role.VILLAGE_AGENT:
        qs = qs.filter(applicant__division__in=user.divisions.all())
    elif user.works_in_back_office:
        return qs.none()
    else:
        qs = qs.filter(applicant__user=user)
    if id_number:
        qs = qs.filter(
            applicant__kind=kind, applicant__id_index__in=pii.blind_indexes(kind, id_number)
        )
    return qs


@extend_schema(tags=["材料"])
class MaterialListView(ApiList):
    serializer_class = s.StoredFileSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[StoredFile]:
        params = self.request.query_params
        kind = params.get("applicant_kind") or default_kind(self.request.user)
        return _files_visible_to(self.request.user, params.get("applicant", "").strip(), kind)

    @extend_schema(
        summary="我上传过的材料文件",
        description="申请人：本人的；村代办员：本村村民的（可按证件号码 applicant 筛选）。",
        parameters=[
            OpenApiParameter("applicant", str, description="村代办员：村民的证件号码"),
            OpenApiParameter("applicant_kind", str, enum=[k for k, _ in Applicant.KINDS]),
        ],
        responses={200: s.StoredFileSerializer, 401: R401},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="上传材料文件",
        description=(
            "按内容识别类型（PDF、JPG、PNG），同一申请人的同一文件只存一份（再次上传返回 200 和原编号）。"
            "返回的 id 在提交申请时作为 materials.{编号}.file_id。"
        ),
        request={"multipart/form-data": s.UploadSerializer},
        responses={
            201: s.StoredFileSerializer,
            200: OpenApiResponse(s.StoredFileSerializer, description="同一文件已上传过"),
            400: R400,
            401: R401,
            403: R403,
        },
    )
    def post(self, request: Request) -> Response:
        body = s.UploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            checked = check_upload(data["file"])
        except ValueError as exc:
            raise CaseInvalid({"file": str(exc)}) from exc
        who = {
            "kind": data.get("applicant_kind"),
            "id_number": data["applicant"],
            "name": data["applicant_name"],
        }
        applicant = applicant_for(request.user, who, UPLOAD_FIELDS)
        existed = StoredFile.objects.filter(applicant=applicant, sha256=checked.sha256).exists()
        stored = store_file(
            applicant=applicant, checked=checked, material_name=data["material_name"]
        )
        code = http.HTTP_200_OK if existed else http.HTTP_201_CREATED
        return Response(s.StoredFileSerializer(stored).data, status=code)


# ---- e-licences ------------------------------------------------------------


@extend_schema(tags=["电子证照"])
class ELicenceListView(ApiList):
    serializer_class = s.ELicenceSerializer

    def get_queryset(self) -> QuerySet[ELicence]:
        return elicences_of(self.request.user).select_related("issuer", "holder")

    @extend_schema(
        summary="我的电子证照",
        responses={200: s.ELicenceSerializer, 401: R401},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class VerifyThrottle(AnonRateThrottle):
    # Verify codes are 12 hex digits; this keeps guessing them pointless.
    scope = "elicence_verify"
    rate = "30/min"


VALIDITY_LABELS = {"valid": "有效", "revoked": "已注销", "expired": "已过期"}


def _verification(licence: ELicence | None) -> dict[str, Any]:
    if licence is None:
        return dict.fromkeys(
            [
                "validity",
                "validity_label",
                "kind",
                "number",
                "issuer",
                "issued_on",
                "valid_until",
                "holder",
            ]
        ) | {"genuine": False}
    if licence.revoked_at is not None:
        validity = "revoked"
    elif not licence.is_valid(timezone.localdate()):
        validity = "expired"
    else:
        validity = "valid"
    return {
        "genuine": True,
        "validity": validity,
        "validity_label": VALIDITY_LABELS[validity],
        "kind": licence.kind,
        "number": licence.number,
        "issuer": licence.issuer.name if licence.issuer else None,
        "issued_on": licence.issued_on,
        "valid_until": licence.valid_until,
        "holder": pii.mask_name(licence.holder.name),
    }


@extend_schema(tags=["电子证照"])
class VerifyView(Api):
    permission_classes = [AllowAny]
    throttle_classes: Sequence[type] = [VerifyThrottle]

    @extend_schema(
        summary="核验电子证照",
        description="任何人可凭核验码查询证照真伪与状态；持证者姓名脱敏。核验码不存在时 genuine 为 false。",
        parameters=[OpenApiParameter("code", str, required=True, description="证照上的核验码")],
        responses={200: s.VerifySerializer, 400: R400, 429: R429},
    )
    def get(self, request: Request) -> Response:
        code = (request.query_params.get("code") or "").strip().upper()
        if not code:
            raise CaseInvalid({"code": "请输入证照上的核验码"})
        licence = (
            ELicence.objects.select_related("issuer", "holder").filter(verify_code=code).first()
        )
        return Response(s.VerifySerializer(_verification(licence)).data)
