"""Pushing rows through the API: ``POST /api/v1/datasets/<code>/rows``.

Token authentication only; the steward of the owning department (or an
administrator). The ``Idempotency-Key`` header is required: the same key with
the same rows answers the first upload again (``Idempotent-Replayed: true``),
with other rows 422. The rows are stored as a JSON upload, checked as a file
would be, and published when clean — or, with ``accept_partial``, their valid
rows. The answer is the upload with its errors, each by row (the record's
position, from 1), field and rule, in Chinese.

Status: 201 published; 422 not published (errors, or nothing to publish) —
the upload waits for the steward's page; 200 a replay of a published push.

The module is also the URLconf to include at /api/v1/ (namespace ``datahub_api``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers
from rest_framework import status as http
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import NotFound, ParseError, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler, set_rollback

from zhili.cases.serializers import DetailSerializer, ErrorsSerializer
from zhili.datahub import selectors, services
from zhili.datahub.models import Dataset, Upload

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


class RowsSerializer(serializers.Serializer):
    rows = serializers.ListField(
        child=serializers.DictField(),
        allow_empty=False,
        max_length=services.MAX_PUSH_ROWS,
        help_text="记录列表：{字段名或标题: 值}，须含区划代码和统计期",
    )
    accept_partial = serializers.BooleanField(
        default=False, help_text="有错误时仍发布通过校验的记录（错误记录保留在错误清单中）"
    )


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="第几条记录（从1起）；0 表示整批")
    sheet = serializers.CharField(allow_blank=True)
    column = serializers.CharField(allow_blank=True)
    header = serializers.CharField(allow_blank=True, help_text="推送中使用的字段名")
    field = serializers.CharField(allow_blank=True)
    rule = serializers.CharField(
        help_text="required、type、minimum、enum、division、period、primaryKey …"
    )
    rule_label = serializers.CharField()
    value = serializers.CharField(allow_blank=True)
    message = serializers.CharField(
        help_text="中文说明，如：第3条记录 字段“常住人口”：值“-3”小于最小值0"
    )


class DataUploadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    dataset = serializers.CharField(source="dataset.code")
    source = serializers.CharField()
    filename = serializers.CharField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    status = serializers.ChoiceField(choices=[s for s, _ in Upload.STATUSES])
    status_label = serializers.CharField(source="get_status_display")
    total_rows = serializers.IntegerField()
    valid_rows = serializers.IntegerField()
    error_count = serializers.IntegerField()
    errors = RowErrorSerializer(many=True, help_text="错误（最多前200条）")
    message = serializers.CharField(allow_blank=True)
    version = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_version(self, upload: Upload) -> int | None:
        version = upload.versions.order_by("-number").first()
        return version.number if version else None


def _handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    data: dict[str, Any]
    if isinstance(exc, services.DatasetInvalid):
        data = {"errors": {k: "；".join(v) for k, v in exc.errors.items()}}
        code = http.HTTP_400_BAD_REQUEST
    elif isinstance(exc, ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"body": exc.detail}
        data = {"errors": {k: _text(v) for k, v in detail.items()}}
        code = http.HTTP_400_BAD_REQUEST
    elif isinstance(exc, ParseError):
        data, code = {"errors": {"body": str(exc.detail)}}, http.HTTP_400_BAD_REQUEST
    elif isinstance(exc, PermissionDenied):
        data, code = {"detail": str(exc) or "您无权执行此操作"}, http.HTTP_403_FORBIDDEN
    elif isinstance(exc, services.IdempotencyConflict):
        data, code = {"detail": str(exc)}, http.HTTP_422_UNPROCESSABLE_ENTITY
    else:
        return exception_handler(exc, context)
    set_rollback()
    return Response(data, status=code)


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return "；".join(f"{k}：{_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "；".join(_text(v) for v in value)
    return str(value)


R = {
    200: OpenApiResponse(
        DataUploadSerializer, description="同一幂等键、同一内容的重复推送：首次的结果"
    ),
    201: OpenApiResponse(DataUploadSerializer, description="已发布为新版本"),
    400: OpenApiResponse(ErrorsSerializer, description="请求有误：按字段说明"),
    401: OpenApiResponse(DetailSerializer, description="未登录或令牌无效"),
    403: OpenApiResponse(DetailSerializer, description="不是该数据集所属部门的数据管理员"),
    404: OpenApiResponse(DetailSerializer, description="没有这个数据集，或不在您的查看范围内"),
    422: OpenApiResponse(
        PolymorphicProxySerializer(
            component_name="RowsPushRefused",
            serializers=[DataUploadSerializer, DetailSerializer],
            resource_type_field_name=None,
        ),
        description="有错误，未发布：上传及其错误（已保存，可修正后重新推送）；或幂等键已用于其他内容",
    ),
}


class RowsPushView(APIView):
    authentication_classes = [TokenAuthentication]

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return _handler

    @extend_schema(
        operation_id="dataset_rows_push",
        summary="推送数据行",
        request=RowsSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="幂等键（1～64位字母、数字或 ._:-）：重试时用同一个键",
            )
        ],
        responses=R,
        tags=["datasets"],
    )
    def post(self, request: Request, code: str) -> Response:
        dataset = Dataset.objects.select_related("department").filter(code=code).first()
        if dataset is None or not selectors.can_view(request.user, dataset):
            raise NotFound("没有这个数据集，或不在您的查看范围内")
        if not services.can_manage(request.user, dataset):
            raise PermissionDenied(f"您不是{dataset.department.name}的数据管理员，无权推送数据")
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key:
            raise ValidationError({IDEMPOTENCY_HEADER: "请提供幂等键请求头 Idempotency-Key"})
        body = RowsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            upload = services.rows_push(
                dataset=dataset,
                rows=body.validated_data["rows"],
                actor=request.user,  # type: ignore[arg-type]
                accept_partial=body.validated_data["accept_partial"],
                idempotency_key=key,
            )
        except services.Replayed as replay:
            return self._answer(replay.upload, replayed=True)
        return self._answer(upload, replayed=False)

    def _answer(self, upload: Upload, *, replayed: bool) -> Response:
        data = DataUploadSerializer(upload).data
        if upload.status != Upload.PUBLISHED:
            code = http.HTTP_422_UNPROCESSABLE_ENTITY
        else:
            code = http.HTTP_200_OK if replayed else http.HTTP_201_CREATED
        response = Response(data, status=code)
        if replayed:
            response[REPLAYED_HEADER] = "true"
        return response


app_name = "datahub_api"
urlpatterns = [
    path("datasets/<str:code>/rows", RowsPushView.as_view(), name="rows-push"),
]
