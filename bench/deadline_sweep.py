"""Deadlines and the 电子监察 warning sweep over 1,000,000 open cases on PostgreSQL.

    .venv/bin/python bench/deadline_sweep.py [--cases 1000000] [--today YYYY-MM-DD] [--keep]

In the PostgreSQL database ``zhili_bench`` on 127.0.0.1 (created with the demo county if
missing), inserts ``--cases`` open cases with one ``INSERT ... SELECT generate_series``: items,
versions and departments from the demo catalogue's mix of promised and statutory limits (items
with a promised limit), applicants and their accounts spread over them, accepted on each of the
last 40 working days before the bench's "today"; one in twenty is stopped for 补正. Then times:

(a) the deadlines of all of them: reading the clocks, computing due_promised, due_statutory and
    warn_on with ``current_calendar().add_many`` (as ``deadlines._plan`` does one by one), and
    writing them back (COPY into a temporary table, one UPDATE ... FROM);
(b) ``zhili.cases.deadlines.sweep(today=...)`` (with the ids and department counts the periodic
    job collects) on three successive working days, and once more on the first day to show a
    repeat changes nothing. Prints seconds per sweep (median of the three days) and the counts.

The cases are deleted at the end unless ``--keep``. PostgreSQL only: SQLite is for the embedded
demo, not for a county with a million open cases.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases_submit import USER_PREFIX, ensure_applicants, ensure_database

# Case numbers of this bench's rows: SW + 10 digits (real ones start with the county code).
PREFIX = "SW"
MAX_STATUTORY = 90  # the longest limit in the demo mix, in working days


def bench_today(requested: str | None) -> tuple[date, str]:
    """The bench's "today": the real date if the calendar covers every deadline from it."""
    from django.utils import timezone

    from zhili.workdays.calendar import CalendarNotCovered, current_calendar

    cal = current_calendar()
    if requested:
        return date.fromisoformat(requested), "given with --today"
    today = real = timezone.localdate()
    while True:
        try:
            cal.add(today, MAX_STATUTORY + 5)
            break
        except CalendarNotCovered as exc:
            uncovered = exc.year
            today -= timedelta(days=7)
    if today == real:
        return today, "today"
    return today, (
        f"the real date {real} is not used: its {MAX_STATUTORY}-working-day deadlines reach "
        f"{uncovered}, which neither chinesecalendar nor an administrator covers"
    )


def calendar_note(today: date) -> str:
    """Where the holidays of the years the deadlines fall in come from."""
    from zhili.workdays.calendar import Source, current_calendar
    from zhili.workdays.models import CalendarYear

    cal = current_calendar()
    years = range(today.year - 1, cal.add(today, MAX_STATUTORY).year + 1)
    notes = []
    for y in years:
        source = cal.sources.get(y)
        if source is Source.ADMIN:
            entered = CalendarYear.objects.filter(year=y).values_list("source", flat=True).first()
            notes.append(f"{y} entered by an administrator ({entered})")
        else:
            notes.append(f"{y} {source.label if source else 'not covered'}")
    return "; ".join(notes)


