"""Trend analysis of an indicator's series (趋势分析): pure functions, then readers of IndicatorValue.

A series is ``[(period, value or None), …]`` of one frequency (periods
``2025-03``, ``2025Q1`` or ``2025``), in any order and with gaps; each
function puts it on a regular calendar first, so "the month before" is the
calendar's month before, never merely the previous row.

- ``mom`` / ``yoy``: change on the previous period / the same period a year
  earlier, absolute and in per cent of the base.
- ``moving_average``: trailing mean over a window, only where the window is full.
- ``decompose``: STL (statsmodels) into trend, seasonal and residual, for
  monthly series of at least 24 periods or quarterly of at least 8.
- ``forecast``: exponential smoothing (ETS) with a prediction interval;
  additive seasonality when there are two full years, a damped or linear
  trend chosen by AICc, a random walk with drift for short series.
- ``anomalies``: a value far from its own history, or far from its peers'
  values of the same period; robust z-scores (median and MAD), |z| > 3.5
  (Iglewicz & Hoaglin). Its own history: the seasonally adjusted value
  (robust seasonal offsets over a moving median) against a robust local line
  (Theil–Sen) through its twelve nearest neighbours. Not the STL residual:
  with two to five years of data STL (robust or not) bends towards a spike
  or fits the ends too closely, and flags ordinary months; on synthetic
  seasonal series with noise this rule flags about one ordinary month in
  7,000 and every spike of 40 standard deviations, at the start, in the
  middle or in the latest month.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import math
import os
import statistics
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from zhili.datahub.models import Indicator

Series = Sequence[tuple[str, float | None]]

THRESHOLD = 3.5
MIN_PEERS = 4
LOCAL_HALF_WINDOW = 6
SEASON = {"monthly": 12, "quarterly": 4, "yearly": 1}
WINDOW = {"monthly": 12, "quarterly": 4, "yearly": 3}
HORIZON = {"monthly": 6, "quarterly": 4, "yearly": 2}
FREQUENCY_LABELS = {"monthly": "按月", "quarterly": "按季", "yearly": "按年"}


# ---- periods ----


def ordinal(period: str, frequency: str) -> int:
    """A period as a count of periods since year 0, so that neighbours differ by one."""
    year = int(period[:4])
    if frequency == "monthly":
        return year * 12 + int(period[5:7]) - 1
    if frequency == "quarterly":
        return year * 4 + int(period[5]) - 1
    return year


def from_ordinal(n: int, frequency: str) -> str:
    if frequency == "monthly":
        return f"{n // 12:04d}-{n % 12 + 1:02d}"
    if frequency == "quarterly":
        return f"{n // 4:04d}Q{n % 4 + 1}"
    return f"{n:04d}"


def shift(period: str, frequency: str, n: int) -> str:
    """The period ``n`` periods later (earlier when negative)."""
    return from_ordinal(ordinal(period, frequency) + n, frequency)


def regular(series: Series, frequency: str) -> tuple[list[str], np.ndarray]:
    """Every period from the first to the last, and the values with NaN where none is known."""
    known: dict[int, float] = {ordinal(p, frequency): float(v) for p, v in series if v is not None}
    ordinals = [ordinal(p, frequency) for p, _ in series]
    if not ordinals:
        return [], np.array([], dtype=float)
    first, last = min(ordinals), max(ordinals)
    periods = [from_ordinal(n, frequency) for n in range(first, last + 1)]
    values = np.array([known.get(n, np.nan) for n in range(first, last + 1)], dtype=float)
    return periods, values


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


# ---- changes and moving averages ----


@dataclass(frozen=True)
class Change:
    period: str
    value: float | None
    base: float | None  # the value compared with
    delta: float | None  # value − base
    pct: float | None  # (value − base) / |base| × 100; None when the base is 0 or unknown


def _changes(series: Series, frequency: str, lag: int) -> list[Change]:
    periods, y = regular(series, frequency)
    out = []
    for i, p in enumerate(periods):
        value = _num(y[i])
        base = _num(y[i - lag]) if i >= lag else None
        delta = value - base if value is not None and base is not None else None
        pct = delta / abs(base) * 100 if delta is not None and base else None
        out.append(Change(p, value, base, delta, pct))
    return out


def mom(series: Series, frequency: str) -> list[Change]:
    """环比: each period against the one before (for a yearly series, the year before)."""
    return _changes(series, frequency, 1)


def yoy(series: Series, frequency: str) -> list[Change]:
    """同比: each period against the same period a year earlier."""
    return _changes(series, frequency, SEASON.get(frequency, 1))


def moving_average(
    series: Series, frequency: str, window: int | None = None
) -> list[tuple[str, float | None]]:
    """Trailing mean of ``window`` periods (default: a year, or 3 years for yearly data)."""
    window = window or WINDOW.get(frequency, 3)
    periods, y = regular(series, frequency)
    means = pd.Series(y).rolling(window, min_periods=window).mean().to_numpy()
    return [(p, _num(m)) for p, m in zip(periods, means, strict=True)]


# ---- seasonal decomposition ----


@dataclass(frozen=True)
class NotEnoughData:
    reason: str

    def __bool__(self) -> bool:
        return False


@dataclass(frozen=True)
class Decomposition:
    periods: list[str]
    observed: list[float]
    trend: list[float]
    seasonal: list[float]
    resid: list[float]
    seasonal_strength: float  # 0 (none) … 1 (all of the variation); Wang, Smith & Hyndman 2006
    trend_strength: float
    filled: list[bool]  # True where a gap was interpolated before decomposing


def _trimmed(series: Series, frequency: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The series without leading and trailing gaps, inner gaps interpolated; and where they were."""
    periods, y = regular(series, frequency)
    known = ~np.isnan(y)
    if not known.any():
        return [], y, known
    first, last = int(np.argmax(known)), len(y) - int(np.argmax(known[::-1]))
    periods, y, known = periods[first:last], y[first:last], known[first:last]
    y = pd.Series(y).interpolate(limit_area="inside").to_numpy()
    return periods, y, ~known


