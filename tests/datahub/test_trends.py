"""Trend analysis on series whose answers are known, then on 清溪县's stored values."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from tests.datahub.indicator_fixtures import Data
from zhili.datahub import trends
from zhili.datahub.indicators import indicator_refresh
from zhili.datahub.models import IndicatorValue
from zhili.datahub.trends import Decomposition, NotEnoughData


@pytest.fixture
def data(county: Any) -> Data:
    return Data(county)


def months(start_year: int, n: int) -> list[str]:
    return [f"{start_year + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


def seasonal_series(n: int = 48, *, seed: int = 7) -> list[tuple[str, float | None]]:
    """A rising monthly series with a yearly season and a little noise."""
    rng = np.random.default_rng(seed)
    return [
        (p, 200 + 1.5 * t + 20 * math.sin(2 * math.pi * t / 12) + rng.normal(0, 1.5))
        for t, p in enumerate(months(2021, n))
    ]


# ---- periods, changes, moving averages ----


def test_it_steps_through_the_calendar() -> None:
    assert trends.shift("2024-12", "monthly", 1) == "2025-01"
    assert trends.shift("2025-01", "monthly", -13) == "2023-12"
    assert trends.shift("2024Q4", "quarterly", 1) == "2025Q1"
    assert trends.shift("2025", "yearly", -1) == "2024"


def test_it_computes_month_on_month_and_year_on_year_exactly() -> None:
    series = [(p, 100.0 + i * 10) for i, p in enumerate(months(2023, 13))]
    series[3] = (series[3][0], None)  # 2023-04 not reported
    by_period = {c.period: c for c in trends.mom(series, "monthly")}
    assert by_period["2023-02"].pct == pytest.approx(10.0)  # 110 on 100
    assert by_period["2023-02"].delta == pytest.approx(10.0)
    assert by_period["2023-04"].value is None and by_period["2023-04"].pct is None
    assert by_period["2023-05"].base is None  # the month before is missing, not the row before
    assert by_period["2023-01"].base is None
    yoy = {c.period: c for c in trends.yoy(series, "monthly")}
    assert yoy["2024-01"].base == 100.0 and yoy["2024-01"].value == 220.0
    assert yoy["2024-01"].pct == pytest.approx(120.0)
    assert yoy["2023-12"].pct is None


def test_it_compares_quarters_with_the_same_quarter_a_year_before() -> None:
    series = [("2024Q1", 50.0), ("2024Q2", 60.0), ("2025Q1", 40.0), ("2025Q2", 66.0)]
    yoy = {c.period: c.pct for c in trends.yoy(series, "quarterly")}
    assert yoy["2025Q1"] == pytest.approx(-20.0)
    assert yoy["2025Q2"] == pytest.approx(10.0)
    mom = {c.period: c.pct for c in trends.mom(series, "quarterly")}
    assert mom["2025Q1"] is None  # 2024Q4 is missing
    assert mom["2025Q2"] == pytest.approx(65.0)


def test_it_says_nothing_about_a_change_on_zero() -> None:
    change = trends.mom([("2024", 0.0), ("2025", 5.0)], "yearly")[1]
    assert change.delta == 5.0 and change.pct is None


def test_it_averages_only_full_windows() -> None:
    series = [(str(2018 + i), float(i + 1)) for i in range(5)]
    assert trends.moving_average(series, "yearly", 3) == [
        ("2018", None), ("2019", None), ("2020", 2.0), ("2021", 3.0), ("2022", 4.0),
    ]  # fmt: skip
    series[3] = ("2021", None)
    assert [v for _, v in trends.moving_average(series, "yearly", 3)][3:] == [None, None]


# ---- decomposition ----


def test_it_decomposes_a_seasonal_series() -> None:
    parts = trends.decompose(seasonal_series(36), "monthly")
    assert isinstance(parts, Decomposition)
    assert parts.seasonal_strength > 0.9
    assert len(parts.trend) == 36
    # The season peaks in the third month of each year (sin at t = 3).
    assert int(np.argmax(parts.seasonal[:12])) in {2, 3, 4}


def test_it_says_there_are_not_enough_data() -> None:
    short = trends.decompose(seasonal_series(20), "monthly")
    assert isinstance(short, NotEnoughData) and not short
    assert short.reason.startswith("数据不足") and "24期" in short.reason
    yearly = trends.decompose([(str(2000 + i), float(i)) for i in range(30)], "yearly")
    assert isinstance(yearly, NotEnoughData) and "数据不足" in yearly.reason


def test_it_decomposes_across_a_gap_without_inventing_data() -> None:
    series = seasonal_series(36)
    series[10] = (series[10][0], None)
    parts = trends.decompose(series, "monthly")
    assert isinstance(parts, Decomposition)
    assert parts.filled[10] and sum(parts.filled) == 1


# ---- forecast ----


def test_it_forecasts_a_linear_trend_within_its_interval() -> None:
    rng = np.random.default_rng(3)
    series = [(p, 100 + 2.0 * t + rng.normal(0, 1.0)) for t, p in enumerate(months(2022, 36))]
    points = trends.forecast(series, "monthly", 6)
    assert [p.period for p in points] == months(2025, 6)
    for k, point in enumerate(points):
        truth = 100 + 2.0 * (36 + k)
        assert point.lo < truth < point.hi
        assert point.lo < point.value < point.hi
        assert abs(point.value - truth) < 3
    narrow = trends.forecast(series, "monthly", 6, level=0.8)
    assert all(n.hi - n.lo < w.hi - w.lo for n, w in zip(narrow, points, strict=True))


def test_it_forecasts_the_season_when_it_has_two_years() -> None:
    model = trends.fit(seasonal_series(48), "monthly")
    assert model is not None and "季节" in model.method
    points = model.predict(12)
    assert [p.period for p in points][:2] == ["2025-01", "2025-02"]
    # Next year's season repeats: April at the top, October at the bottom (40 apart, less the trend).
    assert points[3].value > points[9].value + 20


def test_it_falls_back_to_a_random_walk_for_a_short_series() -> None:
    series = [("2022", 10.0), ("2023", 12.0), ("2024", 15.0)]
    model = trends.fit(series, "yearly")
    assert model is not None and "随机游走" in model.method
    first, second = model.predict(2)
    assert first.period == "2025" and first.value == pytest.approx(17.5)
    assert second.value == pytest.approx(20.0)
    assert second.hi - second.lo > first.hi - first.lo
    assert trends.forecast([("2024", 3.0)], "yearly") == []


# ---- anomalies ----


def test_it_flags_a_planted_spike_in_its_own_history() -> None:
    series = seasonal_series(48)
    period, value = series[30]
    series[30] = (period, value + 60)
    found = trends.anomalies(series, "monthly")
    assert [(a.period, a.kind) for a in found] == [(period, "history")]
    assert found[0].z > 3.5
    assert abs(found[0].expected - value) < 5
    assert found[0].why.startswith("明显高于自身历史水平")


def test_it_flags_a_spike_in_the_latest_month() -> None:
    series = seasonal_series(48)
    period, value = series[-1]
    series[-1] = (period, value - 60)
    found = trends.anomalies(series, "monthly")
    assert [(a.period, a.kind) for a in found] == [(period, "history")]
    assert "低于" in found[0].why


def test_it_flags_nothing_in_an_ordinary_series() -> None:
    assert trends.anomalies(seasonal_series(48), "monthly") == []
    line = [(str(2000 + i), 50.0 + 3 * i) for i in range(12)]
    assert trends.anomalies(line, "yearly") == []


def test_it_flags_a_spike_in_a_short_yearly_series() -> None:
    series = [(str(2014 + i), 50.0 + 3 * i + (0.4 if i % 2 else -0.4)) for i in range(10)]
    series[6] = ("2020", 120.0)
    found = trends.anomalies(series, "yearly")
    assert [(a.period, a.kind) for a in found] == [("2020", "history")]


def test_it_flags_a_value_far_from_its_peers() -> None:
    series = [("2025-01", 300.0), ("2025-02", 101.0)]
    peers: dict[str, list[float | None]] = {
        "2025-01": [100.0, 102.0, 98.0, 101.0, 99.0],
        "2025-02": [100.0, 102.0, 98.0, 103.0, None],
    }
    found = trends.anomalies(series, "monthly", peers=peers)
    assert [(a.period, a.kind) for a in found] == [("2025-01", "peers")]
    assert found[0].expected == 100.0
    assert found[0].why == "明显高于同级区划（同期中位数100）"
    # Too few peers to say anything.
    assert trends.anomalies(series, "monthly", peers={"2025-01": [100.0, 101.0, 99.0]}) == []


# ---- reading stored values ----


@pytest.fixture
def coverage(data: Data) -> Any:
    indicator = data.coverage()
    indicator_refresh(indicator)
    return indicator


def _set(indicator: Any, code: str, period: str, value: float) -> None:
    IndicatorValue.objects.filter(indicator=indicator, division_code=code, period=period).update(
        value=value
    )


def test_it_ranks_a_village_among_the_villages_of_its_town(coverage: Any, data: Data) -> None:
    # 东山镇: 东山村, 西坞村, 南岭村. Values set by hand for one month.
    for code, value in [("330599101201", 80.0), ("330599101202", 90.0), ("330599101203", 80.0)]:
        _set(coverage, code, "2024-06", value)
    assert trends.rank_among_peers(coverage, "330599101202", "2024-06") == (1, 3)
    assert trends.rank_among_peers(coverage, "330599101201", "2024-06") == (2, 3)
    assert trends.rank_among_peers(coverage, "330599101203", "2024-06").total == 3
    coverage.direction = "down"  # e.g. a poverty rate: lower is better
    assert trends.rank_among_peers(coverage, "330599101201", "2024-06") == (1, 3)
    assert trends.rank_among_peers(coverage, "330599101202", "2024-06") == (3, 3)
    # Among all six villages of the county, and the county alone among counties.
    assert trends.rank_among_peers(coverage, "330599101202", "2024-06", among="level").of == 6
    assert trends.rank_among_peers(coverage, "330599000000", "2024-06") == (1, 1)
    assert trends.rank_among_peers(coverage, "330599101202", "1999-01") is None


def test_it_bundles_the_trend_of_a_division(coverage: Any, data: Data) -> None:
    _set(coverage, "330599101201", "2024-09", 400.0)  # 东山村, a planted anomaly
    trend = trends.trend_for(coverage, "330599101201")
    assert len(trend.series) == 24 and trend.latest is not None
    assert trend.latest[0] == "2024-12"
    assert trend.change_of("2024-12", "mom") is not None
    assert isinstance(trend.decomposition, Decomposition)
    assert len(trend.forecast) == 6 and len(trend.forecast_80) == 6
    assert trend.forecast[0].period == "2025-01" and trend.forecast_method
    flagged = {(a.period, a.kind) for a in trend.anomalies}
    assert ("2024-09", "history") in flagged
    assert trend.rank is not None and trend.rank.of == 3
    assert [m for _, m in trend.moving_average][:11] == [None] * 11


def test_it_lists_the_latest_anomalies_of_an_indicator(coverage: Any, data: Data) -> None:
    _set(coverage, "330599102201", "2024-12", 400.0)  # 湖东村
    found = trends.indicator_anomalies(coverage)
    assert {(a.division_code, a.period) for a in found} == {("330599102201", "2024-12")}
    assert {a.kind for a in found} == {"history", "peers"} or {a.kind for a in found} == {"history"}
    assert found[0].why