def insert_cases(n: int, today: date) -> float:
    """``n`` open cases in one statement; returns the seconds it took."""
    from django.db import connection

    from zhili.cases.models import Applicant, Case
    from zhili.catalogue.models import ServiceItem
    from zhili.workdays.calendar import current_calendar

    cal = current_calendar()
    accepted = [cal.add(today, -k) for k in range(40)]  # the last 40 working days
    mix = []
    for it in ServiceItem.objects.filter(current__isnull=False).select_related("current"):
        doc = it.current.document
        p, s = int(doc.get("promised_days") or 0), int(doc.get("statutory_days") or 0)
        if p > 0:
            mix.append((it.pk, it.current_id, it.department_id, p, max(s, p)))
    people = list(
        Applicant.objects.filter(user__username__startswith=USER_PREFIX).values_list(
            "pk", "user_id", "division_id"
        )
    )
    columns = {
        "ref": "md5(g::text || clock_timestamp()::text)::uuid",
        "number": f"'{PREFIX}' || lpad(g::text, 10, '0')",
        "item_id": "(m.item)[1 + g % {nm}]",
        "version_id": "(m.version)[1 + g % {nm}]",
        "department_id": "(m.dept)[1 + g % {nm}]",
        "promised_days": "(m.promised)[1 + g % {nm}]",
        "statutory_days": "(m.statutory)[1 + g % {nm}]",
        "applicant_id": "(p.applicant)[1 + g % {np}]",
        "filed_by_id": "(p.usr)[1 + g % {np}]",
        "division_id": "(p.division)[1 + g % {np}]",
        "channel": "(ARRAY['online','online','online','mobile','window','village_point'])[1 + g % 6]",
        "answers": """'{{"S1": "A"}}'::jsonb""",
        "form_data": "'{{}}'::jsonb",
        "status": "CASE WHEN g % 20 = 0 THEN 'correcting' ELSE 'in_progress' END",
        "stage": "CASE WHEN g % 20 = 0 THEN '补正材料' ELSE '审查' END",
        "outcome": "''",
        "outcome_reason": "''",
        "process_id": "'standard'",
        # A real state is TOASTed out of line (see README), so the heap row is as wide as this.
        "workflow_state": "''",
        "workflow_rev": "1",
        "days_used": "0",
        "clock_from": "(a.days)[1 + (g / 7) % 40]",
        "clock_stopped_at": "CASE WHEN g % 20 = 0 THEN now() ELSE NULL END",
        "warning": "''",
        "past_statutory": "false",
        "held_for_materials": "false",
        "materials_saved": "g % 3",
        "created_at": "(a.days)[1 + (g / 7) % 40] + time '09:00'",
        "submitted_at": "(a.days)[1 + (g / 7) % 40] + time '09:00'",
        "accepted_at": "(a.days)[1 + (g / 7) % 40] + time '10:00'",
        "updated_at": "(a.days)[1 + (g / 7) % 40] + time '10:00'",
    }
    required = {f.column for f in Case._meta.concrete_fields if not f.null and f.column != "id"}
    for f in Case._meta.concrete_fields:  # a NOT NULL column added since: its plain default
        if f.column in required and f.column not in columns and f.has_default():
            default = f.get_default()
            if isinstance(default, bool | int):
                columns[f.column] = str(default).lower()
            elif isinstance(default, str):
                columns[f.column] = (
                    "'" + default.replace("'", "''").replace("{", "{{").replace("}", "}}") + "'"
                )
    missing = required - set(columns)
    if missing:  # the model grew a NOT NULL column: say so rather than fail obscurely
        raise SystemExit(f"bench/deadline_sweep.py: no value for new column(s) {sorted(missing)}")
    names = ", ".join(columns)
    values = ", ".join(v.format(nm=len(mix), np=len(people)) for v in columns.values())
    values = values.replace("%", "%%")  # SQL's modulo, not a placeholder
    sql = f"""
        INSERT INTO cases_case ({names})
        SELECT {values}
        FROM generate_series(1, %s) AS g,
             (SELECT %s::bigint[] AS item, %s::bigint[] AS version, %s::bigint[] AS dept,
                     %s::int[] AS promised, %s::int[] AS statutory) AS m,
             (SELECT %s::bigint[] AS applicant, %s::bigint[] AS usr, %s::bigint[] AS division) AS p,
             (SELECT %s::date[] AS days) AS a
    """
    params = [
        n,
        [x[0] for x in mix], [x[1] for x in mix], [x[2] for x in mix],
        [x[3] for x in mix], [x[4] for x in mix],
        [x[0] for x in people], [x[1] for x in people], [x[2] for x in people],
        accepted,
    ]  # fmt: skip
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        cur.execute("VACUUM ANALYZE cases_case")
    took = time.perf_counter() - started
    print(
        f"inserted {n:,} open cases ({len(mix)} items, {len(people)} applicants, accepted "
        f"{accepted[-1]} … {accepted[0]}) in {took:.1f} s, with VACUUM ANALYZE",
        flush=True,
    )
    return took


def compute_deadlines(today: date) -> dict[str, float]:
    """Read every clock, compute the three dates with add_many, write them back; seconds each."""
    from django.db import connection, transaction

    from zhili.cases.deadlines import warn_after
    from zhili.workdays.calendar import current_calendar

    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, clock_from, days_used, promised_days, statutory_days FROM cases_case "
            "WHERE number LIKE %s AND clock_from IS NOT NULL",
            [PREFIX + "%"],
        )
        rows = cur.fetchall()
    t1 = time.perf_counter()
    cal = current_calendar()
    starts = [r[1] for r in rows]
    due_promised = cal.add_many(starts, [max(r[3] - r[2], 0) for r in rows])
    due_statutory = cal.add_many(starts, [max(r[4] - r[2], 0) for r in rows])
    warn_on = cal.add_many(starts, [max(warn_after(r[3]) - r[2], 0) for r in rows])
    t2 = time.perf_counter()
    buf = io.StringIO()
    for r, p, s, w in zip(rows, due_promised, due_statutory, warn_on, strict=True):
        buf.write(f"{r[0]}\t{p.isoformat()}\t{s.isoformat()}\t{w.isoformat()}\n")
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE bench_due (id bigint, due_promised date, due_statutory date, "
            "warn_on date) ON COMMIT DROP"
        )
        with cur.cursor.copy("COPY bench_due FROM STDIN") as copy:
            copy.write(buf.getvalue())
        cur.execute(
            "UPDATE cases_case c SET due_promised = d.due_promised, "
            "due_statutory = d.due_statutory, warn_on = d.warn_on "
            "FROM bench_due d WHERE c.id = d.id"
        )
    t3 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE cases_case")  # as autovacuum would after a million updates
    t4 = time.perf_counter()
    return {
        "cases": len(rows),
        "read": t1 - t0,
        "compute": t2 - t1,
        "write": t3 - t2,
        "vacuum": t4 - t3,
    }