def decompose(series: Series, frequency: str) -> Decomposition | NotEnoughData:
    """Trend, seasonal and residual parts (STL), or why there are not enough data for them."""
    period = SEASON.get(frequency, 1)
    if period == 1:
        return NotEnoughData("数据不足：按年的数据没有季节，不作季节分解")
    periods, y, filled = _trimmed(series, frequency)
    need = 2 * period
    if len(y) < need:
        return NotEnoughData(
            f"数据不足：{FREQUENCY_LABELS[frequency]}数据的季节分解至少需要{need}期，现有{len(y)}期"
        )
    from statsmodels.tsa.seasonal import STL

    # Not the robust variant: with a few years of data its weights fit most points exactly.
    result = STL(y, period=period).fit()
    trend, seasonal, resid = (
        np.asarray(x, dtype=float) for x in (result.trend, result.seasonal, result.resid)
    )

    def strength(part: np.ndarray) -> float:
        total = float(np.var(part + resid))
        return max(0.0, 1 - float(np.var(resid)) / total) if total > 0 else 0.0

    return Decomposition(
        periods=periods,
        observed=[float(v) for v in y],
        trend=[float(v) for v in trend],
        seasonal=[float(v) for v in seasonal],
        resid=[float(v) for v in resid],
        seasonal_strength=round(strength(seasonal), 3),
        trend_strength=round(strength(trend), 3),
        filled=[bool(f) for f in filled],
    )


# ---- forecast ----


class ForecastPoint(NamedTuple):
    period: str
    value: float
    lo: float
    hi: float


def _z(level: float) -> float:
    return statistics.NormalDist().inv_cdf(0.5 + level / 2)


