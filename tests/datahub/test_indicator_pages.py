"""The indicator pages of the back office: 郑华 defines 参保率, checks it live, and recomputes it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.datahub.indicator_fixtures import Data
from zhili.accounts.models import User
from zhili.datahub import indicators as svc
from zhili.datahub.indicators import indicator_refresh
from zhili.datahub.models import Dataset, Indicator


@pytest.fixture
def data(county: Any) -> Data:
    return Data(county)


def client_for(user: User | None, **kw: Any) -> Client:
    client = Client(**kw)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def coverage(data: Data) -> Indicator:
    indicator = data.coverage()
    indicator_refresh(indicator)
    return indicator


@pytest.fixture
def queued(monkeypatch: Any) -> list[Any]:
    calls: list[Any] = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, *args: calls.append((func, args)))
    return calls


def form_data(**changes: Any) -> dict[str, Any]:
    return {
        "code": "COVERAGE2",
        "name": "已审核参保率",
        "category": "社会保障",
        "unit": "%",
        "direction": "up",
        "frequency": "monthly",
        "scale": "100",
        "decimals": "1",
        "num_dataset": "SOCIAL",
        "num_field": "参保人数",
        "num_agg": "sum",
        "num_filter_field": ["审核状态"],
        "num_filter_op": ["="],
        "num_filter_value": ["已审核"],
        "den_dataset": "POP",
        "den_field": "户籍人口",
        "den_agg": "sum",
    } | changes


# ---- who may do what: role × page ----


@pytest.mark.parametrize(
    ("who", "page", "status"),
    [
        (None, "list", 302), (None, "detail", 302), (None, "create", 302),
        ("wangfang", "list", 403), ("wangfang", "detail", 403),
        ("zhangwei", "list", 200), ("zhangwei", "detail", 200),
        ("zhangwei", "create", 403), ("zhangwei", "edit", 403), ("zhangwei", "refresh", 403),
        ("zhenghua", "list", 200), ("zhenghua", "detail", 200), ("zhenghua", "create", 200),
        ("zhenghua", "edit", 200), ("zhenghua", "refresh", 302),
        ("zhaomin", "edit", 403),
        ("sunli", "detail", 200), ("sunli", "create", 403),
        ("admin", "create", 200), ("admin", "edit", 200), ("admin", "refresh", 302),
    ],
)  # fmt: skip
def test_it_lets_each_role_do_what_it_may(
    coverage: Indicator, data: Data, queued: list[Any], who: str | None, page: str, status: int
) -> None:
    people = {"zhenghua": data.zhenghua}
    user = people.get(who) if who else None
    if who and user is None:
        user = getattr(data.county, who)
    client = client_for(user)
    if page in {"list", "create"}:
        url = reverse(f"indicators:{page}")
    else:
        url = reverse(f"indicators:{page}", args=[coverage.code])
    response = client.post(url) if page == "refresh" else client.get(url)
    assert response.status_code == status


def test_it_hides_an_indicator_over_a_restricted_dataset(coverage: Indicator, data: Data) -> None:
    Dataset.objects.filter(pk=data.social.pk).update(sharing="restricted")  # 市场监管局's
    url = reverse("indicators:detail", args=[coverage.code])
    assert client_for(data.zhenghua).get(url).status_code == 404
    assert client_for(data.county.zhaomin).get(url).status_code == 200  # 市场监管局 staff
    assert client_for(data.county.sunli).get(url).status_code == 200
    listing = client_for(data.zhenghua).get(reverse("indicators:list")).content.decode()
    assert "参保率" not in listing


# ---- the list and the detail ----


def test_it_lists_the_indicators_with_the_latest_county_value(
    coverage: Indicator, data: Data
) -> None:
    html = client_for(data.county.zhangwei).get(reverse("indicators:list")).content.decode()
    county = coverage.values.get(division_code="330599000000", period="2024-12")
    assert "参保率" in html and f"{county.value:,.1f}" in html and "2024-12" in html
    assert "定义指标" not in html  # 张伟 is a clerk


def test_it_shows_the_county_trend_and_the_towns(coverage: Indicator, data: Data) -> None:
    response = client_for(data.zhenghua).get(reverse("indicators:detail", args=["COVERAGE"]))
    html = response.content.decode()
    county = coverage.values.get(division_code="330599000000", period="2024-12")
    assert f"{county.value:,.1f}" in html and "2024年12月" in html
    assert "各乡镇（2024年12月）" in html and "东山镇" in html and "西湖镇" in html
    assert 'id="trend-chart"' in html and "echarts.min.js" in html
    chart = response.context["chart"]
    assert len(chart["periods"]) == 24 + 6
    assert chart["actual"][:24] == [
        round(v, 3)
        for v in coverage.values.filter(level="county")
        .order_by("period")
        .values_list("value", flat=True)
    ]
    assert chart["lo95"][24] < chart["forecast"][24] < chart["lo95"][24] + chart["width95"][24]
    assert "重新计算" in html


def test_it_shows_a_town_and_its_villages(coverage: Indicator, data: Data) -> None:
    url = reverse("indicators:detail", args=["COVERAGE"])
    response = client_for(data.zhenghua).get(url, {"division": "330599102000"})
    html = response.content.decode()
    assert "参保率 · 西湖镇" in html and "各行政村" in html
    assert response.context["rows"][0].name in {"湖东村", "湖西村", "湖心村"}
    assert response.context["trend"].rank.of == 2
    assert client_for(data.zhenghua).get(url, {"division": "999"}).status_code == 404


# ---- defining ----


def test_it_defines_an_indicator_from_the_form(
    data: Data, queued: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(data.zhenghua)
    page = client.get(reverse("indicators:create")).content.decode()
    assert 'id="formula-data"' in page and "村人口" in page and "社保参保" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("indicators:create"), form_data(owner=data.county.zrzy.pk))
    assert response.status_code == 302
    assert response["Location"] == reverse("indicators:detail", args=["COVERAGE2"])
    indicator = Indicator.objects.get(code="COVERAGE2")
    assert indicator.numerator == {
        "dataset": "SOCIAL", "field": "参保人数", "agg": "sum",
        "filters": [{"field": "审核状态", "op": "=", "value": "已审核"}],
    }  # fmt: skip
    assert indicator.denominator["field"] == "户籍人口" and indicator.scale == 100
    assert queued == [(svc.REFRESH_JOB, ("COVERAGE2",))]


def test_it_keeps_the_form_and_names_the_problem(data: Data) -> None:
    client = client_for(data.zhenghua)
    response = client.post(
        reverse("indicators:create"), form_data(owner=data.county.zrzy.pk, den_field="户籍人数")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "分母：数据集“村人口”没有字段“户籍人数”" in html
    assert response.context["formula_json"]["den"]["field"] == "户籍人数"
    assert not Indicator.objects.filter(code="COVERAGE2").exists()


def test_it_refuses_another_departments_owner(data: Data) -> None:
    response = client_for(data.zhenghua).post(
        reverse("indicators:create"), form_data(owner=data.county.scjg.pk)
    )
    assert response.status_code == 400  # 市场监管局 is not among 郑华's choices
    assert "归口部门" in response.content.decode()


def test_it_edits_an_indicator(coverage: Indicator, data: Data, queued: list[Any]) -> None:
    client = client_for(data.zhenghua)
    url = reverse("indicators:edit", args=["COVERAGE"])
    page = client.get(url)
    assert page.context["formula_json"]["num"]["filters"] == [
        {"field": "审核状态", "op": "=", "value": "已审核"}
    ]
    response = client.post(
        url, form_data(code="IGNORED", name="参保率（已审核）", owner=data.county.zrzy.pk)
    )
    assert response.status_code == 302
    coverage.refresh_from_db()
    assert coverage.name == "参保率（已审核）" and coverage.code == "COVERAGE"


def test_it_checks_the_formula_live(coverage: Indicator, data: Data) -> None:
    client = client_for(data.zhenghua)
    html = client.post(reverse("indicators:check"), form_data()).content.decode()
    county = coverage.values.get(division_code="330599000000", period="2024-12")
    assert "公式有效" in html and "试算：2024-12 全县为" in html
    assert f"{county.value:.1f}" in html
    assert "分子：数据集“社保参保”·参保人数·求和（筛选：审核状态 = 已审核）" in html
    bad = client.post(reverse("indicators:check"), form_data(num_agg="sum", num_field="审核状态"))
    assert "分子：字段“审核状态”是文本，不能求和" in bad.content.decode()


def test_it_needs_the_csrf_token_to_recompute(coverage: Indicator, data: Data) -> None:
    client = client_for(data.zhenghua, enforce_csrf_checks=True)
    response = client.post(reverse("indicators:refresh", args=["COVERAGE"]))
    assert response.status_code == 403


def test_it_queues_the_recomputation(
    coverage: Indicator, data: Data, queued: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(data.zhenghua).post(
            reverse("indicators:refresh", args=["COVERAGE"]), follow=True
        )
    assert queued == [(svc.REFRESH_JOB, ("COVERAGE",))]
    assert "已提交重新计算" in response.content.decode()
    assert svc.indicator_refresh_by_code("COVERAGE") == 9 * 24
