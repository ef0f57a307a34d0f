"""Reads for the one map (一张图) and the leaders' dashboard.

Who sees what: an indicator is shown only to someone who may read every
dataset it is built from. Anonymous visitors and citizens read open datasets;
staff read open and shared ones plus the restricted ones of their own
departments; leaders and administrators read everything.

The map's hot path (``map_values``) reads the ``ivalue_map`` index
(indicator, level, period) once; the list of periods is remembered for each
computation of the indicator (``computed_at``), which ``indicator_refresh`` stamps.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from zhili.datahub import trends
from zhili.datahub.access import reads_everything, sharing_filter
from zhili.datahub.models import Dataset, Frequency, Indicator, IndicatorValue
from zhili.divisions.models import Division

LEVELS = {"village": "村", "town": "镇"}
PERIOD_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])|Q[1-4])?$")
SPARK_PERIODS = 24
PERIODS_SECONDS = 24 * 3600
ALERTS = 30  # the dashboard lists at most this many anomalies

AnyUser = AbstractBaseUser | AnonymousUser


# ---- who may read what ----


_reads_everything = reads_everything
_sharing_filter = sharing_filter


def indicators_visible_to(user: AnyUser) -> list[Indicator]:
    """The indicators whose every dataset the user may read, by category and code."""
    indicators = list(Indicator.objects.all())
    if _reads_everything(user):
        return indicators
    readable = set(Dataset.objects.filter(_sharing_filter(user)).values_list("code", flat=True))
    return [i for i in indicators if i.datasets() and set(i.datasets()) <= readable]


def indicator_for(user: AnyUser, code: str) -> Indicator | None:
    """The indicator of that code if the user may see it, else None (whether or not it exists)."""
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None or _reads_everything(user):
        return indicator
    needed = indicator.datasets()
    readable = Dataset.objects.filter(_sharing_filter(user), code__in=needed).count()
    return indicator if needed and readable == len(needed) else None


# ---- periods ----


def period_end(period: str) -> str:
    """The last month a period covers, so months, quarters and years compare: 2025Q1 → 2025-03."""
    if len(period) == 4:
        return f"{period}-12"
    if "Q" in period:
        year, quarter = period.split("Q")
        return f"{year}-{int(quarter) * 3:02d}"
    return period


def period_label(period: str) -> str:
    """2025-03 → 2025年3月, 2025Q1 → 2025年第1季度, 2025 → 2025年."""
    if len(period) == 4:
        return f"{period}年"
    if "Q" in period:
        year, quarter = period.split("Q")
        return f"{year}年第{quarter}季度"
    return f"{period[:4]}年{int(period[5:])}月"


def rounded(value: float | None, decimals: int) -> float | None:
    return None if value is None else round(value, decimals)


def formatted(value: float | None, decimals: int) -> str:
    return "—" if value is None else f"{value:,.{decimals}f}"


# ---- the map ----


def boundaries_geojson(level: str) -> tuple[bytes, str]:
    """The divisions of a level as a GeoJSON FeatureCollection (UTF-8 bytes) and its ETag."""
    rows = (
        Division.objects.filter(level=level, boundary__isnull=False)
        .order_by("code")
        .values_list("code", "name", "parent__name", "boundary")
    )
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": name, "parent": parent or ""},
            "geometry": boundary,
        }
        for code, name, parent, boundary in rows
    ]
    body = json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def indicator_periods(indicator: Indicator, level: str) -> list[str]:
    """The periods with values, oldest first; remembered per computation, as ``trends`` does."""
    key = None
    if indicator.computed_at is not None:
        key = f"datahub:map:periods:{indicator.pk}:{level}:{indicator.computed_at.isoformat()}"
        cached = cache.get(key)
        if cached is not None:
            return list(cached)
    periods = list(
        IndicatorValue.objects.filter(indicator=indicator, level=level)
        .order_by("period")
        .values_list("period", flat=True)
        .distinct()
    )
    if key is not None:
        cache.set(key, periods, PERIODS_SECONDS)
    return periods


def map_values(*, indicator: Indicator, level: str, period: str | None = None) -> dict[str, Any]:
    """The choropleth's data: one value per division of the level for one period.

    Without a period, the indicator's latest at that level.
    """
    periods = indicator_periods(indicator, level)
    if not period:
        period = periods[-1] if periods else ""
    d = indicator.decimals
    rows = IndicatorValue.objects.filter(
        indicator=indicator, level=level, period=period
    ).values_list("division_code", "value")
    values = [{"code": code, "value": rounded(value, d)} for code, value in rows]
    present = [v["value"] for v in values if v["value"] is not None]
    return {
        "indicator": {
            "code": indicator.code,
            "name": indicator.name,
            "unit": indicator.unit,
            "direction": indicator.direction,
            "decimals": d,
        },
        "level": level,
        "period": period,
        "values": values,
        "min": min(present) if present else None,
        "max": max(present) if present else None,
        "periods": periods,
    }


# ---- a division's profile ----


@dataclass
class ProfileRow:
    indicator: Indicator
    period: str = ""
    value: float | None = None
    rank: int | None = None
    peers: int | None = None
    mom: float | None = None
    yoy: float | None = None
    series: list[list[Any]] = field(default_factory=list)  # [[period, value], …] oldest first
    datasets: list[tuple[str, str]] = field(default_factory=list)  # (code, name)

    @property
    def display(self) -> str:
        return formatted(self.value, self.indicator.decimals)

    @property
    def label(self) -> str:
        return period_label(self.period) if self.period else ""

    @property
    def has_trend(self) -> bool:
        return len(self.series) > 1

    @property
    def series_json(self) -> str:
        return json.dumps(self.series, ensure_ascii=False, separators=(",", ":"))

    @property
    def mom_text(self) -> str:
        return _signed(self.mom)

    @property
    def yoy_text(self) -> str:
        return _signed(self.yoy)

    @property
    def mom_class(self) -> str:
        return _tone(self.indicator, self.mom)

    @property
    def yoy_class(self) -> str:
        return _tone(self.indicator, self.yoy)


def _signed(change: float | None) -> str:
    return "—" if change is None else f"{change:+.1f}%"


def _tone(indicator: Indicator, change: float | None) -> str:
    """ "good" when the change goes the indicator's better way, "bad" when not."""
    if not change:
        return ""
    return "good" if (change > 0) == (indicator.direction == Indicator.UP) else "bad"