@dataclass
class Model:
    """A model fitted to a series, ready to forecast at any interval level."""

    method: str  # in Chinese, for the chart's caption
    last: str
    frequency: str
    _ets: Any = None
    _drift: float = 0.0
    _sigma: float = 0.0
    _level: float = 0.0

    def predict(self, h: int, level: float = 0.95) -> list[ForecastPoint]:
        periods = [shift(self.last, self.frequency, k) for k in range(1, h + 1)]
        if self._ets is not None:
            n = self._ets.nobs
            frame = self._ets.get_prediction(start=n, end=n + h - 1).summary_frame(alpha=1 - level)
            rows = zip(frame["mean"], frame["pi_lower"], frame["pi_upper"], strict=True)
            return [
                ForecastPoint(p, float(m), float(lo), float(hi))
                for p, (m, lo, hi) in zip(periods, rows, strict=True)
            ]
        z = _z(level)
        return [
            ForecastPoint(
                p,
                self._level + k * self._drift,
                self._level + k * self._drift - z * self._sigma * math.sqrt(k),
                self._level + k * self._drift + z * self._sigma * math.sqrt(k),
            )
            for k, p in enumerate(periods, start=1)
        ]


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Run scipy's OpenBLAS on one thread while fitting.

    The optimiser behind ETS makes hundreds of BLAS calls on vectors of a
    few numbers; OpenBLAS waking its threads for each made a fit ten times
    slower (1.3 s instead of 0.13 s on two cores). Setting
    OPENBLAS_NUM_THREADS=1 for the web and worker processes makes this a no-op.
    """
    lib = None
    try:
        import scipy

        found = glob.glob(
            os.path.join(
                os.path.dirname(scipy.__file__), os.pardir, "scipy.libs", "libscipy_openblas*.so"
            )
        )
        if found:
            lib = ctypes.CDLL(found[0])
            before = int(lib.scipy_openblas_get_num_threads())
            lib.scipy_openblas_set_num_threads(1)
    except (OSError, AttributeError):
        lib = None
    try:
        yield
    finally:
        if lib is not None:
            lib.scipy_openblas_set_num_threads(before)


def _ets(y: np.ndarray, season: int) -> tuple[Any, str] | None:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    seasonal = season > 1 and len(y) >= 2 * season
    best: tuple[Any, str] | None = None
    for damped in (False, True):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = ETSModel(
                    pd.Series(y),
                    error="add",
                    trend="add",
                    damped_trend=damped,
                    seasonal="add" if seasonal else None,
                    seasonal_periods=season if seasonal else None,
                )
                fitted = model.fit(disp=False)
        except Exception:  # a degenerate series (constant, too short) the optimiser rejects
            continue
        if not np.isfinite(fitted.aicc):
            continue
        label = (
            "指数平滑（ETS"
            + ("，阻尼趋势" if damped else "，线性趋势")
            + ("，季节）" if seasonal else "）")
        )
        if best is None or fitted.aicc < best[0].aicc:
            best = (fitted, label)
    return best


def fit(series: Series, frequency: str) -> Model | None:
    """The forecasting model for a series, or None when it has fewer than two values."""
    periods, y, _ = _trimmed(series, frequency)
    if len(y) < 2:
        return None
    if len(y) >= 8 and np.ptp(y) > 0:
        with _one_blas_thread():
            found = _ets(y, SEASON.get(frequency, 1))
        if found is not None:
            return Model(method=found[1], last=periods[-1], frequency=frequency, _ets=found[0])
    diffs = np.diff(y)
    drift = float(diffs.mean())
    sigma = float(diffs.std(ddof=1)) if len(diffs) > 1 else abs(drift)
    return Model(
        method="随机游走加漂移（数据较少）",
        last=periods[-1],
        frequency=frequency,
        _drift=drift,
        _sigma=sigma,
        _level=float(y[-1]),
    )


def forecast(
    series: Series, frequency: str, h: int | None = None, *, level: float = 0.95
) -> list[ForecastPoint]:
    """The next ``h`` periods with a ``level`` prediction interval: [(period, value, lo, hi)]."""
    model = fit(series, frequency)
    return model.predict(h or HORIZON.get(frequency, 4), level) if model else []


# ---- anomalies ----


@dataclass(frozen=True)
class Anomaly:
    period: str
    value: float
    kind: str  # "history": far from its own past; "peers": far from the same period of its peers
    z: float
    expected: float  # what the history (or the peers' median) would have given
    division_code: str = ""

    @property
    def why(self) -> str:
        side = "高于" if self.value > self.expected else "低于"
        if self.kind == "history":
            return f"明显{side}自身历史水平（按往常约为{_fmt(self.expected)}）"
        return f"明显{side}同级区划（同期中位数{_fmt(self.expected)}）"


def _fmt(x: float) -> str:
    text = f"{x:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _sigma(x: np.ndarray, centre: float, floor: float = 0.0) -> float:
    """A robust standard deviation around ``centre``: 1.4826 × MAD, or 1.2533 × the mean
    absolute deviation when more than half the values are equal, never below ``floor``."""
    dev = np.abs(x - centre)
    mad = float(np.median(dev))
    sigma = 1.4826 * mad if mad > 0 else 1.253314 * float(np.mean(dev))
    return max(sigma, floor)


def _floor(y: np.ndarray) -> float:
    # Deviations under 0.1% of the series' level are rounding, not events: a series
    # that is smooth to the last digit would otherwise flag its rounding errors.
    known = y[~np.isnan(y)]
    return 0.001 * float(np.median(np.abs(known))) if len(known) else 0.0


def robust_z(x: np.ndarray, floor: float = 0.0) -> np.ndarray:
    """Modified z-scores (Iglewicz & Hoaglin): (x − median) / (1.4826 MAD)."""
    med = float(np.median(x))
    sigma = _sigma(x, med, floor)
    return (x - med) / sigma if sigma > 0 else np.zeros_like(x)


def _seasonal(y: np.ndarray, period: int) -> np.ndarray:
    """Robust seasonal offsets of each period: the median, per season, of the deviation from
    a moving median over a year. Spikes move neither the trend nor the offsets."""
    if period < 2 or np.count_nonzero(~np.isnan(y)) < 2 * period:
        return np.zeros_like(y)
    level = pd.Series(y).rolling(period + 1, center=True, min_periods=period // 2 + 1).median()
    detrended = y - level.to_numpy()
    season = np.arange(len(y)) % period
    offsets = np.array(
        [
            np.nanmedian(detrended[season == k])
            if np.any(~np.isnan(detrended[season == k]))
            else 0.0
            for k in range(period)
        ]
    )
    centred: np.ndarray = (offsets - offsets.mean())[season]
    return centred


def _theil_sen(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    i, j = np.triu_indices(len(x), 1)
    slope = float(np.median((y[j] - y[i]) / (x[j] - x[i])))
    return slope, float(np.median(y - slope * x))


def _local_deviation(a: np.ndarray, half: int = LOCAL_HALF_WINDOW) -> np.ndarray:
    """Each value minus what a robust line through its 2×``half`` nearest neighbours predicts.

    The value itself is left out of its own line, and at the ends the window
    slides inwards, so the latest period is judged as fairly as any other.
    """
    n = len(a)
    dev = np.full(n, np.nan)
    x = np.arange(n, dtype=float)
    span = min(2 * half + 1, n)
    for i in (int(k) for k in np.flatnonzero(~np.isnan(a))):
        lo = min(max(0, i - half), n - span)
        window = [k for k in range(lo, lo + span) if k != i and not np.isnan(a[k])]
        if len(window) < 4:
            continue
        slope, intercept = _theil_sen(x[window], a[window])
        dev[i] = a[i] - (slope * i + intercept)
    return dev


def history_scores(series: Series, frequency: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(periods, robust z-score of each value against its own history, the expected values).

    The series is seasonally adjusted (``_seasonal``) when it has two full
    years, then each value is compared with a robust local line through its
    neighbours; the deviations are scored by their own median and MAD.
    """
    periods, y = regular(series, frequency)
    if len(y) == 0:
        return periods, y, y
    adjusted = y - _seasonal(y, SEASON.get(frequency, 1))
    dev = _local_deviation(adjusted)
    known = dev[~np.isnan(dev)]
    z = np.zeros_like(y)
    if len(known) >= 5:
        med = float(np.median(known))
        sigma = _sigma(known, med, _floor(y))
        if sigma > 0:
            z = np.where(np.isnan(dev), 0.0, (dev - med) / sigma)
    return periods, z, y - np.nan_to_num(dev)