def _statement(sql: str, params: Any) -> str:
    """Which of the sweep's statements this is."""
    head = sql.lstrip()[:6].upper()
    if head == "SELECT":
        return "count" if "COUNT(" in sql.upper() else "ids"
    set_clause = sql.upper().split(" WHERE ", 1)[0]
    if "PAST_STATUTORY" in set_clause:
        return "late"
    return "red" if params and params[0] == "red" else "yellow"


def run_sweeps(today: date) -> list[tuple[date, float, Any, dict[str, float]]]:
    from django.db import connection

    from zhili.cases.deadlines import sweep
    from zhili.workdays.calendar import current_calendar

    cal = current_calendar()
    days = [today, cal.add(today, 1), cal.add(today, 2)]
    out = []
    for d in [days[0], days[0], days[1], days[2]]:
        parts: dict[str, float] = {}

        def timed(
            execute: Any,
            sql: str,
            params: Any,
            many: bool,
            context: Any,
            parts: dict[str, float] = parts,
        ) -> Any:
            t = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                key = _statement(sql, params)
                parts[key] = parts.get(key, 0.0) + time.perf_counter() - t

        t0 = time.perf_counter()
        with connection.execute_wrapper(timed):
            result = sweep(today=d)
        out.append((d, time.perf_counter() - t0, result, parts))
    return out


def delete_cases() -> float:
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM cases_case WHERE number LIKE %s", [PREFIX + "%"])
        cur.execute("VACUUM ANALYZE cases_case")
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument(
        "--today", help="the sweep's first day (default: today, if the calendar covers it)"
    )
    ap.add_argument("--keep", action="store_true", help="leave the cases in zhili_bench")
    ap.add_argument(
        "--fillfactor",
        type=int,
        help="experiment: this fillfactor on cases_case while the bench runs (room for HOT updates)",
    )
    args = ap.parse_args()

    ensure_database()
    ensure_applicants(2000)
    from django.db import connection

    from zhili.cases.models import Case

    today, why = bench_today(args.today)
    print(f"bench today: {today} ({why})", flush=True)
    print(f"calendar: {calendar_note(today)}", flush=True)
    old = Case.objects.filter(number__startswith=PREFIX).count()
    if old:
        print(f"deleting {old:,} cases left by an earlier run …", flush=True)
        delete_cases()
    load = os.getloadavg()[0]
    if args.fillfactor:
        with connection.cursor() as cur:
            cur.execute(f"ALTER TABLE cases_case SET (fillfactor = {int(args.fillfactor)})")
    inserted = insert_cases(args.cases, today)
    timing = compute_deadlines(today)
    sweeps = run_sweeps(today)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), pg_size_pretty(pg_total_relation_size('cases_case')) FROM cases_case "
            "WHERE status IN ('submitted', 'correcting', 'in_progress')"
        )
        open_cases, size = cur.fetchone()
    load = max(load, os.getloadavg()[0])

    n = timing["cases"]
    print(
        f"\nPostgreSQL 15 on 127.0.0.1, {os.cpu_count()} cores (load average up to {load:.1f} "
        f"during the run); {open_cases:,} open cases in cases_case ({size} with indexes)"
    )
    print(f"insert {args.cases:,} cases (INSERT ... SELECT generate_series): {inserted:.1f} s")
    print(f"\n(a) deadlines of {n:,} running clocks (3 dates each)")
    print(f"    read clocks          {timing['read']:>7.2f} s")
    print(
        f"    compute (add_many)   {timing['compute']:>7.2f} s   "
        f"{timing['compute'] / (3 * n) * 1e9:.0f} ns per date"
    )
    print(f"    write (COPY+UPDATE)  {timing['write']:>7.2f} s")
    print(f"    (VACUUM ANALYZE after, not counted: {timing['vacuum']:.1f} s)")
    print(f"\n(b) deadlines.sweep(today=…) over {open_cases:,} open cases")
    print(
        f"    {'day':<16} {'seconds':>8} {'→yellow':>9} {'→red':>9} {'→past statutory':>16} "
        f"{'departments':>12}   seconds per statement (department counts, red ids, 3 UPDATEs)"
    )
    for i, (d, took, r, parts) in enumerate(sweeps):
        label = f"{d}{' again' if i == 1 else ''}"
        statements = ", ".join(
            f"{k} {parts[k]:.2f}" for k in ("count", "ids", "red", "yellow", "late") if k in parts
        )
        print(
            f"    {label:<16} {took:>8.2f} {r.yellow:>9,} {r.red:>9,} {r.past_statutory:>16,} "
            f"{len(r.by_department):>12}   {statements}"
        )
    days = [sweeps[0][1], sweeps[2][1], sweeps[3][1]]
    print(
        f"    seconds per sweep, median of the three days: {statistics.median(days):.2f} s "
        f"(target under 10 s); first day {days[0]:.2f} s"
    )
    if not args.keep:
        print(f"\ndeleted the bench cases in {delete_cases():.1f} s (--keep leaves them)")
    if args.fillfactor:
        with connection.cursor() as cur:
            cur.execute("ALTER TABLE cases_case RESET (fillfactor)")
        print(f"(experiment: cases_case had fillfactor {args.fillfactor} during the run; reset)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