def _change(changes: list[trends.Change], period: str) -> float | None:
    pct = next((c.pct for c in changes if c.period == period), None)
    return None if pct is None else round(pct, 1)


def _row(indicator: Indicator, history: dict[str, float | None], period: str) -> ProfileRow:
    """One indicator's line in a profile: its value as of ``period`` and the 24 periods to it."""
    row = ProfileRow(indicator=indicator)
    end = period_end(period) if period else "9999-99"
    upto = sorted(p for p in history if period_end(p) <= end)
    if not upto:
        return row
    row.period = upto[-1]
    row.value = history[row.period]
    d = indicator.decimals
    row.series = [[p, rounded(history[p], d)] for p in upto[-SPARK_PERIODS:]]
    freq = indicator.frequency
    # Enough for a year-on-year change; the calendar fills no more than that.
    known = [(p, history[p]) for p in upto[-(trends.SEASON.get(freq, 1) + 1) :]]
    if freq != Frequency.YEARLY:  # a year's 环比 would only repeat its 同比
        row.mom = _change(trends.mom(known, freq), row.period)
    row.yoy = _change(trends.yoy(known, freq), row.period)
    return row


def _count(peers: QuerySet[IndicatorValue]) -> Coalesce:
    counted = peers.values("indicator").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _rank_all(rows: list[ProfileRow], division: Division) -> None:
    """Each row's place among every division of the level (全县137个行政村中第5), 1 the best.

    The rule of ``trends.rank_among_peers(…, among="level")``, ties sharing the
    better place, counted by the database in one query for all the indicators.
    """
    wanted = {(r.indicator.pk, r.period): r for r in rows if r.value is not None}
    if not wanted:
        return
    peers = IndicatorValue.objects.filter(
        indicator=OuterRef("indicator"),
        level=division.level,
        period=OuterRef("period"),
        value__isnull=False,
    )
    counts = (
        IndicatorValue.objects.filter(
            division_code=division.code,
            indicator__in={pk for pk, _ in wanted},
            period__in={p for _, p in wanted},
        )
        .annotate(
            total=_count(peers),
            higher=_count(peers.filter(value__gt=OuterRef("value"))),
            lower=_count(peers.filter(value__lt=OuterRef("value"))),
        )
        .values_list("indicator_id", "period", "total", "higher", "lower")
    )
    for pk, period, total, higher, lower in counts:
        row = wanted.get((pk, period))
        if row is not None:
            better = higher if row.indicator.direction == Indicator.UP else lower
            row.rank, row.peers = better + 1, total