def anomalies(
    series: Series,
    frequency: str,
    *,
    peers: Mapping[str, Sequence[float | None]] | None = None,
    threshold: float = THRESHOLD,
) -> list[Anomaly]:
    """The values far from their own history, and (given ``peers``: period → the peers' values
    of that period, without this division's own) far from their peers."""
    found: list[Anomaly] = []
    periods, z, expected = history_scores(series, frequency)
    known = dict(series)
    for i, p in enumerate(periods):
        value = known.get(p)
        if value is not None and abs(z[i]) > threshold:
            found.append(
                Anomaly(p, float(value), "history", round(float(z[i]), 2), float(expected[i]))
            )
    for p, value in series:
        if value is None or not peers:
            continue
        others = np.array([v for v in peers.get(p, []) if v is not None and math.isfinite(v)])
        if len(others) < MIN_PEERS:
            continue
        # Scored against the peers alone: the value itself must not soften its own score.
        med = float(np.median(others))
        scale = _sigma(others, med, _floor(others))
        if scale <= 0:
            continue
        z_peer = (value - med) / scale
        if abs(z_peer) > threshold:
            found.append(Anomaly(p, float(value), "peers", round(float(z_peer), 2), med))
    return sorted(found, key=lambda a: (a.period, a.kind))


# ---- reading stored values ----


