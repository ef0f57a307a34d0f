"""The facts of an automatic report and the sentences written from them.

For a division and a period, every indicator's value (``IndicatorValue``), the
previous period and the same period a year before (→ 环比, 同比), the rank
among the divisions of the same level in the county and among the siblings
under the same parent (rank 1 is the best, by the indicator's direction), the
town and county values to compare with, the biggest movers and the anomalies.

A monthly run makes 148 reports of the same period: ``Snapshot`` loads every
value they read in one query, and each report reads from it.

Only indicators built from open and shared datasets are reported: the archive
is read by the staff of every department (部门间共享), so a restricted
dataset never reaches it.
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from zhili.datahub.models import Dataset, Indicator, IndicatorValue, Sharing
from zhili.divisions.models import Division

SERIES_PERIODS = 24
KEY_INDICATORS_MAX = 6
MOVERS = 5
FLAT_PCT = 0.05  # a change that rounds to 0.0% is 持平
HISTORY_Z = 3.5  # robust z of this period's change against the earlier changes
PEER_Z = 3.5  # robust z of the value against all divisions of the level
LEVEL_NOUNS = {"village": "行政村", "town": "乡镇", "county": "县"}


# ---- periods: monthly 2025-03, quarterly 2025Q1, yearly 2025 ----


def period_frequency(period: str) -> str:
    if len(period) == 4:
        return "yearly"
    return "quarterly" if "Q" in period else "monthly"


def period_shift(period: str, n: int) -> str:
    """The period ``n`` steps of its own frequency later (earlier when negative)."""
    if len(period) == 4:
        return str(int(period) + n)
    if "Q" in period:
        year, quarter = (int(x) for x in period.split("Q"))
        index = year * 4 + quarter - 1 + n
        return f"{index // 4}Q{index % 4 + 1}"
    year, month = (int(x) for x in period.split("-"))
    index = year * 12 + month - 1 + n
    return f"{index // 12}-{index % 12 + 1:02d}"


def period_end_month(period: str) -> tuple[int, int]:
    if len(period) == 4:
        return int(period), 12
    if "Q" in period:
        year, quarter = (int(x) for x in period.split("Q"))
        return year, quarter * 3
    return int(period[:4]), int(period[5:7])


def period_for(report_period: str, frequency: str) -> str:
    """The latest period of ``frequency`` that has ended by the end of ``report_period``."""
    year, month = period_end_month(report_period)
    if frequency == "yearly":
        return str(year if month == 12 else year - 1)
    if frequency == "quarterly":
        quarter = month // 3
        return f"{year}Q{quarter}" if quarter else f"{year - 1}Q4"
    return f"{year}-{month:02d}"


def period_label(period: str) -> str:
    """2025-03 → 2025年3月, 2025Q1 → 2025年第1季度, 2025 → 2025年."""
    if len(period) == 4:
        return f"{period}年"
    if "Q" in period:
        year, quarter = period.split("Q")
        return f"{year}年第{quarter}季度"
    return f"{period[:4]}年{int(period[5:7])}月"


def last_complete_month(today: date | None = None) -> str:
    today = today or timezone.localdate()
    return period_shift(f"{today.year}-{today.month:02d}", -1)


def change_pct(current: float | None, base: float | None) -> float | None:
    """Relative change in per cent, None when there is nothing to compare with."""
    if current is None or base is None or base == 0:
        return None
    return (current - base) / abs(base) * 100


def number(value: float | None, decimals: int, unit: str = "") -> str:
    """1234.5 → "1,234.5人"; "—" for no value."""
    return "—" if value is None else f"{value:,.{decimals}f}{unit}"


# ---- the facts ----


@dataclass
class Peer:
    code: str
    name: str
    value: float


@dataclass
class IndicatorFacts:
    code: str
    name: str
    category: str
    unit: str
    decimals: int
    direction: str  # up | down: which way is better
    frequency: str
    ratio: bool  # a rate or an average: compared with the town and county, not summed into them
    period: str  # the indicator's own period (a yearly indicator in a monthly report: last year)
    value: float | None = None
    previous: float | None = None
    year_ago: float | None = None
    mom: float | None = None  # per cent
    yoy: float | None = None  # per cent; None for yearly indicators (the same as mom)
    rank: int | None = None  # among the divisions of the level in the county
    rank_of: int = 0
    rank_in_parent: int | None = None  # among the siblings (villages of the same town)
    rank_in_parent_of: int = 0
    parent_value: float | None = None
    county_value: float | None = None
    share_of_parent: float | None = None  # per cent, for summed indicators
    series: list[tuple[str, float | None]] = field(default_factory=list)
    peers: list[Peer] = field(default_factory=list)  # the bar chart, best first
    anomaly: str = ""
    key: bool = False

    @property
    def pct_unit(self) -> bool:
        return self.unit == "%"

    def fmt(self, value: float | None) -> str:
        return number(value, self.decimals, self.unit)


@dataclass
class ReportFacts:
    division_code: str
    division_name: str
    division_level: str
    division_full_name: str
    parent_name: str
    county_name: str
    period: str
    period_label: str
    generated_at: str
    indicators: list[IndicatorFacts] = field(default_factory=list)
    movers: list[str] = field(default_factory=list)  # indicator codes, biggest |环比| first
    anomalies: list[str] = field(default_factory=list)  # indicator codes
    peers_title: str = ""  # what the bar charts rank: "东山镇各行政村"

    @property
    def level_noun(self) -> str:
        return LEVEL_NOUNS.get(self.division_level, "")

    def indicator(self, code: str) -> IndicatorFacts:
        return next(i for i in self.indicators if i.code == code)

    def key_indicators(self) -> list[IndicatorFacts]:
        return [i for i in self.indicators if i.key]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def report_indicators() -> list[Indicator]:
    """The indicators a report may show: every dataset behind them open or shared."""
    sharing = dict(Dataset.objects.values_list("code", "sharing"))
    allowed = {Sharing.OPEN, Sharing.SHARED}
    return [
        i
        for i in Indicator.objects.order_by("category", "code")
        if i.datasets() and all(sharing.get(code) in allowed for code in i.datasets())
    ]


def is_ratio(indicator: Indicator) -> bool:
    agg = (indicator.numerator or {}).get("agg", "sum")
    return bool(indicator.denominator) or agg in {"avg", "max", "min"} or indicator.unit == "%"


@dataclass(frozen=True)
class _Div:
    code: str
    name: str
    level: str
    parent: str


class Snapshot:
    """Every division and every value that the reports of one period read, loaded once."""

    def __init__(self, period: str, indicators: list[Indicator] | None = None) -> None:
        self.period = period
        self.indicators = report_indicators() if indicators is None else indicators
        self.divisions = {
            code: _Div(code, name, level, parent or "")
            for code, name, level, parent in Division.objects.values_list(
                "code", "name", "level", "parent__code"
            )
        }
        self.by_level: dict[str, list[str]] = {}
        self.children: dict[str, list[str]] = {}
        for d in self.divisions.values():
            self.by_level.setdefault(d.level, []).append(d.code)
            self.children.setdefault(d.parent, []).append(d.code)
        self.windows: dict[int, list[str]] = {}
        for ind in self.indicators:
            own = period_for(period, ind.frequency)
            self.windows[ind.pk] = [
                period_shift(own, -n) for n in range(SERIES_PERIODS - 1, -1, -1)
            ]
        wanted = {(ind_id, p) for ind_id, ps in self.windows.items() for p in ps}
        self.values: dict[tuple[int, str], dict[str, float]] = {}
        rows = IndicatorValue.objects.filter(
            indicator_id__in=list(self.windows),
            period__in=sorted({p for _, p in wanted}),
            value__isnull=False,
        ).values_list("indicator_id", "period", "division_code", "value")
        for ind_id, p, code, value in rows.iterator(chunk_size=10_000):
            if (ind_id, p) in wanted and value is not None:
                self.values.setdefault((ind_id, p), {})[code] = value
        self._ranks: dict[tuple[int, str, str], dict[str, int]] = {}

    def value(self, indicator: Indicator, period: str, code: str) -> float | None:
        return self.values.get((indicator.pk, period), {}).get(code)

    def ranks(
        self, indicator: Indicator, period: str, group: str, codes: list[str]
    ) -> dict[str, int]:
        """Competition ranks (1, 2, 2, 4) of the codes that have a value; 1 is the best.

        Values are compared as shown, rounded to the indicator's decimals, so
        two divisions that read the same share a rank.
        """
        cache_key = (indicator.pk, period, group)
        if cache_key not in self._ranks:
            values = self.values.get((indicator.pk, period), {})
            scored = [(round(values[c], indicator.decimals), c) for c in codes if c in values]
            scored.sort(key=lambda vc: -vc[0] if indicator.direction == Indicator.UP else vc[0])
            ranks: dict[str, int] = {}
            for i, (v, c) in enumerate(scored):
                previous = scored[i - 1]
                ranks[c] = ranks[previous[1]] if i and previous[0] == v else i + 1
            self._ranks[cache_key] = ranks
        return self._ranks[cache_key]


def report_facts(
    *, division: Division | str, period: str, snapshot: Snapshot | None = None
) -> ReportFacts:
    """Everything a report of ``division`` for ``period`` says, as data."""
    snap = snapshot if snapshot is not None and snapshot.period == period else Snapshot(period)
    code = division if isinstance(division, str) else division.code
    div = snap.divisions[code]
    parent = snap.divisions.get(div.parent)
    county_code = next(iter(snap.by_level.get("county", [])), "")
    county = snap.divisions.get(county_code)
    chain = [div]
    while chain[-1].parent in snap.divisions:
        chain.append(snap.divisions[chain[-1].parent])
    facts = ReportFacts(
        division_code=code,
        division_name=div.name,
        division_level=div.level,
        division_full_name="".join(d.name for d in reversed(chain)),
        parent_name=parent.name if parent else "",
        county_name=county.name if county else "",
        period=period,
        period_label=period_label(period),
        generated_at=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    )
    if div.level == "county":
        bar_codes = snap.children.get(code, [])
        facts.peers_title = f"{div.name}各{LEVEL_NOUNS['town']}"
    else:
        bar_codes = snap.children.get(div.parent, [])
        facts.peers_title = f"{parent.name if parent else ''}各{LEVEL_NOUNS.get(div.level, '')}"
    for ind in snap.indicators:
        item = _indicator_facts(snap, ind, div, county_code, bar_codes)
        if item is not None:
            facts.indicators.append(item)
    _choose_key(facts, {i.code for i in snap.indicators if i.key})
    moving = [i for i in facts.indicators if i.mom is not None and abs(i.mom) >= FLAT_PCT]
    moving.sort(key=lambda i: (-abs(i.mom or 0), i.code))
    facts.movers = [i.code for i in moving[:MOVERS]]
    facts.anomalies = [i.code for i in facts.indicators if i.anomaly]
    return facts


def _indicator_facts(
    snap: Snapshot, ind: Indicator, div: _Div, county_code: str, bar_codes: list[str]
) -> IndicatorFacts | None:
    window = snap.windows[ind.pk]
    series = [(p, snap.value(ind, p, div.code)) for p in window]
    if all(v is None for _, v in series):
        return None
    own = window[-1]
    item = IndicatorFacts(
        code=ind.code,
        name=ind.name,
        category=ind.category,
        unit=ind.unit,
        decimals=ind.decimals,
        direction=ind.direction,
        frequency=ind.frequency,
        ratio=is_ratio(ind),
        period=own,
        series=series,
    )
    item.value = series[-1][1]
    item.previous = series[-2][1]
    item.mom = change_pct(item.value, item.previous)
    if ind.frequency != "yearly":
        item.year_ago = snap.value(
            ind, period_shift(own, -12 if ind.frequency == "monthly" else -4), div.code
        )
        item.yoy = change_pct(item.value, item.year_ago)
    if div.level != "county":
        level_codes = snap.by_level.get(div.level, [])
        ranks = snap.ranks(ind, own, div.level, level_codes)
        item.rank, item.rank_of = ranks.get(div.code), len(ranks)
        siblings = snap.children.get(div.parent, [])
        ranks = snap.ranks(ind, own, "p:" + div.parent, siblings)
        item.rank_in_parent, item.rank_in_parent_of = ranks.get(div.code), len(ranks)
        item.parent_value = snap.value(ind, own, div.parent)
        item.county_value = snap.value(ind, own, county_code)
        if not item.ratio and item.value is not None and item.parent_value:
            item.share_of_parent = item.value / item.parent_value * 100
    group = "p:" + (div.code if div.level == "county" else div.parent)
    bar_ranks = snap.ranks(ind, own, group, bar_codes)
    item.peers = [
        Peer(c, snap.divisions[c].name, snap.values[(ind.pk, own)][c])
        for c in sorted(bar_ranks, key=lambda c: (bar_ranks[c], c))
    ]
    level_values = snap.values.get((ind.pk, own), {})
    peers_values = [level_values[c] for c in snap.by_level.get(div.level, []) if c in level_values]
    item.anomaly = _anomaly(
        item, [v for _, v in series[:-1]], peers_values, snap.divisions[div.code]
    )
    return item


def _robust_z(value: float, sample: list[float], floor: float) -> float:
    """How many (robust) standard deviations ``value`` lies from the sample's median.

    The scale never drops below ``floor``, so a perfectly regular history
    (every change the same, to rounding) does not turn a tiny wobble into an
    anomaly: a jump has to be material as well as unusual.
    """
    median = statistics.median(sample)
    mad = statistics.median(abs(x - median) for x in sample) * 1.4826
    scale = max(mad, floor, 1e-12)
    return (value - median) / scale


def _anomaly(
    item: IndicatorFacts, history: list[float | None], peers: list[float], div: _Div
) -> str:
    """Why this period's value stands out, in Chinese; "" when it does not.

    Its own history: this period's change against the earlier changes (a
    steady trend or a regular season is no anomaly, a jump is). Its peers:
    for rates and averages only, the value against every division of the
    level (a big village is no anomaly).
    """
    value = item.value
    if value is None:
        return ""
    earlier = [v for v in history if v is not None]
    changes = [b - a for a, b in itertools.pairwise(history) if a is not None and b is not None]
    if item.previous is not None and len(changes) >= 12:
        level = statistics.fmean(abs(v) for v in earlier)
        z = _robust_z(value - item.previous, changes, floor=0.005 * level)
        if abs(z) > HISTORY_Z:
            word = "突增" if z > 0 else "骤降"
            return f"较上期{word}，明显偏离近{len(earlier)}期的变化规律"
    if item.ratio and div.level != "county" and len(peers) >= 8:
        median = statistics.median(peers)
        z = _robust_z(value, peers, floor=0.005 * abs(median))
        if abs(z) > PEER_Z:
            side = "高于" if z > 0 else "低于"
            noun = LEVEL_NOUNS.get(div.level, "")
            return f"明显{side}全县各{noun}（中位数{item.fmt(median)}）"
    return ""


def _choose_key(facts: ReportFacts, key_codes: set[str]) -> None:
    """The indicators the summary and the charts are about: the key ones, else the first few."""
    chosen = [i for i in facts.indicators if i.code in key_codes and i.value is not None]
    if not chosen:
        chosen = [i for i in facts.indicators if i.value is not None]
    for item in chosen[:KEY_INDICATORS_MAX]:
        item.key = True


# ---- the narrative ----


def _when(facts: ReportFacts, item: IndicatorFacts) -> str:
    if item.period == facts.period:
        return {"monthly": "本月", "quarterly": "本季度", "yearly": "本年度"}[item.frequency]
    return period_label(item.period)


def change_text(
    item: IndicatorFacts, current: float | None, base: float | None, pct: float | None
) -> str:
    """增长12.3% / 下降2.1% / 持平; for a rate, in percentage points (上升1.2个百分点)."""
    if current is None or base is None:
        return ""
    if item.pct_unit:
        points = round(current - base, item.decimals)
        if points == 0:
            return "持平"
        word = "上升" if points > 0 else "下降"
        return f"{word}{abs(points):.{item.decimals}f}个百分点"
    if pct is None:
        return ""
    if abs(pct) < FLAT_PCT:
        return "持平"
    return f"{'增长' if pct > 0 else '下降'}{abs(pct):.1f}%"


def verdict(item: IndicatorFacts) -> str:
    """向好 / 变差 for the 环比 change, by the indicator's direction."""
    change = change_text(item, item.value, item.previous, item.mom)
    if not change or change == "持平":
        return ""
    rising = (item.value or 0) > (item.previous or 0)
    return "向好" if rising == (item.direction == Indicator.UP) else "变差"


