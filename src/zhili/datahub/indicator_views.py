"""Indicator pages of the back office (/staff/indicators/): thin views over ``indicators`` and ``trends``.

Staff see the indicators whose every dataset they may read (the map's rule,
``map_selectors``); data stewards define and change those of their own
departments, administrators all of them. An indicator the user may not see
is a 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from zhili.accounts.models import User
from zhili.datahub import indicators as svc
from zhili.datahub import map_selectors as sel
from zhili.datahub import trends
from zhili.datahub.formulas import (
    AGGS,
    OPS,
    TYPE_LABELS,
    FormulaInvalid,
    formula_check,
    formula_text,
)
from zhili.datahub.models import Dataset, Frequency, Indicator
from zhili.divisions.models import Department, Division
from zhili.web.staff import StaffRequest
from zhili.web.staff import staff_only as gate

staff_only = gate("指标管理仅供工作人员使用。", refusals=(svc.PermissionDenied,))


def _visible(request: StaffRequest, code: str) -> Indicator:
    indicator = sel.indicator_for(request.user, code)
    if indicator is None:
        raise Http404("没有这个指标")
    return indicator


# ---- the form ----


class IndicatorForm(forms.Form):
    code = forms.CharField(label="指标编码", max_length=64, help_text="字母开头，如 SBCBL")
    name = forms.CharField(label="名称", max_length=128)
    category = forms.CharField(label="分类", max_length=64, required=False)
    owner: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label="归口部门", queryset=Department.objects.none(), empty_label="（请选择）"
    )
    unit = forms.CharField(label="单位", max_length=16, required=False)
    direction = forms.ChoiceField(label="方向", choices=[("up", "越大越好"), ("down", "越小越好")])
    frequency = forms.ChoiceField(label="频度", choices=Frequency.choices)
    scale = forms.FloatField(label="倍数", initial=1, help_text="百分比填100，千分比填1000")
    decimals = forms.IntegerField(label="小数位", min_value=0, max_value=6, initial=1)
    key = forms.BooleanField(label="重点指标（驾驶舱展示）", required=False)
    description = forms.CharField(
        label="口径说明", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: User, instance: Indicator | None = None, **kw: Any):
        if instance is not None:
            kw.setdefault(
                "initial",
                {name: getattr(instance, name) for name in svc.FIELDS} | {"code": instance.code},
            )
        super().__init__(*args, **kw)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = svc.owner_departments(user)
        owner.required = not (user.is_superuser or user.role == "admin")
        if instance is not None:
            self.fields["code"].disabled = True


def _part_from(data: QueryDict, prefix: str) -> dict[str, Any] | None:
    dataset = data.get(f"{prefix}_dataset", "").strip()
    if prefix == "den" and not dataset:
        return None
    names = data.getlist(f"{prefix}_filter_field")
    ops = data.getlist(f"{prefix}_filter_op")
    values = data.getlist(f"{prefix}_filter_value")
    filters = [
        {"field": f.strip(), "op": o.strip(), "value": v.strip()}
        for f, o, v in zip(names, ops, values, strict=False)
        if f.strip() or v.strip()
    ]
    return {
        "dataset": dataset,
        "field": data.get(f"{prefix}_field", "").strip(),
        "agg": data.get(f"{prefix}_agg", "").strip(),
        "filters": filters,
    }


def _editor(user: User, numerator: Any, denominator: Any) -> dict[str, Any]:
    """What the formula editor needs: the usable datasets with their fields, and the parts."""
    datasets = (
        svc.datasets_usable_by(user).select_related("department").order_by("category", "code")
    )
    catalogue = {
        d.code: {
            "name": d.name,
            "level": d.division_level,
            "frequency": d.frequency,
            "fields": [
                {
                    "name": f["name"],
                    "title": f.get("title") or "",
                    "type": TYPE_LABELS.get(f.get("type", "string"), f.get("type", "")),
                }
                for f in d.value_fields()
            ],
        }
        for d in datasets
    }

    def part(raw: Any) -> dict[str, Any]:
        raw = raw or {}
        return {
            "dataset": raw.get("dataset", ""),
            "field": raw.get("field", ""),
            "agg": raw.get("agg", "sum"),
            "filters": [
                {
                    "field": f.get("field", ""),
                    "op": f.get("op", "="),
                    "value": "，".join(map(str, f["value"]))
                    if isinstance(f.get("value"), list)
                    else str(f.get("value", "")),
                }
                for f in raw.get("filters") or []
            ],
        }

    return {
        "datasets": datasets,
        "aggs": list(AGGS.items()),
        "ops": OPS,
        "formula_json": {"datasets": catalogue, "num": part(numerator), "den": part(denominator)},
    }


def _form_page(request: StaffRequest, indicator: Indicator | None) -> HttpResponse:
    user = request.user
    problems: list[str] = []
    numerator = indicator.numerator if indicator else None
    denominator = indicator.denominator if indicator else None
    if request.method == "POST":
        form = IndicatorForm(request.POST, user=user, instance=indicator)
        numerator, denominator = _part_from(request.POST, "num"), _part_from(request.POST, "den")
        if form.is_valid():
            data = dict(form.cleaned_data, numerator=numerator, denominator=denominator)
            code = data.pop("code", None)
            try:
                if indicator is None:
                    indicator = svc.indicator_create(actor=user, code=code or "", **data)
                    messages.success(request, f"已定义指标“{indicator.name}”，正在计算。")
                else:
                    svc.indicator_update(actor=user, indicator=indicator, **data)
                    messages.success(request, f"已保存指标“{indicator.name}”。")
            except svc.IndicatorInvalid as exc:
                problems = exc.problems
            else:
                return redirect("indicators:detail", indicator.code)
        else:
            problems = [
                f"{form.fields[name].label if name in form.fields else ''}：{e}"
                for name, errors in form.errors.items()
                for e in errors
            ]
    else:
        form = IndicatorForm(user=user, instance=indicator)
    context = {"form": form, "indicator": indicator, "problems": problems}
    context.update(_editor(user, numerator, denominator))
    return render(request, "indicators/form.html", context, status=400 if problems else 200)


# ---- pages ----


@staff_only
@require_http_methods(["GET"])
def indicator_list(request: StaffRequest) -> HttpResponse:
    indicators = sel.indicators_visible_to(request.user)
    county = Division.objects.filter(level="county").order_by("code").first()
    latest = trends.latest_values(indicators, county.code) if county else {}
    rows = [
        {
            "indicator": i,
            "period": latest.get(i.pk, ("", None))[0],
            "value": sel.formatted(latest.get(i.pk, ("", None))[1], i.decimals),
            "can_edit": svc.can_manage(request.user, i),
        }
        for i in indicators
    ]
    return render(
        request,
        "indicators/list.html",
        {"rows": rows, "county": county, "can_define": svc.can_manage(request.user)},
    )


@staff_only
@require_http_methods(["GET", "POST"])
def indicator_create(request: StaffRequest) -> HttpResponse:
    if not svc.can_manage(request.user):
        raise svc.PermissionDenied("只有数据管理员和系统管理员可以定义指标。")
    return _form_page(request, None)


@staff_only
@require_http_methods(["GET", "POST"])
def indicator_edit(request: StaffRequest, code: str) -> HttpResponse:
    indicator = _visible(request, code)
    if not svc.can_manage(request.user, indicator):
        owner = indicator.owner.name if indicator.owner else "未指定部门"
        raise svc.PermissionDenied(f"您无权维护{owner}的指标。")
    return _form_page(request, indicator)


@staff_only
@require_POST
def indicator_check(request: StaffRequest) -> HttpResponse:
    """The live check of the formula editor (htmx): what is wrong, or what the formula gives."""
    numerator, denominator = _part_from(request.POST, "num"), _part_from(request.POST, "den")
    frequency = request.POST.get("frequency") or Frequency.MONTHLY
    datasets = {d.code: d for d in svc.datasets_usable_by(request.user).select_related("current")}
    _, problems = formula_check(numerator, denominator, frequency=frequency, datasets=datasets)
    preview = None
    if not problems:
        try:
            scale = float(request.POST.get("scale") or 1)
        except ValueError:
            scale = 1.0
        draft = Indicator(
            code="_check", numerator=numerator, denominator=denominator,
            frequency=frequency, scale=scale,
        )  # fmt: skip
        try:
            preview = svc.indicator_preview(draft)
        except FormulaInvalid as exc:
            problems = exc.problems
    context = {
        "problems": problems,
        "texts": [
            ("分子", formula_text(numerator, datasets)),
            ("分母", formula_text(denominator, datasets)),
        ],
        "preview": preview,
        "unit": request.POST.get("unit", ""),
        "decimals": int(request.POST.get("decimals") or 1)
        if (request.POST.get("decimals") or "1").isdigit()
        else 1,
    }
    return render(request, "indicators/_check.html", context)


def _chart(trend: trends.Trend, indicator: Indicator) -> dict[str, Any]:
    """The trend chart's data, one list per series over the same periods (ECharts)."""
    history = [p for p, _ in trend.series]
    ahead = [f.period for f in trend.forecast]
    periods = history + ahead
    pad = [None] * len(ahead)
    ma = dict(trend.moving_average)
    d = indicator.decimals

    def r(x: float | None) -> float | None:
        return None if x is None else round(x, d + 2)

    def band(points: list[trends.ForecastPoint]) -> tuple[list[Any], list[Any]]:
        lo = [None] * len(history) + [r(p.lo) for p in points]
        width = [None] * len(history) + [r(p.hi - p.lo) for p in points]
        return lo, width

    lo95, width95 = band(trend.forecast)
    lo80, width80 = band(trend.forecast_80)
    forecast: list[Any] = [None] * len(history) + [r(p.value) for p in trend.forecast]
    if trend.forecast and history:  # join the forecast line to the last actual value
        forecast[len(history) - 1] = r(trend.series[-1][1])
    return {
        "periods": periods,
        "actual": [r(v) for _, v in trend.series] + pad,
        "ma": [r(ma.get(p)) for p in history] + pad,
        "forecast": forecast,
        "lo95": lo95, "width95": width95, "lo80": lo80, "width80": width80,
        "anomalies": [
            {"period": a.period, "value": r(a.value), "why": a.why} for a in trend.anomalies
        ],
        "unit": indicator.unit,
        "decimals": d,
        "window": trend.window,
    }  # fmt: skip


