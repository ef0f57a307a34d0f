"""事项 in the API: search or list the published items, an item's details, and the
material checklist for a set of situation answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from zhili.cases import materials as case_materials
from zhili.cases import serializers as s
from zhili.cases.api_common import R400, R404, Api, ApiList
from zhili.cases.models import Applicant, ELicence
from zhili.cases.services import CaseInvalid
from zhili.catalogue import schema as item_schema
from zhili.catalogue.models import ServiceItem
from zhili.catalogue.search import search_items
from zhili.catalogue.selectors import item_page

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
class ItemListView(ApiList):
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
class ItemDetailView(Api):
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
class ChecklistView(Api):
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
