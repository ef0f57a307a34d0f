"""The REST API (/api/v1/) for phone apps and integrations, by what it serves:

- ``api_items``: published items, their details and material checklists;
- ``api_cases``: cases — filing with an idempotency key, reading, following, acting;
- ``api_materials``: uploaded material files, e-licences and their verification;
- here: what they share (errors, the base views, documented responses, whom a
  request files for).

Thin views: each parses its input with a serializer, calls the service or
selector the pages call, and renders. Jurisdiction is the pages' own:
``cases_visible_to`` for every read of a case (a case out of reach is a 404,
not a 403, so refs cannot be probed), ``can_act`` inside ``task_complete``.

Errors: 400 ``{"errors": {field: 中文}}``; 401, 403, 404, 409, 422, 503 ``{"detail": 中文}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status as http
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView, exception_handler, set_rollback

from zhili.accounts.models import Role, User
from zhili.cases import serializers as s
from zhili.cases.models import Applicant
from zhili.cases.services import CaseInvalid, Conflict, applicant_for_filing
from zhili.workdays.calendar import CalendarNotCovered

# ---- errors ----------------------------------------------------------------


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


class Api(APIView):
    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return api_exception_handler


class ApiList(Api, ListAPIView):
    pass


def django_request(request: Request) -> Any:
    # The services' audit reads the client address from the plain HttpRequest.
    return request._request


# Documented responses, shared by the operations of the api_* modules.
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


def applicant_for(actor: User, data: dict[str, Any] | None, names: dict[str, str]) -> Applicant:
    """The applicant the caller files or uploads for: ``services.applicant_for_filing``.

    The API serves applicants and village agents; a clerk registers a window
    case on the workbench, where the applicant's documents are in front of them.
    """
    if actor.works_in_back_office and actor.role != Role.VILLAGE_AGENT:
        raise PermissionDenied("接口只供申请人本人和村代办员提交申请，窗口申请请在工作台登记")
    data = data or {}
    return applicant_for_filing(
        actor=actor,
        kind=data.get("kind") or default_kind(actor),
        id_number=(data.get("id_number") or "").strip(),
        name=data.get("name") or "",
        phone=data.get("phone") or "",
        village_code=data.get("village") or "",
        field_names=names,
    )


def default_kind(user: User) -> str:
    return Applicant.ENTERPRISE if user.role == Role.ENTERPRISE else Applicant.PERSON