class Rank(NamedTuple):
    rank: int  # 1 is the best, whichever way is better
    of: int  # how many were ranked

    @property
    def total(self) -> int:
        return self.of


def _peer_codes(division_code: str, *, among: str = "siblings") -> tuple[str, list[str]]:
    """(level, codes of the division and its peers): same parent, or (``among="level"``) same level."""
    from zhili.divisions.models import Division

    me = Division.objects.filter(code=division_code).values("level", "parent_id").first()
    if me is None:
        return "", [division_code]
    peers = Division.objects.filter(level=me["level"])
    if among == "siblings":
        peers = peers.filter(parent_id=me["parent_id"])
    return me["level"], list(peers.values_list("code", flat=True))


def rank_among_peers(
    indicator: Indicator, division_code: str, period: str, *, among: str = "siblings"
) -> Rank | None:
    """The division's place among its peers for a period, or None when it has no value.

    Peers are the divisions with the same parent (the villages of its town);
    ``among="level"`` ranks among every division of its level (全县137个行政村).
    Ties share the better place (1, 2, 2, 4).
    """
    from zhili.datahub.models import IndicatorValue

    level, codes = _peer_codes(division_code, among=among)
    rows = IndicatorValue.objects.filter(indicator=indicator, period=period, value__isnull=False)
    rows = rows.filter(level=level) if among == "level" else rows.filter(division_code__in=codes)
    values: dict[str, float] = {
        c: v for c, v in rows.values_list("division_code", "value") if v is not None
    }
    mine = values.get(division_code)
    if mine is None:
        return None
    up = indicator.direction == "up"
    better = sum(1 for v in values.values() if (v > mine if up else v < mine))
    return Rank(better + 1, len(values))


