"""Pages of the report archive: thin views over ``report_services``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from zhili.accounts.models import User
from zhili.datahub import report_services as services
from zhili.datahub.models import Report
from zhili.datahub.reports import last_complete_month, period_end_month, period_label
from zhili.divisions.models import Department, Division
from zhili.web.staff import staff_only

PAGE_SIZE = 50
PERIOD_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])|Q[1-4])?$")
View = Callable[..., HttpResponseBase]


class ReportRequest(HttpRequest):
    user: User


reports_view = staff_only(
    "数据报告含部门间共享数据，仅供工作人员查阅。", allowed=services.can_read_reports
)


# ---- forms ----


class DivisionField(forms.CharField):
    def clean(self, value: Any) -> Division | None:
        code = super().clean(value)
        if not code:
            return None
        division = Division.objects.filter(code=code).first()
        if division is None:
            raise forms.ValidationError(f"区划“{code}”不存在")
        return division


class PeriodField(forms.CharField):
    def clean(self, value: Any) -> str:
        period = (super().clean(value) or "").strip()
        if period and not PERIOD_RE.match(period):
            raise forms.ValidationError(f"报告期“{period}”格式不对，应为2025-03、2025Q1或2025")
        return period


class ArchiveFilter(forms.Form):
    division = DivisionField(label="区划", required=False)
    period = PeriodField(label="报告期", required=False)
    kind = forms.ChoiceField(
        label="类型", required=False, choices=[("", "全部"), *services.KINDS.items()]
    )


class OrderForm(forms.Form):
    division = DivisionField(label="区划")
    period = PeriodField(label="报告期")

    def clean_period(self) -> str:
        period: str = self.cleaned_data["period"]
        if period and period_end_month(period) > period_end_month(last_complete_month()):
            raise forms.ValidationError(f"报告期“{period}”尚未结束，只能生成已结束月份的报告")
        return period


class SubscribeForm(forms.Form):
    division = DivisionField(label="区划")
    include_children = forms.BooleanField(label="含下级区划", required=False)
    department = forms.IntegerField(label="同时推送给本部门", required=False)


def _errors(form: forms.Form) -> str:
    return "；".join(
        f"{form.fields[name].label if name in form.fields else ''}：{e}"
        for name, errs in form.errors.items()
        for e in errs
    )


def _divisions() -> list[tuple[str, str]]:
    """(code, label) for the division pickers: the county, then each town and its villages."""
    rows = list(Division.objects.order_by("code").values_list("code", "name", "level"))
    indent = {"county": "", "town": "　", "village": "　　"}
    return [(code, indent.get(level, "") + name) for code, name, level in rows]


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


# ---- pages ----


@reports_view
@require_GET
def report_list(request: ReportRequest) -> HttpResponse:
    form = ArchiveFilter(request.GET)
    reports: Any = Report.objects.none()
    if form.is_valid():
        reports = services.report_archive(user=request.user, **form.cleaned_data)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "divisions": _divisions(),
            "periods": services.report_periods(),
            "kinds": services.KINDS,
            "can_order": services.can_order_reports(request.user),
            "default_period": last_complete_month(),
            "subscriptions": services.subscriptions_of(request.user),
            "departments": request.user.departments.all(),
        },
    )


def _report(pk: int) -> Report:
    return get_object_or_404(Report.objects.select_related("division", "division__parent"), pk=pk)


@reports_view
@require_GET
def report_detail(request: ReportRequest, pk: int) -> HttpResponse:
    report = _report(pk)
    subscription = services.subscriptions_of(request.user).filter(division=report.division).first()
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "title": services.report_title_of(report),
            "period_label": period_label(report.period),
            "generated_at": report.facts.get("generated_at", ""),
            "subscription": subscription,
            "departments": request.user.departments.all(),
            "can_order": services.can_order_reports(request.user),
        },
    )


def _file(report: Report, field: str, content_type: str, *, attachment: bool) -> FileResponse:
    stored = getattr(report, field)
    if not stored:
        raise Http404("报告文件不存在")
    suffix = {"html": "html", "pdf": "pdf", "xlsx": "xlsx"}[field]
    name = f"{services.report_title_of(report)}.{suffix}"
    response = FileResponse(stored.open("rb"), content_type=content_type)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name)}"
    return response


@xframe_options_sameorigin  # shown in the detail page's frame
@reports_view
@require_GET
def report_html(request: ReportRequest, pk: int) -> FileResponse:
    response = _file(_report(pk), "html", "text/html; charset=utf-8", attachment=False)
    # The stored page runs no script and loads only this site's fonts.
    response["Content-Security-Policy"] = (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'none'"
    )
    return response


@reports_view
@require_GET
def report_pdf(request: ReportRequest, pk: int) -> FileResponse:
    return _file(_report(pk), "pdf", "application/pdf", attachment=request.GET.get("inline") != "1")


@reports_view
@require_GET
def report_xlsx(request: ReportRequest, pk: int) -> FileResponse:
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _file(_report(pk), "xlsx", mime, attachment=True)


@reports_view
@require_POST
def report_order(request: ReportRequest) -> HttpResponse:
    if not services.can_order_reports(request.user):
        raise PermissionDenied("只有领导、系统管理员和数据管理员可以生成专报。")
    form = OrderForm(request.POST)
    if not form.is_valid():
        messages.error(request, "未能生成专报：" + _errors(form))
        return _back(request, reverse("reports:list"))
    division, period = form.cleaned_data["division"], form.cleaned_data["period"]
    services.report_order(user=request.user, division=division, period=period)
    messages.success(
        request,
        f"已提交生成{division.name}{period_label(period)}数据专报，完成后将通过消息通知您。",
    )
    return redirect(reverse("reports:list") + f"?division={division.code}&period={period}")


@reports_view
@require_POST
def subscribe(request: ReportRequest) -> HttpResponse:
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "未能订阅：" + _errors(form))
        return _back(request, reverse("reports:list"))
    department = None
    if form.cleaned_data["department"]:
        department = Department.objects.filter(pk=form.cleaned_data["department"]).first()
        if department is None:
            messages.error(request, "未能订阅：同时推送给本部门：所选部门不存在")
            return _back(request, reverse("reports:list"))
    division = form.cleaned_data["division"]
    services.subscription_set(
        user=request.user,
        division=division,
        department=department,
        include_children=form.cleaned_data["include_children"],
    )
    whom = f"您和{department.name}" if department else "您"
    messages.success(request, f"已订阅{division.name}的数据报告，新报告生成后将通知{whom}。")
    return _back(request, reverse("reports:list"))


@reports_view
@require_POST
def unsubscribe(request: ReportRequest) -> HttpResponse:
    division = Division.objects.filter(code=request.POST.get("division", "")).first()
    if division is None or not services.subscription_remove(user=request.user, division=division):
        messages.error(request, "未能取消订阅：没有找到该订阅")
    else:
        messages.success(request, f"已取消订阅{division.name}的数据报告。")
    return _back(request, reverse("reports:list"))
