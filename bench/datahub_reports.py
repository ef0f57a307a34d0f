"""The monthly reports of the demo-size county: 137 villages, 10 towns and the county.

    .venv/bin/python bench/datahub_reports.py [--indicators 40] [--months 60] [--processes N]
        [--keep DIR] [--db FILE]

Runs against a fresh SQLite file under /tmp (never the project's database): the demo
county's divisions (``zhili.demo.generate.county_divisions``), 8 shared datasets and
``--indicators`` indicators (a quarter of them rates, 8 key ones), and ``--months`` monthly
IndicatorValue rows per indicator and division written directly (trend, seasonality, noise
and a few planted jumps; towns and the county rolled up). Then times
``reports_generate_monthly`` for the last month: HTML, PDF and Excel of every division,
archived, and the subscribers told. Prints the font warm-up (once per worker process), the
total, seconds per report, and the villages' share (target: under 60 s for the 137
villages). ``--keep DIR`` copies the PDFs of one village, one town and the county there.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CATEGORIES = [
    "人口",
    "农业",
    "旅游",
    "党建",
    "集体经济",
    "医疗",
    "教育",
    "社保",
    "基础设施",
    "环境",
]
UNITS = ["人", "户", "亩", "吨", "万元", "人次", "个", "公里"]


def setup_django(db_path: Path, media: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhili.settings")
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.MEDIA_ROOT = media
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("reports:list")
    except NoReverseMatch:  # not mounted by the project yet: the tests' URLconf mounts it
        sys.path.insert(0, str(REPO))
        settings.ROOT_URLCONF = "tests.datahub.report_fixtures"
    call_command("migrate", verbosity=0)


def months_ending(last: str, n: int) -> list[str]:
    year, month = (int(x) for x in last.split("-"))
    index = year * 12 + month - 1
    return [f"{i // 12}-{i % 12 + 1:02d}" for i in range(index - n + 1, index + 1)]


def load(indicators: int, months: int, last: str) -> dict[str, Any]:
    from zhili.accounts.models import Role, User
    from zhili.datahub.models import Dataset, Indicator, IndicatorValue, Subscription
    from zhili.demo import generate
    from zhili.divisions.models import Department, Division

    rng = random.Random(2026)
    by_code: dict[str, Division] = {}
    rows = generate.county_divisions()
    for level in ("county", "town", "village"):
        made = Division.objects.bulk_create(
            Division(
                code=d["code"],
                name=d["name"],
                level=d["level"],
                parent=by_code.get(d["parent_code"] or ""),
            )
            for d in rows
            if d["level"] == level
        )
        by_code.update({d.code: d for d in made})
    county = next(d for d in by_code.values() if d.level == "county")
    towns = [d for d in by_code.values() if d.level == "town"]
    villages = [d for d in by_code.values() if d.level == "village"]
    dept = Department.objects.create(code="TJJ", name="清溪县统计局", division=county)
    schema = {"fields": [{"name": "division_code", "type": "string"}], "primaryKey": []}
    codes = [f"ds{i:02d}" for i in range(8)]
    for code in codes:
        Dataset.objects.create(
            code=code, name=f"数据集{code}", category="统计", department=dept,
            frequency="monthly", sharing="shared", division_level="village", table_schema=schema,
        )  # fmt: skip
    periods = months_ending(last, months)
    values: list[IndicatorValue] = []
    for i in range(indicators):
        ratio = i % 4 == 3
        dataset = codes[i % len(codes)]
        indicator = Indicator.objects.create(
            code=f"ind{i:02d}",
            name=f"{CATEGORIES[i % len(CATEGORIES)]}指标{i + 1}",
            category=CATEGORIES[i % len(CATEGORIES)],
            unit="%" if ratio else UNITS[i % len(UNITS)],
            direction="down" if i % 5 == 4 else "up",
            decimals=1 if ratio or i % 3 == 0 else 0,
            key=i % 5 == 0,
            numerator={"dataset": dataset, "field": "a", "agg": "sum"},
            denominator={"dataset": dataset, "field": "b", "agg": "sum"} if ratio else None,
        )
        by_period: dict[str, list[float]] = defaultdict(list)
        by_town: dict[tuple[str, str], list[float]] = defaultdict(list)
        for v in villages:
            base = rng.uniform(40, 95) if ratio else rng.uniform(100, 5000)
            trend = rng.uniform(-0.004, 0.006)
            season = rng.uniform(0, 0.08)
            jump = rng.randrange(len(periods)) if rng.random() < 0.03 else -1
            for t, p in enumerate(periods):
                x = base * (1 + trend * t) * (1 + season * ((t % 12) - 5.5) / 6)
                x *= 1 + rng.gauss(0, 0.01)
                if t == jump:
                    x *= 1.8
                x = min(x, 100.0) if ratio else x
                values.append(IndicatorValue(indicator=indicator, division_code=v.code, level="village", period=p, value=x))  # fmt: skip
                by_period[p].append(x)
                by_town[(v.parent.code, p)].append(x)  # type: ignore[union-attr]
        for (town_code, p), xs in by_town.items():
            x = statistics.fmean(xs) if ratio else sum(xs)
            values.append(IndicatorValue(indicator=indicator, division_code=town_code, level="town", period=p, value=x))  # fmt: skip
        for p, xs in by_period.items():
            x = statistics.fmean(xs) if ratio else sum(xs)
            values.append(IndicatorValue(indicator=indicator, division_code=county.code, level="county", period=p, value=x))  # fmt: skip
    IndicatorValue.objects.bulk_create(values, batch_size=5000)
    # Each town's government follows its villages; a leader follows the county.
    leader = User.objects.create_user("leader", role=Role.LEADER, display_name="领导")
    Subscription.objects.create(user=leader, division=county, include_children=True)
    for n, town in enumerate(towns):
        clerk = User.objects.create_user(f"town{n}", role=Role.CLERK, email=f"t{n}@example.org")
        Subscription.objects.create(user=clerk, division=town, include_children=True)
    return {"villages": len(villages), "towns": len(towns), "rows": len(values)}


def run(args: argparse.Namespace) -> None:
    from django.db import connection

    from zhili.datahub import report_render, report_services
    from zhili.datahub.models import IndicatorValue, Report
    from zhili.divisions.models import Division

    started = time.perf_counter()
    if Division.objects.exists():  # --db of an earlier run: its data, its reports made again
        counts = {
            "villages": Division.objects.filter(level="village").count(),
            "towns": Division.objects.filter(level="town").count(),
            "rows": IndicatorValue.objects.count(),
        }
    else:
        counts = load(args.indicators, args.months, args.period)
    print(
        f"{counts['villages']} villages, {counts['towns']} towns, {args.indicators} indicators × "
        f"{args.months} months: {counts['rows']:,} IndicatorValue rows "
        f"({time.perf_counter() - started:.1f} s to write, SQLite {connection.settings_dict['NAME']})"
    )
    started = time.perf_counter()
    report_render.pdf_fonts("")
    print(f"  font warm-up (once per process)           {time.perf_counter() - started:7.2f} s")

    # When each report was stored, by level: the job makes the county, the towns, then the villages.
    stored: list[tuple[str, float]] = []
    store = report_services._store

    def timed_store(**kw: Any) -> Any:
        out = store(**kw)
        stored.append((kw["division"].level, time.perf_counter()))
        return out

    report_services._store = timed_store  # type: ignore[assignment]
    from django.test.utils import CaptureQueriesContext

    load_before = os.getloadavg()[0]
    processes = args.processes or os.cpu_count() or 1
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        made = report_services.reports_generate_monthly(args.period, processes=processes)
    total = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    print(
        f"  reports_generate_monthly({args.period!r}, processes={processes}): {made} reports in "
        f"{total:.2f} s ({total / made * 1000:.0f} ms a report, {len(queries)} SQL queries; "
        f"load average {load_before:.1f} on {os.cpu_count()} CPUs before the run)"
    )
    first = stored[0][1]
    last_town = max(t for level, t in stored if level != "village")
    villages = [t for level, t in stored if level == "village"]
    print(f"    facts, snapshot and the first report (pool start-up): {first - started:6.2f} s")
    print(f"    the county and {sum(1 for lv, _ in stored if lv == 'town')} towns:"
          f"                        {last_town - first:6.2f} s")  # fmt: skip
    village_time = villages[-1] - last_town
    print(f"    {len(villages)} villages:                                  {village_time:6.2f} s"
          f" ({village_time / len(villages) * 1000:.0f} ms a report)")  # fmt: skip
    print(
        f"    subscribers told:                              {started + total - villages[-1]:6.2f} s"
    )
    print(
        f"  CPU: {cpu:.1f} s in this process and its rendering processes ({cpu / made * 1000:.0f} ms"
        f" a report): on an idle machine with {processes} process(es) the villages would take about"
        f" {cpu / made * len(villages) / min(processes, os.cpu_count() or 1):.0f} s"
    )
    verdict = "met" if village_time < 60 else "MISSED"
    print(
        f"  villages: {village_time:.1f} s for {len(villages)} reports (target < 60 s: {verdict})"
    )
    sample = Report.objects.select_related("division").order_by("division__code")
    sizes = [r.pdf.size for r in sample if r.pdf.storage.exists(r.pdf.name)]
    print(
        f"  PDF size: median {statistics.median(sizes) / 1024:.0f} KiB, max {max(sizes) / 1024:.0f} KiB"
    )
    if args.keep:
        keep = Path(args.keep)
        keep.mkdir(parents=True, exist_ok=True)
        for level in ("county", "town", "village"):
            report = sample.filter(division__level=level).first()
            if report:
                target = keep / f"report-{level}-{report.division.code}.pdf"
                target.write_bytes(report.pdf.read())
                print(f"  kept {target}")


def _cpu_seconds() -> float:
    """User and system time of this process and of its finished children."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--period", default="2025-12", help="the last month of data, reported")
    parser.add_argument("--keep", default="", help="a folder to copy three of the PDFs into")
    parser.add_argument(
        "--db", default="", help="a SQLite file kept between runs (data loaded once)"
    )
    parser.add_argument(
        "--processes", type=int, default=0, help="rendering processes (0: one per CPU)"
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="zhili-bench-"))
    try:
        setup_django(Path(args.db) if args.db else tmp / "bench.sqlite3", tmp / "media")
        run(args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