@dataclass
class Trend:
    """Everything the pages and the reports say about one indicator in one division."""

    indicator: Indicator
    division_code: str
    frequency: str
    series: list[tuple[str, float | None]]
    mom: list[Change] = field(default_factory=list)
    yoy: list[Change] = field(default_factory=list)
    moving_average: list[tuple[str, float | None]] = field(default_factory=list)
    window: int = 0
    decomposition: Decomposition | NotEnoughData = NotEnoughData("数据不足")
    forecast_method: str = ""
    forecast: list[ForecastPoint] = field(default_factory=list)  # 95% interval
    forecast_80: list[ForecastPoint] = field(default_factory=list)
    anomalies: list[Anomaly] = field(default_factory=list)
    rank: Rank | None = None  # of the latest period, among the division's siblings

    @property
    def latest(self) -> tuple[str, float | None] | None:
        known = [(p, v) for p, v in self.series if v is not None]
        return known[-1] if known else None

    def change_of(self, period: str, kind: str = "mom") -> Change | None:
        changes = self.mom if kind == "mom" else self.yoy
        return next((c for c in changes if c.period == period), None)


def _peer_values(
    indicator: Indicator, division_code: str, periods: Sequence[str]
) -> dict[str, list[float | None]]:
    from zhili.datahub.models import IndicatorValue

    _, codes = _peer_codes(division_code)
    others = [c for c in codes if c != division_code]
    peers: dict[str, list[float | None]] = {}
    if not others:
        return peers
    rows = IndicatorValue.objects.filter(
        indicator=indicator, division_code__in=others, period__in=list(periods)
    ).values_list("period", "value")
    for p, v in rows:
        peers.setdefault(p, []).append(v)
    return peers


def trend_for(
    indicator: Indicator, division_code: str, *, periods: int = 60, h: int | None = None
) -> Trend:
    """The trend of the indicator in a division over its last ``periods`` stored periods."""
    from zhili.datahub.models import IndicatorValue

    freq = indicator.frequency
    rows = list(
        IndicatorValue.objects.filter(indicator=indicator, division_code=division_code)
        .order_by("-period")
        .values_list("period", "value")[:periods]
    )
    series = sorted(rows)
    trend = Trend(indicator=indicator, division_code=division_code, frequency=freq, series=series)
    if not series:
        return trend
    calendar, known = regular(series, freq)
    trend.series = [(p, _num(float(v))) for p, v in zip(calendar, known, strict=True)]
    trend.mom = mom(series, freq)
    trend.yoy = yoy(series, freq)
    trend.window = WINDOW.get(freq, 3)
    trend.moving_average = moving_average(series, freq, trend.window)
    trend.decomposition = decompose(series, freq)
    model = fit(series, freq)
    if model is not None:
        horizon = h or HORIZON.get(freq, 4)
        trend.forecast_method = model.method
        trend.forecast = model.predict(horizon, 0.95)
        trend.forecast_80 = model.predict(horizon, 0.80)
    peers = _peer_values(indicator, division_code, [p for p, _ in series])
    trend.anomalies = anomalies(series, freq, peers=peers)
    latest = trend.latest
    if latest is not None:
        trend.rank = rank_among_peers(indicator, division_code, latest[0])
    return trend


