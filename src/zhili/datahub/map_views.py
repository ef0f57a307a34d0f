"""The one map (一张图) and the leaders' dashboard: thin views over ``map_selectors``."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from zhili.datahub import map_selectors as sel
from zhili.datahub.models import Indicator
from zhili.divisions.models import Division
from zhili.web.staff import forbidden

GEO_MAX_AGE = 3600  # boundaries change a few times a year; the ETag catches the rest


def _json(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(
        data, status=status, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")}
    )


def _level(request: HttpRequest) -> str | None:
    level = request.GET.get("level") or "village"
    return level if level in sel.LEVELS else None


def _period(request: HttpRequest) -> str | None:
    """The period asked for, "" for none; None when it is malformed."""
    period = request.GET.get("period", "").strip()
    return period if not period or sel.PERIOD_RE.match(period) else None


def _screen(request: HttpRequest) -> bool:
    return request.GET.get("screen") == "1"


def _groups(indicators: list[Indicator]) -> list[tuple[str, list[Indicator]]]:
    """Indicators by category, in the catalogue's order (category, code)."""
    return [(c or "其他", list(g)) for c, g in groupby(indicators, key=lambda i: i.category)]


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    indicators = sel.indicators_visible_to(request.user)
    asked = request.GET.get("indicator", "")
    chosen = next((i for i in indicators if i.code == asked), None)
    chosen = chosen or next((i for i in indicators if i.key), None)
    chosen = chosen or (indicators[0] if indicators else None)
    config = {
        "geo": reverse("onemap:geo"),
        "values": reverse("onemap:values"),
        "profile": reverse("onemap:profile", args=["000000000000"]),
        "indicator": chosen.code if chosen else "",
        "level": _level(request) or "village",
        "period": _period(request) or "",
        "division": request.GET.get("division", "")[:12],
        "screen": _screen(request),
    }
    return render(
        request,
        "map/map.html",
        {
            "groups": _groups(indicators),
            "chosen": chosen,
            "config": config,
            "screen": config["screen"],
            "levels": sel.LEVELS,
        },
    )


@require_GET
def geo_json(request: HttpRequest) -> HttpResponse:
    level = _level(request)
    if level is None:
        return _json({"error": "层级只能是 village（村）或 town（镇）"}, status=400)
    body, etag = sel.boundaries_geojson(level)
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={GEO_MAX_AGE}"
    return response


@require_GET
def values_json(request: HttpRequest) -> HttpResponse:
    level, period = _level(request), _period(request)
    if level is None:
        return _json({"error": "层级只能是 village（村）或 town（镇）"}, status=400)
    if period is None:
        return _json({"error": "期别格式应为 2025-03、2025Q1 或 2025"}, status=400)
    code = request.GET.get("indicator", "")
    indicator = sel.indicator_for(request.user, code)
    if indicator is None:
        return _json({"error": f"指标“{code}”不存在或您无权查看"}, status=404)
    return _json(sel.map_values(indicator=indicator, level=level, period=period))


@require_GET
def profile(request: HttpRequest, division_code: str) -> HttpResponse:
    division = get_object_or_404(Division.objects.select_related("parent"), code=division_code)
    period = _period(request)
    if period is None:
        return HttpResponse("期别格式应为 2025-03、2025Q1 或 2025", status=400)
    rows = sel.division_profile(user=request.user, division=division, period=period)
    return render(
        request,
        "map/_profile.html",
        {
            "division": division,
            "rows": rows,
            "period": period,
            "period_label": sel.period_label(period) if period else "最新",
        },
    )


def _leaders_only(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not getattr(request.user, "is_county_wide", False):
        message = "数字乡村驾驶舱仅供领导和系统管理员查看。"
        return forbidden(request, message)
    return None


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    refused = _leaders_only(request)
    if refused is not None:
        return refused
    board = sel.dashboard(user=request.user)
    screen = _screen(request)
    config = {
        "geo": reverse("onemap:geo"),
        "values": reverse("onemap:values"),
        "alerts": reverse("onemap:dashboard_alerts") + ("?screen=1" if screen else ""),
        "map": reverse("onemap:map") + ("?screen=1" if screen else ""),
        "indicator": board.figures[0].row.indicator.code if board.figures else "",
    }
    return render(
        request, "map/dashboard.html", {"board": board, "screen": screen, "config": config}
    )


@require_GET
def dashboard_alerts(request: HttpRequest) -> HttpResponse:
    """The anomalies panel, fetched after the page: finding them can take seconds."""
    refused = _leaders_only(request)
    if refused is not None:
        return refused
    alerts = sel.dashboard_alerts(user=request.user)
    return render(request, "map/_alerts.html", {"alerts": alerts, "screen": _screen(request)})
