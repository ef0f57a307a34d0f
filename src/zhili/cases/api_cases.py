"""办件 in the API: filing exactly once per idempotency key, the caller's cases, a case,
its timeline, and acting on one of its tasks (staff actions and the applicant's 补正)."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status as http
from rest_framework.exceptions import APIException, NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from zhili.accounts.models import Role
from zhili.cases import serializers as s
from zhili.cases.api_common import (
    CASE_FIELDS,
    R400,
    R401,
    R403,
    R404,
    R409,
    R422,
    R503,
    Api,
    ApiList,
    applicant_for,
    django_request,
)
from zhili.cases.drafts import case_correct
from zhili.cases.materials import MaterialInput
from zhili.cases.models import Case, CaseStatus, Channel, Task
from zhili.cases.selectors import case_for, cases_visible_to
from zhili.cases.services import CaseInvalid, Conflict, case_submit, task_complete
from zhili.catalogue.models import ServiceItem

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
BODY_HASH = "_request_sha256"  # in Case.form_data: what the key was first used for
_KEY_RE = re.compile(r"[A-Za-z0-9._:\-]{1,64}")


class IdempotencyMismatch(APIException):
    status_code = http.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "该幂等键已用于另一份内容不同的申请；新的申请请使用新的幂等键"


# ---- cases -----------------------------------------------------------------


def _body_sha256(data: Any) -> str:
    canonical = json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _idempotency_key(request: Request) -> str:
    key = (request.headers.get(IDEMPOTENCY_HEADER) or "").strip()
    if not key:
        raise CaseInvalid(
            {
                IDEMPOTENCY_HEADER: "请在请求头 Idempotency-Key 中提供幂等键（如一个 UUID），重试时使用同一个"
            }
        )
    if not _KEY_RE.fullmatch(key):
        raise CaseInvalid({IDEMPOTENCY_HEADER: "幂等键最长64个字符，只能包含字母、数字和 . _ : -"})
    return key


def _case_response(case: Case, request: Request, *, created: bool) -> Response:
    body = s.CaseSerializer(case, context={"request": request}).data
    if created:
        return Response(body, status=http.HTTP_201_CREATED)
    return Response(body, status=http.HTTP_200_OK, headers={REPLAYED_HEADER: "true"})


def _replay(case: Case, digest: str, request: Request) -> Response:
    if (case.form_data or {}).get(BODY_HASH) != digest:
        raise IdempotencyMismatch(
            f"该幂等键已用于另一份内容不同的申请（办件{case.number}）；新的申请请使用新的幂等键"
        )
    return _case_response(case, request, created=False)


# Drafts are saved by the apply page and shown only there.
LISTED_STATUSES = [v for v in CaseStatus.values if v != CaseStatus.DRAFT]

IDEMPOTENCY_PARAMS = [
    OpenApiParameter(
        IDEMPOTENCY_HEADER,
        str,
        location=OpenApiParameter.HEADER,
        required=True,
        description="幂等键（最长64个字符，建议 UUID）：网络重试时使用同一个，只会生成一个办件",
    ),
    OpenApiParameter(
        REPLAYED_HEADER,
        str,
        location=OpenApiParameter.HEADER,
        response=[200],
        enum=["true"],
        description="重放：该幂等键已提交过，返回的是当时生成的办件",
    ),
]


@extend_schema(tags=["办件"])
class CaseListView(ApiList):
    """办件: the caller's cases as far as they may see them, and filing a new one."""

    serializer_class = s.CaseSummarySerializer
    parser_classes = [JSONParser]

    def get_queryset(self) -> QuerySet[Case]:
        qs = cases_visible_to(self.request.user).exclude(status=CaseStatus.DRAFT)
        wanted = self.request.query_params.get("status")
        if wanted:
            if wanted not in LISTED_STATUSES:
                raise CaseInvalid({"status": f"未知的办件状态“{wanted}”"})
            qs = qs.filter(status=wanted)
        return qs.order_by("-created_at", "-id")

    @extend_schema(
        summary="我可查看的办件",
        description="申请人：本人的；村代办员：本村村民的；窗口和审批人员：本部门的；领导：全县。",
        parameters=[
            OpenApiParameter("status", str, enum=LISTED_STATUSES, description="按状态筛选")
        ],
        responses={200: s.CaseSummarySerializer, 400: R400, 401: R401},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="提交申请",
        description=(
            "必须带请求头 Idempotency-Key。首次提交返回 201；以同一幂等键重试同一内容返回 200 "
            "和当时的办件（响应头 Idempotent-Replayed: true），只生成一个办件；同一幂等键用于"
            "不同内容返回 422。"
        ),
        parameters=IDEMPOTENCY_PARAMS,
        request=s.CaseCreateSerializer,
        responses={
            201: s.CaseSerializer,
            200: OpenApiResponse(s.CaseSerializer, description="重放：该幂等键已提交过"),
            400: R400,
            401: R401,
            403: R403,
            422: R422,
        },
    )
    def post(self, request: Request) -> Response:
        user = request.user
        key = _idempotency_key(request)
        digest = _body_sha256(request.data)
        filed = Case.objects.filter(filed_by=user, idempotency_key=key).first()
        if filed is not None:
            return _replay(filed, digest, request)
        body = s.CaseCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        item = ServiceItem.objects.filter(impl_code=data["item"], current__isnull=False).first()
        if item is None:
            raise CaseInvalid({"item": f"没有实施编码为“{data['item']}”的已发布事项"})
        applicant = applicant_for(user, data.get("applicant"), CASE_FIELDS)
        default_channel = (
            Channel.VILLAGE_POINT if user.role == Role.VILLAGE_AGENT else Channel.MOBILE
        )
        case, created = case_submit(
            item=item,
            actor=user,
            channel=data.get("channel") or default_channel,
            applicant=applicant,
            answers=data["answers"],
            materials={
                code: MaterialInput(code, **choice) for code, choice in data["materials"].items()
            },
            form_data={BODY_HASH: digest},
            idempotency_key=key,
            request=django_request(request),
        )
        if not created:  # a concurrent retry won the race
            return _replay(case, digest, request)
        return _case_response(case, request, created=True)