def indicator_anomalies(indicator: Indicator, *, period: str | None = None) -> list[Anomaly]:
    """The anomalies of every village and town for one period (default: the latest), for alerts.

    Remembered per computation of the indicator (its ``computed_at``), so a
    dashboard does not decompose a hundred series on every visit.
    """
    from django.core.cache import cache

    from zhili.datahub.models import IndicatorValue
    from zhili.divisions.models import Division

    stamp = indicator.computed_at.isoformat() if indicator.computed_at else "never"
    key = f"datahub:anomalies:{indicator.pk}:{stamp}:{period or 'latest'}"
    cached = cache.get(key)
    if cached is not None:
        return list(cached)
    rows = IndicatorValue.objects.filter(
        indicator=indicator, level__in=["village", "town"]
    ).values_list("division_code", "period", "value")
    histories: dict[str, list[tuple[str, float | None]]] = {}
    for code, p, v in rows:
        histories.setdefault(code, []).append((p, v))
    if period is None:
        period = max((p for h in histories.values() for p, v in h if v is not None), default=None)
    found: list[Anomaly] = []
    if period is not None:
        parents = dict(
            Division.objects.filter(code__in=list(histories)).values_list("code", "parent_id")
        )
        by_parent: dict[Any, list[str]] = {}
        for code, parent in parents.items():
            by_parent.setdefault(parent, []).append(code)
        now = {code: dict(h).get(period) for code, h in histories.items()}
        for code, history in histories.items():
            if now.get(code) is None:
                continue
            siblings = [c for c in by_parent.get(parents.get(code), []) if c != code]
            peers = {period: [now.get(c) for c in siblings]}
            for a in anomalies(history, indicator.frequency, peers=peers):
                if a.period == period:
                    found.append(
                        Anomaly(a.period, a.value, a.kind, a.z, a.expected, division_code=code)
                    )
    found.sort(key=lambda a: (-abs(a.z), a.division_code))
    cache.set(key, found, 24 * 3600)
    return found


@dataclass(frozen=True)
class BreakdownRow:
    """One division under a parent, for one period: the table by town (or by village)."""

    code: str
    name: str
    value: float | None
    numerator: float | None
    denominator: float | None
    mom: float | None  # per cent
    yoy: float | None  # per cent
    rank: int | None  # among the rows, 1 the best
    of: int


def breakdown(indicator: Indicator, parent_code: str, period: str) -> list[BreakdownRow]:
    """The children of a division (the towns of the county, the villages of a town) for a period,
    best first, those without a value last."""
    from zhili.datahub.models import IndicatorValue
    from zhili.divisions.models import Division

    children = dict(Division.objects.filter(parent__code=parent_code).values_list("code", "name"))
    freq = indicator.frequency
    before, year_ago = shift(period, freq, -1), shift(period, freq, -SEASON.get(freq, 1))
    rows = IndicatorValue.objects.filter(
        indicator=indicator, division_code__in=list(children), period__in=[period, before, year_ago]
    ).values_list("division_code", "period", "value", "numerator", "denominator")
    found: dict[tuple[str, str], tuple[float | None, float | None, float | None]] = {
        (code, p): (v, n, d) for code, p, v, n, d in rows
    }

    def pct(now: float | None, base: float | None) -> float | None:
        return (now - base) / abs(base) * 100 if now is not None and base else None

    up = indicator.direction == "up"
    values = {c: found.get((c, period), (None, None, None))[0] for c in children}
    ranked = [v for v in values.values() if v is not None]
    out = []
    for code, name in children.items():
        value, num, den = found.get((code, period), (None, None, None))
        rank = None
        if value is not None:
            rank = 1 + sum(1 for v in ranked if (v > value if up else v < value))
        out.append(
            BreakdownRow(
                code=code,
                name=name,
                value=value,
                numerator=num,
                denominator=den,
                mom=pct(value, found.get((code, before), (None,))[0]),
                yoy=pct(value, found.get((code, year_ago), (None,))[0]),
                rank=rank,
                of=len(ranked),
            )
        )
    return sorted(out, key=lambda r: (r.rank is None, r.rank or 0, r.code))


def latest_values(
    indicators: Sequence[Indicator], division_code: str
) -> dict[int, tuple[str, float | None]]:
    """Each indicator's latest (period, value) in one division, in one query."""
    from zhili.datahub.models import IndicatorValue

    rows = (
        IndicatorValue.objects.filter(
            indicator__in=[i.pk for i in indicators], division_code=division_code
        )
        .order_by("indicator_id", "period")
        .values_list("indicator_id", "period", "value")
    )
    latest: dict[int, tuple[str, float | None]] = {}
    for pk, p, v in rows:
        latest[pk] = (p, v)
    return latest