def _compare(item: IndicatorFacts, other: float | None) -> str:
    if other is None or item.value is None:
        return ""
    mine, theirs = round(item.value, item.decimals), round(other, item.decimals)
    return "持平" if mine == theirs else ("高于" if mine > theirs else "低于")


def indicator_sentence(facts: ReportFacts, item: IndicatorFacts) -> str:
    """本月东山村常住人口为1,234人，环比增长12.3%（向好），同比下降2.1%，在全县137个行政村中排名第5。"""
    head = f"{_when(facts, item)}{facts.division_name}{item.name}"
    if item.value is None:
        return f"{head}暂无数据。"
    clauses = [f"{head}为{item.fmt(item.value)}"]
    mom_word = "比上年" if item.frequency == "yearly" else "环比"
    mom = change_text(item, item.value, item.previous, item.mom)
    if mom:
        word = verdict(item)
        clauses.append(f"{mom_word}{mom}" + (f"（{word}）" if word else ""))
    yoy = change_text(item, item.value, item.year_ago, item.yoy)
    if yoy:
        clauses.append(f"同比{yoy}")
    if item.rank is not None:
        rank = f"在全县{item.rank_of}个{facts.level_noun}中排名第{item.rank}"
        if facts.division_level == "village" and item.rank_in_parent is not None:
            rank += f"（{facts.parent_name}第{item.rank_in_parent}）"
        clauses.append(rank)
    if item.ratio and facts.division_level != "county":
        parts = []
        if facts.division_level == "village":
            word = _compare(item, item.parent_value)
            if word:
                parts.append(f"{word}{facts.parent_name}（{item.fmt(item.parent_value)}）")
        word = _compare(item, item.county_value)
        if word:
            parts.append(f"{word}全县（{item.fmt(item.county_value)}）")
        if parts:
            clauses.append("，".join(parts))
    elif item.share_of_parent is not None:
        clauses.append(f"占{facts.parent_name}的{item.share_of_parent:.1f}%")
    return "，".join(clauses) + "。"


def movers_sentence(facts: ReportFacts) -> str:
    if not facts.movers:
        return ""
    parts = []
    for code in facts.movers:
        item = facts.indicator(code)
        parts.append(f"{item.name}{change_text(item, item.value, item.previous, item.mom)}")
    return f"环比变化最大的指标依次为：{'、'.join(parts)}。"


def anomaly_sentence(facts: ReportFacts, item: IndicatorFacts) -> str:
    return f"{facts.division_name}{item.name}{_when(facts, item)}为{item.fmt(item.value)}，{item.anomaly}，请关注。"


def narrate(facts: ReportFacts, *, every_indicator: bool = False) -> list[str]:
    """The report's sentences: the key indicators (or all), the biggest movers, the anomalies."""
    items = facts.indicators if every_indicator else facts.key_indicators()
    sentences = [indicator_sentence(facts, i) for i in items]
    movers = movers_sentence(facts)
    if movers:
        sentences.append(movers)
    sentences += [anomaly_sentence(facts, facts.indicator(c)) for c in facts.anomalies]
    if not facts.indicators:
        sentences.append(f"{facts.period_label}{facts.division_name}暂无可报告的指标数据。")
    return sentences