def _visible_case(request: Request, ref: UUID) -> Case:
    case = case_for(request.user, str(ref))
    if case is None or case.status == CaseStatus.DRAFT:  # drafts are the pages' own
        raise NotFound("没有找到该办件，或您无权查看")
    return case


@extend_schema(tags=["办件"])
class CaseDetailView(Api):
    @extend_schema(
        summary="办件详情",
        responses={200: s.CaseSerializer, 401: R401, 404: R404},
    )
    def get(self, request: Request, ref: UUID) -> Response:
        case = _visible_case(request, ref)
        return Response(s.CaseSerializer(case, context={"request": request}).data)


@extend_schema(tags=["办件"])
class TimelineView(Api):
    @extend_schema(
        summary="办件进度",
        description="已办环节（动作、意见、时间）、当前环节、时限与预警颜色、待办环节。",
        responses={200: s.TimelineSerializer, 401: R401, 404: R404},
    )
    def get(self, request: Request, ref: UUID) -> Response:
        case = _visible_case(request, ref)
        return Response(s.TimelineSerializer(case, context={"request": request}).data)


@extend_schema(tags=["办件"])
class TaskCompleteView(Api):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        summary="办理一个环节",
        description=(
            "工作人员以本环节的动作办理（受理、审查通过、退回补正……），与工作台同样的规则。"
            "申请人补正：action=resubmit，以 multipart/form-data 上传补正后的材料，字段名为"
            " materials.{材料编号}（至少一份），comment 为补正说明；与办件页同样调用 case_correct。"
            "重试已由本人以同一动作办完的环节返回 200 和响应头 Idempotent-Replayed。"
        ),
        request={
            "application/json": s.TaskCompleteSerializer,
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "action": {"type": "string", "enum": ["resubmit"]},
                    "comment": {"type": "string", "description": "补正说明"},
                },
                "required": ["action"],
                "additionalProperties": {
                    "type": "string",
                    "format": "binary",
                    "description": "materials.{材料编号}：补正后的材料文件",
                },
            },
        },
        parameters=[
            OpenApiParameter(
                REPLAYED_HEADER,
                str,
                location=OpenApiParameter.HEADER,
                response=[200],
                enum=["true"],
                description="重放：本人已以同一动作办完该环节",
            )
        ],
        responses={
            200: s.CaseSerializer,
            400: R400,
            401: R401,
            403: R403,
            404: R404,
            409: R409,
            503: R503,
        },
    )
    def post(self, request: Request, ref: UUID, task_id: UUID) -> Response:
        case = _visible_case(request, ref)
        task = Task.objects.filter(case=case, spiff_id=task_id).select_related("case").first()
        if task is None:
            raise NotFound("没有找到该环节")
        body = s.TaskCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        action, comment = body.validated_data["action"], body.validated_data["comment"]
        if task.state != Task.OPEN:
            if task.completed_by_id == request.user.pk and task.action == action:
                return _case_response(case, request, created=False)
            raise Conflict(f"“{task.name}”环节已办理")
        if task.role == "applicant" and action == "resubmit":
            # 补正 replaces materials as the case page does: the same service, the same rules.
            uploads = {
                key.removeprefix("materials."): f
                for key, f in request.FILES.items()
                if key.startswith("materials.")
            }
            case = case_correct(
                case=case,
                actor=request.user,
                uploads=uploads,
                note=comment,
                channel=Channel.API,
                request=django_request(request),
            )
        else:
            case = task_complete(
                task=task,
                actor=request.user,
                action=action,
                comment=comment,
                channel=Channel.API,
                request=django_request(request),
            )
        return Response(s.CaseSerializer(case, context={"request": request}).data)
