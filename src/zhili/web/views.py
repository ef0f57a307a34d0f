"""The citizen portal: find an item, answer its questions, know what to bring and where to go.

Every page works as plain HTML forms; htmx requests (``HX-Request``) get the
partial that changed instead of the whole page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers

from zhili.catalogue import schema, search, selectors
from zhili.catalogue.models import Bundle, Theme
from zhili.web.pagecache import cached_for_visitors

PAGE_SIZE = 20
CHANNELS = list(selectors.CHANNEL_MEANINGS)  # the names ItemVersion.channels() gives


def _is_htmx(request: HttpRequest) -> bool:
    # A history restore after a cache miss wants the whole page back.
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _render(request: HttpRequest, full: str, partial: str, context: dict[str, Any]) -> HttpResponse:
    response = render(request, partial if _is_htmx(request) else full, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@cached_for_visitors
def home(request: HttpRequest) -> HttpResponse:
    themes = selectors.themes_by_audience()
    context = {
        "person_themes": themes.get("自然人", []),
        "legal_themes": themes.get("法人", []),
        "popular": search.popular_items(limit=12),
        "bundles": selectors.bundles_for_home(),
    }
    return render(request, "web/home.html", context)


@cached_for_visitors
def suggest(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    hits = search.suggest(q, limit=8) if q else []
    return render(request, "web/partials/suggest.html", {"q": q, "hits": hits})


@dataclass(frozen=True)
class Pager:
    page: int
    pages: int

    @property
    def window(self) -> list[int | None]:
        """Page numbers to link, ``None`` where a gap (…) goes."""
        keep = {1, self.pages, *range(self.page - 2, self.page + 3)}
        out: list[int | None] = []
        for n in range(1, self.pages + 1):
            if n in keep:
                out.append(n)
            elif out and out[-1] is not None:
                out.append(None)
        return out


def _page_number(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def _paged_search(q: str, page: int, **filters: str | None) -> tuple[search.SearchResult, Pager]:
    """One page of results; a page past the end shows the last page instead."""
    result = search.search_items(q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, **filters)
    pages = max(1, -(-result.total // PAGE_SIZE))
    if page > pages:
        page = pages
        result = search.search_items(q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, **filters)
    return result, Pager(page, pages)


@cached_for_visitors
def search_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    channel = request.GET.get("channel")
    service_object = request.GET.get("object")
    filters = {
        "department": request.GET.get("department") or None,
        "theme": request.GET.get("theme") or None,
        "channel": channel if channel in CHANNELS else None,
        "service_object": service_object if service_object in schema.SERVICE_OBJECTS else None,
    }
    searched = bool(q) or any(filters.values())
    result, pager = None, None
    if searched:
        result, pager = _paged_search(q, _page_number(request.GET.get("page")), **filters)
    context: dict[str, Any] = {
        "q": q,
        "filters": filters,
        "result": result,
        "pager": pager,
        "searched": searched,
        "popular": [] if result and result.total else search.popular_items(limit=8),
    }
    if not _is_htmx(request):
        context |= {
            "departments": selectors.departments_with_items(),
            "themes": selectors.themes_by_audience(),
            "channels": CHANNELS,
            "objects": schema.SERVICE_OBJECTS,
        }
    return _render(request, "web/search.html", "web/partials/search_results.html", context)


def _item_page(request: HttpRequest, impl_code: str) -> selectors.ItemPage:
    number = request.GET.get("version")
    try:
        version_number = int(number) if number else None
    except ValueError:
        raise Http404("没有这个版本") from None
    page = selectors.item_page(impl_code=impl_code, number=version_number, params=request.GET)
    if page is None:
        raise Http404("没有找到这个事项，或事项尚未发布")
    return page


def _where(request: HttpRequest, page: selectors.ItemPage) -> dict[str, Any]:
    village = selectors.village_by_code(request.GET.get("village", ""))
    points = selectors.service_points_for(version=page.version, village=village) if village else []
    return {"village": village, "points": points}


@cached_for_visitors
def item(request: HttpRequest, impl_code: str) -> HttpResponse:
    page = _item_page(request, impl_code)
    context = {
        "page": page,
        "doc": page.doc,
        "villages": selectors.villages_by_town(),
        **_where(request, page),
    }
    return render(request, "web/item.html", context)


@cached_for_visitors
def item_materials(request: HttpRequest, impl_code: str) -> HttpResponse:
    page = _item_page(request, impl_code)
    return render(request, "web/partials/materials.html", {"page": page})


@cached_for_visitors
def item_points(request: HttpRequest, impl_code: str) -> HttpResponse:
    page = _item_page(request, impl_code)
    return render(request, "web/partials/points.html", {"page": page, **_where(request, page)})


@cached_for_visitors
def bundle(request: HttpRequest, code: str) -> HttpResponse:
    obj = get_object_or_404(Bundle, code=code)
    items = selectors.bundle_items(obj)
    context = {
        "bundle": obj,
        "items": items,
        "materials": selectors.bundle_materials(obj, items),
    }
    return render(request, "web/bundle.html", context)


@cached_for_visitors
def theme(request: HttpRequest, code: str) -> HttpResponse:
    obj = get_object_or_404(Theme, code=code)
    result, pager = _paged_search("", _page_number(request.GET.get("page")), theme=obj.code)
    return render(request, "web/theme.html", {"theme": obj, "result": result, "pager": pager})
