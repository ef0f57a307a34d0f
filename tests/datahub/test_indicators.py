"""Indicators: 郑华 defines them over 村人口 and 社保参保; they are computed, rolled up and stored."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from tests.datahub.indicator_fixtures import (
    MONTHS,
    VILLAGES,
    Data,
    insured,
    population,
    reviewed,
)
from zhili.audit.models import AuditEntry
from zhili.datahub import indicators as svc
from zhili.datahub.formulas import FormulaInvalid, formula_check, formula_text
from zhili.datahub.indicators import (
    IndicatorInvalid,
    PermissionDenied,
    indicator_compute,
    indicator_create,
    indicator_refresh,
    indicator_update,
    indicators_refresh_all,
    indicators_refresh_stale,
)
from zhili.datahub.models import Dataset, Indicator, IndicatorValue
from zhili.datahub.versions import version_publish

TOWNS = {"330599101000": "东山镇", "330599102000": "西湖镇"}
COUNTY = "330599000000"


@pytest.fixture
def data(county: Any) -> Data:
    return Data(county)


def values(table: pa.Table) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["division_code"], r["period"]): r for r in table.to_pylist()}


def ok_formula(**changes: Any) -> dict[str, Any]:
    return {
        "dataset": "SOCIAL",
        "field": "参保人数",
        "agg": "sum",
        "filters": [{"field": "审核状态", "op": "=", "value": "已审核"}],
    } | changes


# ---- checking a formula ----


def problems(numerator: Any, denominator: Any = None, frequency: str = "monthly") -> list[str]:
    return formula_check(numerator, denominator, frequency=frequency)[1]


def test_it_accepts_a_good_formula(data: Data) -> None:
    parts, found = formula_check(
        ok_formula(), {"dataset": "POP", "field": "户籍人口", "agg": "sum"}, frequency="monthly"
    )
    assert found == []
    assert [p.role for p in parts] == ["numerator", "denominator"]
    assert parts[0].filters == (("审核状态", "=", "已审核"),)


@pytest.mark.parametrize(
    ("numerator", "denominator", "message"),
    [
        (ok_formula(), {"dataset": "POP", "field": "户籍人数", "agg": "sum"},
         "分母：数据集“村人口”没有字段“户籍人数”"),
        (ok_formula(dataset="NOPE"), None, "分子：没有编码为“NOPE”的数据集"),
        (ok_formula(dataset=""), None, "分子：请选择数据集"),
        (ok_formula(field="审核状态"), None, "分子：字段“审核状态”是文本，不能求和；非数值字段只能计数"),
        (ok_formula(agg="median"), None, "分子：汇总方式“median”无效，应为求和、平均、计数、最大值、最小值之一"),
        (ok_formula(field=""), None, "分子：请选择数据集“社保参保”的字段"),
        (ok_formula(filters=[{"field": "状态", "op": "=", "value": "x"}]), None,
         "分子：筛选条件第1行：数据集“社保参保”没有字段“状态”"),
        (ok_formula(filters=[{"field": "审核状态", "op": "~", "value": "x"}]), None,
         "分子：筛选条件第1行：比较方式“~”无效，应为 = != > >= < <= in 之一"),
        (ok_formula(filters=[{"field": "审核状态", "op": ">", "value": "x"}]), None,
         "分子：筛选条件第1行：字段“审核状态”是文本，只能用 =、!=、in 比较"),
        (ok_formula(filters=[{"field": "参保人数", "op": ">", "value": "很多"}]), None,
         "分子：筛选条件第1行：字段“参保人数”是整数，“很多”不是整数"),
        (ok_formula(filters=[{"field": "参保人数", "op": ">", "value": ""}]), None,
         "分子：筛选条件第1行：请填写比较的值"),
    ],
)  # fmt: skip
def test_it_names_the_part_that_is_wrong(
    data: Data, numerator: Any, denominator: Any, message: str
) -> None:
    assert message in problems(numerator, denominator)


def test_it_refuses_parts_of_different_levels_and_slower_data(data: Data) -> None:
    Dataset.objects.create(
        code="TOWNFIN", name="乡镇财政", category="财政", department=data.county.zrzy,
        frequency="yearly", sharing="open", division_level="town",
        table_schema={"fields": [{"name": "收入", "type": "number"}]},
    )  # fmt: skip
    found = problems(ok_formula(), {"dataset": "TOWNFIN", "field": "收入", "agg": "sum"})
    assert "分母：数据集“乡镇财政”按年更新，不能计算按月的指标" in found
    assert any("按乡镇填报" in p and "层级须一致" in p for p in found)
    assert problems({"dataset": "TOWNFIN", "field": "收入", "agg": "sum"}, frequency="yearly") == []


def test_it_counts_any_field_and_types_in_lists(data: Data) -> None:
    parts, found = formula_check(
        {
            "dataset": "SOCIAL", "field": "审核状态", "agg": "count",
            "filters": [{"field": "参保人数", "op": "in", "value": "1，2, 3"}],
        },
        None, frequency="monthly",
    )  # fmt: skip
    assert found == []
    assert parts[0].filters == (("参保人数", "in", [1, 2, 3]),)
    assert parts[0].as_json()["filters"][0]["value"] == [1, 2, 3]


def test_it_writes_a_formula_in_words(data: Data) -> None:
    text = formula_text(ok_formula(), {"SOCIAL": data.social})
    assert text == "数据集“社保参保”·参保人数·求和（筛选：审核状态 = 已审核）"


# ---- computing ----


def test_it_computes_a_ratio_with_a_filter_at_every_level(data: Data) -> None:
    result = values(indicator_compute(data.coverage()))
    assert len(result) == (6 + 2 + 1) * 24
    for i, month in enumerate(MONTHS):
        towns: dict[str, list[float]] = {t: [0, 0] for t in TOWNS}
        for v, town in VILLAGES.items():
            num = insured(v, i) if reviewed(v, i) == "已审核" else 0
            row = result[(v, month)]
            assert row["level"] == "village"
            assert row["numerator"] == num and row["denominator"] == population(v, i)
            assert row["value"] == pytest.approx(num / population(v, i) * 100)
            towns[town][0] += num
            towns[town][1] += population(v, i)
        for town, (num, den) in towns.items():
            row = result[(town, month)]
            assert row["level"] == "town"
            assert (row["numerator"], row["denominator"]) == (num, den)
            # A ratio of sums, not an average of the villages' ratios.
            assert row["value"] == pytest.approx(num / den * 100)
        county = result[(COUNTY, month)]
        assert county["numerator"] == sum(n for n, _ in towns.values())
        assert county["value"] == pytest.approx(
            county["numerator"] / sum(d for _, d in towns.values()) * 100
        )


def test_it_averages_a_quarter_over_all_its_rows(data: Data) -> None:
    result = values(indicator_compute(data.residents()))
    assert len(result) == 9 * 8
    resident = {
        (v, i): population(v, i) * 0.9 + (50 if i % 12 == 6 else 0)
        for v in VILLAGES
        for i in range(24)
    }
    q3 = range(6, 9)  # 2023Q3: July carries the +50
    hudong = [resident[("330599102201", i)] for i in q3]
    assert result[("330599102201", "2023Q3")]["value"] == pytest.approx(sum(hudong) / 3)
    town = [resident[(v, i)] for v, t in VILLAGES.items() if t == "330599102000" for i in q3]
    assert result[("330599102000", "2023Q3")]["value"] == pytest.approx(sum(town) / len(town))
    assert result[(COUNTY, "2024Q4")]["denominator"] is None


def test_it_leaves_out_incomplete_periods_and_missing_parts(data: Data) -> None:
    # 南岭村 did not report June 2024 at all; its 2024Q2 has no value, nor is it in the town's.
    table = pa.table(
        {
            "division_code": [v for v in VILLAGES for _ in MONTHS],
            "period": [p for _ in VILLAGES for p in MONTHS],
            "户籍人口": [population(v, i) for v in VILLAGES for i in range(24)],
            "常住人口": [100.0 for _ in VILLAGES for _ in MONTHS],
        }
    )
    keep = [
        not (c == "330599101203" and p == "2024-06")
        for c, p in zip(
            table["division_code"].to_pylist(), table["period"].to_pylist(), strict=True
        )
    ]
    version_publish(dataset=data.pop, table=table.filter(pa.array(keep)))
    residents = values(indicator_compute(data.residents()))
    assert ("330599101203", "2024Q2") not in residents
    assert ("330599101203", "2024Q1") in residents
    coverage = values(indicator_compute(data.coverage()))
    june = coverage[("330599101203", "2024-06")]  # insured reported, population not
    assert june["denominator"] is None and june["value"] is None
    town = coverage[("330599101000", "2024-06")]
    assert town["denominator"] == population("330599101201", 17) + population("330599101202", 17)


def test_it_counts_and_takes_extremes(data: Data) -> None:
    pending = Indicator.objects.create(
        code="PENDING", name="待审核月数", frequency="yearly", owner=data.county.zrzy,
        numerator={
            "dataset": "SOCIAL", "field": "", "agg": "count",
            "filters": [{"field": "审核状态", "op": "in", "value": ["待审核"]}],
        },
    )  # fmt: skip
    result = values(indicator_compute(pending))
    assert result[("330599102203", "2023")]["value"] == 4  # months 0, 3, 6, 9
    assert result[("330599101201", "2023")]["value"] == 0
    assert result[("330599102000", "2024")]["value"] == 4
    largest = Indicator.objects.create(
        code="LARGEST", name="最大户籍人口", frequency="yearly", owner=data.county.zrzy,
        numerator={"dataset": "POP", "field": "户籍人口", "agg": "max"},
    )  # fmt: skip
    result = values(indicator_compute(largest))
    assert result[(COUNTY, "2024")]["value"] == population("330599102203", 23)


def test_it_computes_nothing_before_anything_is_published(data: Data) -> None:
    Dataset.objects.filter(pk=data.pop.pk).update(current=None)
    assert indicator_compute(data.coverage()).num_rows == 0


def test_it_refuses_a_formula_the_schema_no_longer_allows(data: Data) -> None:
    indicator = data.coverage()
    data.pop.table_schema = {"fields": [{"name": "常住人口", "type": "number"}]}
    data.pop.save()
    with pytest.raises(FormulaInvalid, match="分母：数据集“村人口”没有字段“户籍人口”"):
        indicator_compute(indicator)


# ---- storing ----


def test_it_stores_the_values_and_replaces_them(data: Data) -> None:
    indicator = data.coverage()
    assert indicator_refresh(indicator) == 9 * 24
    indicator.refresh_from_db()
    assert indicator.computed_at is not None
    stored = IndicatorValue.objects.get(indicator=indicator, division_code=COUNTY, period="2024-12")
    assert stored.level == "county" and stored.value == pytest.approx(
        stored.numerator / stored.denominator * 100
    )
    first = indicator.computed_at
    assert indicator_refresh(indicator) == 9 * 24
    assert IndicatorValue.objects.filter(indicator=indicator).count() == 9 * 24
    indicator.refresh_from_db()
    assert indicator.computed_at > first


def test_it_refreshes_all_and_skips_a_broken_one(data: Data) -> None:
    coverage, residents = data.coverage(), data.residents()
    broken = Indicator.objects.create(
        code="BROKEN", name="坏指标", owner=data.county.zrzy,
        numerator={"dataset": "POP", "field": "不存在", "agg": "sum"},
    )  # fmt: skip
    done = indicators_refresh_all()
    assert done == {"BROKEN": -1, "COVERAGE": 9 * 24, "RESIDENTS": 9 * 8}
    assert not IndicatorValue.objects.filter(indicator=broken).exists()
    # Nothing changed since: the periodic job has nothing to do, until a version is published.
    assert indicators_refresh_stale() == {"BROKEN": -1}
    data.publish_all()
    assert set(indicators_refresh_stale()) == {"BROKEN", "COVERAGE", "RESIDENTS"}
    assert coverage.pk and residents.pk


# ---- defining ----


@pytest.fixture
def queued(monkeypatch: Any) -> list[Any]:
    calls: list[Any] = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, *args: calls.append((func, args)))
    return calls


def definition(**changes: Any) -> dict[str, Any]:
    return {
        "code": "COVERAGE",
        "name": "参保率",
        "unit": "%",
        "scale": 100,
        "numerator": ok_formula(),
        "denominator": {"dataset": "POP", "field": "户籍人口", "agg": "sum", "filters": []},
    } | changes


def test_it_lets_a_data_steward_define_an_indicator_of_their_department(
    data: Data, queued: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        indicator = indicator_create(actor=data.zhenghua, owner=data.county.zrzy, **definition())
    assert indicator.created_by == data.zhenghua
    assert indicator.numerator["filters"] == [{"field": "审核状态", "op": "=", "value": "已审核"}]
    assert queued == [(svc.REFRESH_JOB, ("COVERAGE",))]
    entry = AuditEntry.objects.get(action="indicator.create")
    assert entry.object_id == "COVERAGE" and entry.actor_name == "郑华"


def test_it_refuses_a_steward_another_departments_indicator(data: Data) -> None:
    with pytest.raises(PermissionDenied, match="您无权维护清溪县市场监督管理局的指标"):
        indicator_create(actor=data.zhenghua, owner=data.county.scjg, **definition())
    with pytest.raises(PermissionDenied, match="只有数据管理员和系统管理员可以定义指标"):
        indicator_create(actor=data.county.zhangwei, owner=data.county.scjg, **definition())
    theirs = Indicator.objects.create(
        code="X", name="市场监管局的指标", owner=data.county.scjg, numerator=ok_formula()
    )
    with pytest.raises(PermissionDenied):
        indicator_update(actor=data.zhenghua, indicator=theirs, name="改名")


def test_it_lets_an_admin_define_any_indicator(data: Data) -> None:
    indicator = indicator_create(actor=data.county.admin, owner=data.county.scjg, **definition())
    assert indicator.owner == data.county.scjg


def test_it_lists_every_problem_of_a_definition(data: Data) -> None:
    with pytest.raises(IndicatorInvalid) as caught:
        indicator_create(
            actor=data.zhenghua, owner=data.county.zrzy,
            **definition(code="1bad", name=" ", scale="x", direction="sideways",
                         denominator={"dataset": "POP", "field": "户籍人数", "agg": "sum"}),
        )  # fmt: skip
    assert caught.value.problems == [
        "指标编码：以字母开头，由字母、数字、_ . - 组成，最长64位",
        "名称：必填",
        "方向：应为“越大越好”或“越小越好”",
        "倍数：“x”不是数字",
        "分母：数据集“村人口”没有字段“户籍人数”",
    ]
    assert not Indicator.objects.exists()


def test_it_refuses_a_restricted_dataset_of_another_department(data: Data) -> None:
    Dataset.objects.filter(pk=data.social.pk).update(sharing="restricted")  # 市场监管局's
    with pytest.raises(IndicatorInvalid, match="分子：您无权使用受限数据集“社保参保”"):
        indicator_create(actor=data.zhenghua, owner=data.county.zrzy, **definition())
    assert indicator_create(actor=data.county.admin, owner=data.county.zrzy, **definition())


def test_it_recomputes_when_the_formula_changes(
    data: Data, queued: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    indicator = data.coverage()
    with django_capture_on_commit_callbacks(execute=True):
        indicator_update(actor=data.zhenghua, indicator=indicator, name="基本养老保险参保率")
    assert queued == []
    with django_capture_on_commit_callbacks(execute=True):
        indicator_update(actor=data.zhenghua, indicator=indicator, scale=1000, unit="‰")
    assert queued == [(svc.REFRESH_JOB, ("COVERAGE",))]
    indicator.refresh_from_db()
    assert (indicator.name, indicator.scale, indicator.unit) == ("基本养老保险参保率", 1000, "‰")
    entry = AuditEntry.objects.filter(action="indicator.update").order_by("-id").first()
    assert entry is not None and "scale" in entry.summary
