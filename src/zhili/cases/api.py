"""The REST API (/api/v1/) for phone apps and integrations.

Thin views: each parses its input with a serializer, calls the service or
selector the pages call, and renders. Jurisdiction is the pages' own:
``cases_visible_to`` for every read of a case (a case out of reach is a 404,
not a 403, so refs cannot be probed), ``can_act`` inside ``task_complete``.

Errors: 400 ``{"errors": {field: 中文}}``; 401, 403, 404, 409, 422, 503 ``{"detail": 中文}``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status as http
from rest_framework.exceptions import APIException, NotFound, ParseError, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView, exception_handler, set_rollback

from zhili.accounts import pii
from zhili.accounts.models import Role, User
from zhili.cases import materials as case_materials
from zhili.cases import serializers as s
from zhili.cases.drafts import case_correct
from zhili.cases.materials import MaterialInput, check_upload, store_file
from zhili.cases.models import Applicant, Case, CaseStatus, Channel, ELicence, StoredFile, Task
from zhili.cases.selectors import case_for, cases_visible_to, elicences_of
from zhili.cases.services import (
    CaseInvalid,
    Conflict,
    applicant_get_or_create,
    case_submit,
    task_complete,
)
from zhili.catalogue import schema as item_schema
from zhili.catalogue.models import ServiceItem
from zhili.catalogue.search import search_items
from zhili.catalogue.selectors import item_page
from zhili.divisions.models import Division
from zhili.workdays.calendar import CalendarNotCovered

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
BODY_HASH = "_request_sha256"  # in Case.form_data: what the key was first used for
_KEY_RE = re.compile(r"[A-Za-z0-9._:\-]{1,64}")


# ---- errors ----------------------------------------------------------------


class IdempotencyMismatch(APIException):
    status_code = http.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "该幂等键已用于另一份内容不同的申请；新的申请请使用新的幂等键"


def _flatten(detail: Any, prefix: str = "") -> dict[str, str]:
    """DRF's nested errors as {"applicant.id_number": "…"}: one sentence per field."""
    if isinstance(detail, dict):
        out: dict[str, str] = {}
        for key, value in detail.items():
            if key == api_settings.NON_FIELD_ERRORS_KEY:
                name = prefix
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            for field, message in _flatten(value, name).items():
                out[field] = f"{out[field]}；{message}" if field in out else message
        return out
    if isinstance(detail, list) and all(not isinstance(v, (dict, list)) for v in detail):
        return {prefix or "body": "；".join(str(v) for v in detail)}
    if isinstance(detail, list):
        out = {}
        for i, value in enumerate(detail):
            out.update(_flatten(value, f"{prefix}.{i}" if prefix else str(i)))
        return out
    return {prefix or "body": str(detail)}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The services' errors as HTTP: CaseInvalid 400, PermissionDenied 403, Conflict 409,
    a calendar year nobody entered 503."""
    if isinstance(exc, CaseInvalid):
        data: dict[str, Any] = {"errors": exc.errors}
        code = http.HTTP_400_BAD_REQUEST
    elif isinstance(exc, ValidationError):
        data, code = {"errors": _flatten(exc.detail)}, http.HTTP_400_BAD_REQUEST
    elif isinstance(exc, ParseError):
        data, code = {"errors": {"body": str(exc.detail)}}, http.HTTP_400_BAD_REQUEST
    elif isinstance(exc, Conflict):
        data, code = {"detail": str(exc)}, http.HTTP_409_CONFLICT
    elif isinstance(exc, PermissionDenied):
        data, code = {"detail": str(exc) or "您无权执行此操作"}, http.HTTP_403_FORBIDDEN
    elif isinstance(exc, CalendarNotCovered):
        # 时限 cannot be computed until an administrator enters the year.
        data, code = {"detail": str(exc)}, http.HTTP_503_SERVICE_UNAVAILABLE
    else:
        return exception_handler(exc, context)
    set_rollback()
    return Response(data, status=code)


class _Api(APIView):
    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return api_exception_handler


class _ApiList(_Api, ListAPIView):
    pass


def _django_request(request: Request) -> Any:
    # The services' audit reads the client address from the plain HttpRequest.
    return request._request


# Documented responses, shared by the operations below.
R400 = OpenApiResponse(s.ErrorsSerializer, description="输入有误：按字段说明")
R401 = OpenApiResponse(s.DetailSerializer, description="未登录或令牌无效")
R403 = OpenApiResponse(s.DetailSerializer, description="无权办理（含会话请求缺少 CSRF 令牌）")
R404 = OpenApiResponse(s.DetailSerializer, description="不存在，或不在您的查看范围内")
R409 = OpenApiResponse(s.DetailSerializer, description="他人已先行办理")
R422 = OpenApiResponse(s.DetailSerializer, description="幂等键已用于内容不同的请求")
R429 = OpenApiResponse(s.DetailSerializer, description="请求过于频繁")
R503 = OpenApiResponse(
    s.DetailSerializer, description="当年的法定节假日安排尚未录入，暂不能计算时限"
)


# ---- who an application is for ---------------------------------------------

CASE_FIELDS = {
    "applicant": "applicant",
    "kind": "applicant.kind",
    "id_number": "applicant.id_number",
    "name": "applicant.name",
    "phone": "applicant.phone",
    "village": "applicant.village",
}
UPLOAD_FIELDS = {
    "applicant": "applicant",
    "kind": "applicant_kind",
    "id_number": "applicant",
    "name": "applicant_name",
    "phone": "applicant",
    "village": "applicant",
}


def _applicant_for(actor: User, data: dict[str, Any] | None, names: dict[str, str]) -> Applicant:
    """The applicant the caller files or uploads for: themself, or a villager of an agent's village.

    An applicant record that exists is never claimed through the API: a
    number typed in is not proof of identity, so a record another account or
    an agent made is linked to an account only at the window.
    """
    is_agent = actor.role == Role.VILLAGE_AGENT
    if actor.works_in_back_office and not is_agent:
        raise PermissionDenied("接口只供申请人本人和村代办员提交申请，窗口申请请在工作台登记")
    data = data or {}
    kind = data.get("kind") or _default_kind(actor)
    id_number = (data.get("id_number") or "").strip()
    if not id_number:
        if is_agent:
            raise CaseInvalid({names["id_number"]: "请填写村民的证件号码"})
        own = Applicant.objects.filter(user=actor, kind=kind).order_by("id").first()
        if own is None:
            raise CaseInvalid({names["applicant"]: "首次申请请填写申请人类型、证件号码和姓名"})
        return own
    found = Applicant.objects.filter(
        kind=kind, id_index__in=pii.blind_indexes(kind, id_number)
    ).first()
    if is_agent:
        if found is not None and found.division_id is not None:
            if not actor.divisions.filter(pk=found.division_id).exists():
                raise PermissionDenied("村代办员只能为本村村民代办")
            return found
        village = _agent_village(actor, data.get("village") or "", names)
        return _get_or_create(data, kind, names, user=None, division=village)
    if found is not None:
        if found.user_id != actor.pk:
            raise PermissionDenied(
                "只能以本人身份申请：该证件号码已有登记，请到窗口核验身份后关联账号"
            )
        return found
    if kind == Applicant.PERSON and Applicant.objects.filter(user=actor, kind=kind).exists():
        raise PermissionDenied("只能以本人身份申请：您的账号已登记了本人的身份证号")
    return _get_or_create(data, kind, names, user=actor, division=None)


def _default_kind(user: User) -> str:
    return Applicant.ENTERPRISE if user.role == Role.ENTERPRISE else Applicant.PERSON


def _agent_village(actor: User, code: str, names: dict[str, str]) -> Division:
    villages = list(actor.divisions.all())
    if code:
        for v in villages:
            if v.code == code.strip():
                return v
        raise CaseInvalid({names["village"]: f"您不服务区划代码为“{code}”的村"})
    if len(villages) == 1:
        return villages[0]
    raise CaseInvalid({names["village"]: "请填写村民所在村的12位区划代码"})


def _get_or_create(
    data: dict[str, Any],
    kind: str,
    names: dict[str, str],
    *,
    user: User | None,
    division: Division | None,
) -> Applicant:
    try:
        return applicant_get_or_create(
            kind=kind,
            id_number=data.get("id_number") or "",
            name=data.get("name") or "",
            phone=data.get("phone") or "",
            user=user,
            division=division,
        )
    except CaseInvalid as exc:
        raise CaseInvalid({names.get(k, k): v for k, v in exc.errors.items()}) from exc


# ---- items -----------------------------------------------------------------


class ItemPagination(LimitOffsetPagination):
    default_limit = 20
    max_limit = 100  # search_items' own cap


class _Rows:
    """A lazily counted, lazily sliced sequence for LimitOffsetPagination."""

    def __init__(self, count: Callable[[], int], rows: Callable[[int, int], list[Any]]) -> None:
        self._count, self._rows = count, rows

    def count(self) -> int:
        return self._count()

    def __getitem__(self, window: slice) -> list[Any]:
        start = window.start or 0
        return self._rows(start, (window.stop or start) - start)


def _item_row(item: ServiceItem) -> dict[str, Any]:
    assert item.current is not None
    return {
        "impl_code": item.impl_code,
        "name": item.name,
        "department": item.department,
        "channels": item.current.channels(),
        "matched": "",
    }


@extend_schema(tags=["事项"])
class ItemListView(_ApiList):
    """事项: search (``q``: words, pinyin, initials, synonyms) or list the published items."""

    permission_classes = [AllowAny]
    serializer_class = s.ItemSummarySerializer
    pagination_class = ItemPagination

    def get_queryset(self) -> Any:
        params = self.request.query_params
        q = params.get("q", "")
        department = params.get("department") or None
        theme = params.get("theme") or None
        if q.strip() or department or theme:

            def rows(offset: int, limit: int) -> list[Any]:
                hits = search_items(
                    q, department=department, theme=theme, limit=limit, offset=offset
                ).hits
                return [
                    {
                        "impl_code": h.impl_code,
                        "name": h.name,
                        "department": {"code": h.department_code, "name": h.department_name},
                        "channels": h.channels,
                        "matched": h.matched,
                    }
                    for h in hits
                ]

            def count() -> int:
                return search_items(q, department=department, theme=theme, limit=0).total

            return _Rows(count, rows)
        qs = (
            ServiceItem.objects.filter(current__isnull=False)
            .select_related("department", "current")
            .order_by("-popularity", "impl_code")
        )
        return _Rows(qs.count, lambda o, n: [_item_row(i) for i in qs[o : o + n]])

    @extend_schema(
        summary="检索或列出已发布事项",
        parameters=[
            OpenApiParameter("q", str, description="检索词：中文、拼音或首字母"),
            OpenApiParameter("department", str, description="部门编码"),
            OpenApiParameter("theme", str, description="主题编码"),
        ],
        responses={200: s.ItemSummarySerializer},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["事项"])
class ItemDetailView(_Api):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="事项详情：当前版本的情形与材料",
        responses={200: s.ItemDetailSerializer, 404: R404},
    )
    def get(self, request: Request, impl_code: str) -> Response:
        page = item_page(impl_code=impl_code)
        if page is None:
            raise NotFound("没有找到该事项，或尚未发布")
        return Response(s.ItemDetailSerializer(s.item_detail_data(page)).data)


@extend_schema(tags=["事项"])
class ChecklistView(_Api):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="按情形回答生成材料清单",
        description=(
            "查询参数为情形编号 = 选项编号（如 `?S1=A&S2=B`）。已登录时，"
            "`offers` 列出调用者可用于免提交的电子证照。"
        ),
        parameters=[
            OpenApiParameter(
                "answers",
                OpenApiTypes.OBJECT,
                style="form",
                explode=True,
                description="情形编号 → 选项编号，逐个作为查询参数",
            )
        ],
        responses={200: s.ChecklistSerializer, 400: R400, 404: R404},
    )
    def get(self, request: Request, impl_code: str) -> Response:
        params = request.query_params
        page = item_page(impl_code=impl_code, params=params)
        if page is None:
            raise NotFound("没有找到该事项，或尚未发布")
        errors = {
            sit.code: f"“{params[sit.code]}”不是“{sit.question}”的选项"
            for sit in page.situations
            if params.get(sit.code) and sit.code not in page.answers
        }
        if errors:
            raise CaseInvalid(errors)
        today = timezone.localdate()
        materials = item_schema.materials_for(page.doc, page.answers)
        offers: dict[str, list[ELicence]] = {}
        if request.user.is_authenticated:
            for applicant in Applicant.objects.filter(user=request.user).order_by("id"):
                for code, found in case_materials.offers(applicant, materials, today=today).items():
                    offers.setdefault(code, []).extend(found)
        data = s.checklist_data(page, offers, materials, today)
        return Response(s.ChecklistSerializer(data).data)


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
class CaseListView(_ApiList):
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
        applicant = _applicant_for(user, data.get("applicant"), CASE_FIELDS)
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
            request=_django_request(request),
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
class CaseDetailView(_Api):
    @extend_schema(
        summary="办件详情",
        responses={200: s.CaseSerializer, 401: R401, 404: R404},
    )
    def get(self, request: Request, ref: UUID) -> Response:
        case = _visible_case(request, ref)
        return Response(s.CaseSerializer(case, context={"request": request}).data)


@extend_schema(tags=["办件"])
class TimelineView(_Api):
    @extend_schema(
        summary="办件进度",
        description="已办环节（动作、意见、时间）、当前环节、时限与预警颜色、待办环节。",
        responses={200: s.TimelineSerializer, 401: R401, 404: R404},
    )
    def get(self, request: Request, ref: UUID) -> Response:
        case = _visible_case(request, ref)
        return Response(s.TimelineSerializer(case, context={"request": request}).data)


@extend_schema(tags=["办件"])
class TaskCompleteView(_Api):
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
                request=_django_request(request),
            )
        else:
            case = task_complete(
                task=task,
                actor=request.user,
                action=action,
                comment=comment,
                channel=Channel.API,
                request=_django_request(request),
            )
        return Response(s.CaseSerializer(case, context={"request": request}).data)


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
class MaterialListView(_ApiList):
    serializer_class = s.StoredFileSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[StoredFile]:
        params = self.request.query_params
        kind = params.get("applicant_kind") or _default_kind(self.request.user)
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
        applicant = _applicant_for(request.user, who, UPLOAD_FIELDS)
        existed = StoredFile.objects.filter(applicant=applicant, sha256=checked.sha256).exists()
        stored = store_file(
            applicant=applicant, checked=checked, material_name=data["material_name"]
        )
        code = http.HTTP_200_OK if existed else http.HTTP_201_CREATED
        return Response(s.StoredFileSerializer(stored).data, status=code)


# ---- e-licences ------------------------------------------------------------


@extend_schema(tags=["电子证照"])
class ELicenceListView(_ApiList):
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
class VerifyView(_Api):
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