@staff_only
@require_http_methods(["GET"])
def indicator_detail(request: StaffRequest, code: str) -> HttpResponse:
    indicator = _visible(request, code)
    asked = request.GET.get("division", "")
    division = (
        Division.objects.filter(code=asked).select_related("parent").first()
        if asked
        else Division.objects.filter(level="county").order_by("code").first()
    )
    if division is None:
        raise Http404("没有这个区划")
    trend = trends.trend_for(indicator, division.code)
    latest = trend.latest
    period = latest[0] if latest else ""
    datasets = {d.code: d for d in Dataset.objects.filter(code__in=indicator.datasets())}
    context = {
        "indicator": indicator,
        "division": division,
        "trend": trend,
        "latest": latest,
        "period_label": sel.period_label(period) if period else "",
        "value": sel.formatted(latest[1] if latest else None, indicator.decimals),
        "mom": trend.change_of(period, "mom") if period else None,
        "yoy": trend.change_of(period, "yoy") if period else None,
        "rows": trends.breakdown(indicator, division.code, period) if period else [],
        "chart": _chart(trend, indicator),
        "formula": [
            ("分子", formula_text(indicator.numerator, datasets)),
            ("分母", formula_text(indicator.denominator, datasets)),
        ],
        "can_edit": svc.can_manage(request.user, indicator),
        "anomalies": list(reversed(trend.anomalies))[:12],
    }
    return render(request, "indicators/detail.html", context)


@staff_only
@require_POST
def indicator_refresh(request: StaffRequest, code: str) -> HttpResponse:
    indicator = _visible(request, code)
    if not svc.can_manage(request.user, indicator):
        owner = indicator.owner.name if indicator.owner else "未指定部门"
        raise svc.PermissionDenied(f"只有{owner}的数据管理员和系统管理员可以重新计算此指标。")
    svc.refresh_enqueue(indicator)
    messages.success(request, "已提交重新计算，完成后刷新本页即可看到新的数值。")
    return redirect("indicators:detail", indicator.code)