def division_profile(*, user: AnyUser, division: Division, period: str | None) -> list[ProfileRow]:
    """Every indicator the user may see for a division, as of a period (default: each one's latest)."""
    indicators = {i.pk: i for i in indicators_visible_to(user)}
    histories: dict[int, dict[str, float | None]] = {pk: {} for pk in indicators}
    rows = IndicatorValue.objects.filter(
        division_code=division.code, indicator__in=list(indicators)
    ).values_list("indicator_id", "period", "value")
    for pk, p, value in rows:
        histories[pk][p] = value
    codes = {c for i in indicators.values() for c in i.datasets()}
    names = dict(Dataset.objects.filter(code__in=codes).values_list("code", "name"))
    profile = []
    for pk, indicator in indicators.items():
        if not histories[pk]:
            continue
        row = _row(indicator, histories[pk], period or "")
        row.datasets = [(c, names.get(c, c)) for c in indicator.datasets()]
        profile.append(row)
    _rank_all(profile, division)
    return profile


# ---- the leaders' dashboard ----


@dataclass
class TownRank:
    rank: int
    code: str
    name: str
    value: float
    display: str
    bar: int  # per cent of the best town's bar


@dataclass
class KeyFigure:
    row: ProfileRow
    towns: list[TownRank]


@dataclass
class Alert:
    division_code: str
    division_name: str
    level: str
    indicator: Indicator
    period: str
    why: str


@dataclass
class Dashboard:
    county: Division | None
    figures: list[KeyFigure]
    cases: dict[str, int] | None  # red / overdue counts, when the cases app is there


def _towns_ranked(indicator: Indicator, period: str, names: dict[str, str]) -> list[TownRank]:
    rows = IndicatorValue.objects.filter(
        indicator=indicator, level="town", period=period, value__isnull=False
    ).values_list("division_code", "value")
    known = [(code, value) for code, value in rows if value is not None]
    up = indicator.direction == Indicator.UP
    ordered = sorted(known, key=lambda r: -r[1] if up else r[1])
    top = max((abs(v) for _, v in ordered), default=0) or 1
    return [
        TownRank(
            rank=n,
            code=code,
            name=names.get(code, code),
            value=value,
            display=formatted(value, indicator.decimals),
            bar=round(abs(value) / top * 100),
        )
        for n, (code, value) in enumerate(ordered, start=1)
    ]


def dashboard_alerts(*, user: AnyUser) -> list[Alert]:
    """What ``trends`` finds odd in the latest period of the key indicators, most striking first.

    Slow the first time after each computation of an indicator (a seasonal
    decomposition of every village's series), hence apart from ``dashboard``.
    """
    indicators = [i for i in indicators_visible_to(user) if i.key]
    divisions = {
        code: (name, level)
        for code, name, level in Division.objects.values_list("code", "name", "level")
    }
    found = [(a, i) for i in indicators for a in trends.indicator_anomalies(i)]
    found.sort(key=lambda pair: -abs(pair[0].z))
    return [
        Alert(
            division_code=a.division_code,
            division_name=divisions.get(a.division_code, ("", ""))[0],
            level=divisions.get(a.division_code, ("", "village"))[1],
            indicator=i,
            period=a.period,
            why=a.why,
        )
        for a, i in found[:ALERTS]
    ]


def case_alerts() -> dict[str, int] | None:
    """Open cases past their promised limit (红灯) and past the statutory one, county-wide."""
    from django.apps import apps

    if not apps.is_installed("zhili.cases"):
        return None
    from zhili.cases.models import OPEN_STATUSES, Case, Warning

    running = Case.objects.filter(status__in=OPEN_STATUSES)
    return {
        "red": running.filter(warning=Warning.RED).count(),
        "overdue": running.filter(past_statutory=True).count(),
    }


def dashboard(*, user: AnyUser) -> Dashboard:
    """The county's key indicators with their trends and town rankings, and the cases' alerts."""
    county = Division.objects.filter(level="county").order_by("code").first()
    names = dict(Division.objects.exclude(level="county").values_list("code", "name"))
    visible = indicators_visible_to(user)
    figures = []
    for indicator in (i for i in visible if i.key):
        history = dict(
            IndicatorValue.objects.filter(indicator=indicator, level="county").values_list(
                "period", "value"
            )
        )
        row = _row(indicator, history, "")
        towns = _towns_ranked(indicator, row.period, names) if row.period else []
        figures.append(KeyFigure(row=row, towns=towns))
    return Dashboard(county=county, figures=figures, cases=case_alerts())
