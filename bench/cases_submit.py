"""Case submission under concurrent load on PostgreSQL, against pgbench's TPC-B-like ceiling.

    .venv/bin/python bench/cases_submit.py [--clients 4,8] [--seconds 20] [--applicants 2000]
                                           [--breakdown [C ...]] [--skip-pgbench]

Creates (or reuses) the PostgreSQL database ``zhili_bench`` on 127.0.0.1 with the demo county,
``--applicants`` citizens with an account, an applicant record, three stored files and a few
trust-A e-licences each. For each number of clients C it runs, one after the other on the same
server:

- ``pgbench -c C -j 2 -T seconds`` (TPC-B-like) on the database ``zhili_pgbench`` (scale 10,
  initialised once per run): the ceiling;
- C worker processes, each with its own Django and database connection, filing cases online as
  fast as they can for the same time: look the applicant up by identity number
  (``applicant_get_or_create``), then ``case_submit`` with situation answers and every material
  given as a stored file (file_id) or an e-licence, with an idempotency key. The measured work is
  the whole action: checks, material resolution, the BPMN start and its serialisation, the case,
  tasks and materials rows, the audit entry on the hash chain, the inbox and SMS notification,
  commit, and the SMS job enqueued after commit.

Before each run it checkpoints and waits (up to a minute) for the machine to be idle. Prints
cases per second and p50/p95/p99 latency beside pgbench's tps, the ratio, the CPU milliseconds
per pgbench transaction and per case (client and server), and the load average of each run.
``--breakdown [C ...]`` runs C clients once more with timers on the service's parts and on every
SQL statement (by table): mean milliseconds per case for each, calls per case, how long the
audit chain head stays locked, and so the most submissions per second the chain allows.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing as mp
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DB_URL = "postgres://postgres@127.0.0.1:5432/zhili_bench"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PGBENCH = "/usr/lib/postgresql/15/bin/pgbench"
PGBENCH_DB = "zhili_pgbench"
PGBENCH_SCALE = 10
USER_PREFIX = "bench_citizen_"
# e-licence kinds every bench applicant holds (trust A): the ones demo items accept most.
LICENCE_KINDS = ["居民身份证", "居民户口簿", "营业执照", "不动产权证书", "结婚证", "机动车驾驶证"]

# A job: (item id, user id, applicant id number, name, phone, answers, {code: (via, id)})
Job = tuple[int, int, str, str, str, dict[str, str], dict[str, tuple[str, int]]]


def django_setup() -> None:
    os.environ["DATABASE_URL"] = DB_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhili.settings")
    from zhili.cli import DEMO_ENV

    os.environ.update(DEMO_ENV)
    import django

    django.setup()
    # django-q logs every enqueued job (the SMS of each case) at INFO.
    logging.getLogger("django-q").setLevel(logging.WARNING)


def ensure_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        if not c.execute("select 1 from pg_database where datname='zhili_bench'").fetchone():
            c.execute("create database zhili_bench")
    django_setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("demo_load", verbosity=0)


def resident_id(i: int) -> str:
    """A valid GB 11643 number of 清溪县 (330599), one per ``i``."""
    from datetime import date, timedelta

    from stdnum.cn import ric

    born = date(1950, 1, 1) + timedelta(days=i % 20000)
    body = f"330599{born:%Y%m%d}{i // 20000 % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # it reads the first 17 of 18


def ensure_applicants(n: int) -> None:
    """``n`` citizens, each with an applicant, three stored files and trust-A e-licences."""
    from datetime import date

    from django.db import transaction

    from zhili.accounts import pii
    from zhili.accounts.models import Role, User
    from zhili.cases.models import Applicant, ELicence, StoredFile
    from zhili.divisions.codes import LEVEL_VILLAGE
    from zhili.divisions.models import Department, Division

    have = User.objects.filter(username__startswith=USER_PREFIX).count()
    if have >= n:
        return
    started = time.perf_counter()
    villages = list(Division.objects.filter(level=LEVEL_VILLAGE))
    issuer = Department.objects.order_by("id").first()
    rng = random.Random(have)
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(
                username=f"{USER_PREFIX}{i:06d}",
                display_name=f"群众{i}",
                role=Role.CITIZEN,
                password="!",
            )
            for i in range(have, n)
        )
        applicants = []
        for i, user in zip(range(have, n), users, strict=True):
            number = resident_id(i)
            phone = f"138{i:08d}"
            applicants.append(
                Applicant(
                    kind=Applicant.PERSON,
                    name=f"群众{i}",
                    id_enc=pii.encrypt(number),
                    id_index=pii.blind_index(Applicant.PERSON, number),
                    id_masked=pii.mask_id(number),
                    phone_enc=pii.encrypt(phone),
                    phone_masked=pii.mask_phone(phone),
                    user=user,
                    division=rng.choice(villages),
                )
            )
        applicants = Applicant.objects.bulk_create(applicants)
        StoredFile.objects.bulk_create(
            StoredFile(
                applicant=a,
                sha256=f"{a.pk:032x}{k:032x}",
                file=f"materials/bench/{a.pk}-{k}.pdf",
                original_name=f"材料{k}.pdf",
                mime="application/pdf",
                size=40960,
                material_name=f"材料{k}",
            )
            for a in applicants
            for k in range(3)
        )
        ELicence.objects.bulk_create(
            ELicence(
                number=f"BENCH-{a.pk}-{k}",
                kind=kind,
                holder=a,
                issuer=issuer,
                trust="A",
                verify_code=f"B{a.pk:08d}{k:02d}",
                issued_on=date(2024, 1, 1),
                data={"持证者": a.name},
            )
            for a in applicants
            for k, kind in enumerate(LICENCE_KINDS)
        )
    print(
        f"created {n - have} bench applicants in {time.perf_counter() - started:.1f} s", flush=True
    )


def plan_jobs(count: int, seed: int) -> list[Job]:
    """Online submissions of varied items by varied applicants, every material provided."""
    from zhili.cases.materials import elicence_may_replace
    from zhili.cases.models import Applicant, ELicence, StoredFile
    from zhili.catalogue import schema
    from zhili.catalogue.models import ServiceItem

    rng = random.Random(seed)
    items = [
        it
        for it in ServiceItem.objects.filter(current__isnull=False).select_related("current")
        if it.current.document.get("online_depth") in schema.ONLINE_DEPTHS_APPLY_ONLINE
    ]
    applicants = list(
        Applicant.objects.filter(user__username__startswith=USER_PREFIX).select_related("user")
    )
    files: dict[int, list[int]] = defaultdict(list)
    for pk, owner in StoredFile.objects.filter(applicant__in=applicants).values_list(
        "pk", "applicant_id"
    ):
        files[owner].append(pk)
    licences: dict[int, list[ELicence]] = defaultdict(list)
    for lic in ELicence.objects.filter(holder__in=applicants, number__startswith="BENCH-"):
        licences[lic.holder_id].append(lic)
    jobs: list[Job] = []
    today = __import__("datetime").date.today()
    for _ in range(count):
        item, a = rng.choice(items), rng.choice(applicants)
        doc = item.current.document
        answers = {
            s["code"]: schema.parse_option(rng.choice(s["options"]))[0]
            for s in doc.get("situations", [])
        }
        given: dict[str, tuple[str, int]] = {}
        for k, m in enumerate(schema.materials_for(doc, answers)):
            if m.get("necessity") == "非必要" and rng.random() < 0.5:
                continue
            lic = next(
                (x for x in licences[a.pk] if elicence_may_replace(x, m, today=today)[0]), None
            )
            given[m["code"]] = ("elicence", lic.pk) if lic else ("file", files[a.pk][k % 3])
        jobs.append((item.pk, a.user_id, a.id_number(), a.name, a.phone(), answers, given))
    return jobs


# ---- the workers -----------------------------------------------------------------


class Timers:
    """Exclusive wall time per part: a part's time excludes the parts and SQL nested in it."""

    def __init__(self) -> None:
        self.total: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._stack: list[list[float]] = []  # [start, time of children]

    @contextmanager
    def part(self, name: str) -> Iterator[None]:
        self._stack.append([time.perf_counter(), 0.0])
        try:
            yield
        finally:
            start, children = self._stack.pop()
            took = time.perf_counter() - start
            self.total[name] += took - children
            self.calls[name] += 1
            if self._stack:
                self._stack[-1][1] += took

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with self.part(name):
                return fn(*args, **kwargs)

        return wrapped


_TABLE = re.compile(r'(?:INSERT INTO|UPDATE|FROM)\s+"?([a-z_0-9]+)"?', re.I)


def _sql_label(sql: str) -> str:
    verb = sql.lstrip().split(None, 1)[0].upper()
    m = _TABLE.search(sql)
    table = m.group(1) if m else "?"
    if "FOR UPDATE" in sql.upper():
        verb += " FOR UPDATE"
    return f"sql {verb} {table}"


def instrument(timers: Timers) -> None:
    """Time the parts of case_submit and every statement; nothing under src/ is changed."""
    from django.db import connection

    from zhili.cases import services, workflow

    for name in ("start", "dump", "parse"):
        setattr(workflow, name, timers.wrap(f"bpmn {name}", getattr(workflow, name)))
    services._sync_tasks = timers.wrap("tasks sync (python)", services._sync_tasks)  # type: ignore[attr-defined]
    services.resolve = timers.wrap("materials resolve (python)", services.resolve)
    services.audit_record = timers.wrap("audit_record (python)", services.audit_record)
    services.notify = timers.wrap("notify (python)", services.notify)
    services.check_channel = timers.wrap("check_channel (python)", services.check_channel)

    held_since: list[float] = []

    def execute(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        label = _sql_label(sql)
        with timers.part(label):
            result = execute(sql, params, many, context)
        if label == "sql SELECT FOR UPDATE audit_chainhead":
            held_since[:] = [time.perf_counter()]
        return result

    connection.ensure_connection()
    connection.execute_wrappers.append(execute)
    commit = connection._commit

    def timed_commit() -> None:
        with timers.part("sql COMMIT"):
            commit()
        if held_since:  # "~": kept apart from the parts, which add up to the latency
            timers.total["~chain lock held"] += time.perf_counter() - held_since.pop()
            timers.calls["~chain lock held"] += 1

    connection._commit = timed_commit  # type: ignore[method-assign]


def worker(
    index: int, jobs: list[Job], seconds: float, barrier: Any, out: Any, breakdown: bool
) -> None:
    django_setup()
    from zhili.accounts.models import User
    from zhili.cases.materials import MaterialInput
    from zhili.cases.models import Applicant
    from zhili.cases.services import applicant_get_or_create, case_submit
    from zhili.catalogue.models import ServiceItem

    users = {u.pk: u for u in User.objects.filter(pk__in={j[1] for j in jobs})}
    timers = Timers()

    def submit(job: Job) -> None:
        item_id, user_id, number, name, phone, answers, given = job
        user = users[user_id]
        item = ServiceItem.objects.select_related("current").get(pk=item_id)
        applicant = applicant_get_or_create(
            kind=Applicant.PERSON, id_number=number, name=name, phone=phone, user=user
        )
        materials = {
            code: MaterialInput(code, **({"file_id": pk} if via == "file" else {"elicence_id": pk}))
            for code, (via, pk) in given.items()
        }
        case_submit(
            item=item, actor=user, channel="online", applicant=applicant, answers=answers,
            materials=materials, idempotency_key=uuid.uuid4().hex,
        )  # fmt: skip

    rng = random.Random(index)
    try:
        for _ in range(5):  # warm: the BPMN parse cache, the connection, the calendar
            submit(rng.choice(jobs))
    except Exception:
        barrier.abort()  # the parent stops waiting and says why
        raise
    if breakdown:
        instrument(timers)
    barrier.wait()
    cpu0 = time.process_time()
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    errors: dict[str, int] = defaultdict(int)
    k = index
    while time.perf_counter() < deadline:
        job = jobs[k % len(jobs)]
        k += 7
        t0 = time.perf_counter()
        try:
            with timers.part("other (python)"):
                submit(job)
        except Exception as exc:  # counted and shown; the run goes on
            errors[f"{type(exc).__name__}: {str(exc)[:120]}"] += 1
            continue
        latencies.append(time.perf_counter() - t0)
    cpu = time.process_time() - cpu0
    out.put(
        (
            index,
            latencies,
            dict(errors),
            dict(timers.total),
            time.perf_counter(),
            cpu,
            dict(timers.calls),
        )
    )


def run_cases(
    jobs: list[Job], *, clients: int, seconds: float, breakdown: bool = False
) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(clients + 1)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=worker, args=(i, jobs, seconds, barrier, out, breakdown))
        for i in range(clients)
    ]
    for p in procs:
        p.start()
    settle()
    try:
        barrier.wait(timeout=300)
    except Exception as exc:
        for p in procs:
            p.kill()
        raise SystemExit("a case worker failed while warming up (see its traceback above)") from exc
    started = time.perf_counter()
    with BackendCPU("zhili_bench") as server:
        results = [out.get(timeout=seconds + 300) for _ in procs]
    load = os.getloadavg()[0]
    for p in procs:
        p.join()
    ended = max(r[4] for r in results)
    latencies = sorted(x for r in results for x in r[1])
    errors: dict[str, int] = defaultdict(int)
    parts: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    for r in results:
        for k, v in r[6].items():
            calls[k] += v
        for k, v in r[2].items():
            errors[k] += v
        for k, v in r[3].items():
            parts[k] += v
    n = len(latencies)

    def pct(p: float) -> float:
        return latencies[min(n - 1, int(p * n))] * 1000 if n else float("nan")

    return {
        "cases": n,
        "rate": n / (ended - started),
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "mean": statistics.fmean(latencies) * 1000 if n else float("nan"),
        "errors": dict(errors),
        "parts": dict(parts),
        "calls": dict(calls),
        "py_cpu": sum(r[5] for r in results) / max(n, 1) * 1000,
        "pg_cpu": server.seconds / max(n, 1) * 1000,
        "load": load,
    }


class BackendCPU:
    """CPU seconds of the server processes serving one database, sampled from /proc.

    Backends exit when their client disconnects, so they are polled while the run goes on;
    only the processes whose title names ``database`` count (not other work on the server).
    """

    def __init__(self, database: str) -> None:
        self.tag = f" {database} ".encode()
        self.tick = os.sysconf("SC_CLK_TCK")
        self.first: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _sample(self) -> dict[int, int]:
        out = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if self.tag not in f.read().replace(b"\0", b" ") + b" ":
                        continue
                with open(f"/proc/{pid}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            fields = stat[stat.rindex(b")") + 2 :].split()
            out[int(pid)] = int(fields[11]) + int(fields[12])  # utime + stime
        return out

    def _poll(self) -> None:
        while not self._stop.wait(0.1):
            for pid, ticks in self._sample().items():
                self.first.setdefault(pid, 0)
                self.last[pid] = ticks

    def __enter__(self) -> BackendCPU:
        self.first = self._sample()  # backends already there count from now, new ones from 0
        self.last = dict(self.first)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        for pid, ticks in self._sample().items():
            self.last[pid] = ticks

    @property
    def seconds(self) -> float:
        return sum(self.last[p] - self.first.get(p, 0) for p in self.last) / self.tick


def settle(quiet: float = 1.5, patience: float = 60) -> None:
    """The same start for every run: dirty pages written out, and the machine idle if it gets so.

    Waits up to ``patience`` seconds for the 1-minute load average to fall under ``quiet``
    (other work on the machine skews every figure); the table shows the load of each run.
    """
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        c.execute("checkpoint")
    time.sleep(2)
    give_up = time.monotonic() + patience
    while os.getloadavg()[0] > quiet and time.monotonic() < give_up:
        time.sleep(5)


# ---- pgbench ---------------------------------------------------------------------


def pgbench_init() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        if not c.execute(f"select 1 from pg_database where datname='{PGBENCH_DB}'").fetchone():
            c.execute(f"create database {PGBENCH_DB}")
    subprocess.run(
        [PGBENCH, "-h", "127.0.0.1", "-U", "postgres", "-i", "-q", "-s", str(PGBENCH_SCALE), PGBENCH_DB],
        check=True, capture_output=True,
    )  # fmt: skip


def run_pgbench(*, clients: int, seconds: int) -> dict[str, float]:
    cmd = [
        PGBENCH, "-h", "127.0.0.1", "-U", "postgres", "-c", str(clients), "-j", "2",
        "-T", str(seconds), PGBENCH_DB,
    ]  # fmt: skip
    settle()
    me0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    with BackendCPU(PGBENCH_DB) as server:
        text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    me1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", text)
    lat = re.search(r"latency average = ([\d.]+) ms", text)
    if tps is None or lat is None:
        raise SystemExit(f"could not read pgbench's output:\n{text}")
    done = re.search(r"number of transactions actually processed: (\d+)", text)
    n = int(done.group(1)) if done else 0
    client = (me1.ru_utime + me1.ru_stime) - (me0.ru_utime + me0.ru_stime)
    return {
        "tps": float(tps.group(1)),
        "latency": float(lat.group(1)),
        "pg_cpu": server.seconds / max(n, 1) * 1000,
        "client_cpu": client / max(n, 1) * 1000,
        "load": load,
    }


# ---- report ----------------------------------------------------------------------


def print_breakdown(result: dict[str, Any]) -> None:
    n = result["cases"]
    parts = {k: v for k, v in result["parts"].items() if not k.startswith("~")}
    total = sum(parts.values())
    print(f"\nwhere a submission's time goes ({n} cases, mean {result['mean']:.1f} ms each):")
    print(f"{'part':<46} {'ms/case':>8} {'share':>7} {'calls/case':>10}")
    for name, t in sorted(parts.items(), key=lambda kv: -kv[1]):
        if t / total < 0.003:
            continue
        per = result["calls"].get(name, 0) / n
        print(f"{name:<46} {t / n * 1000:>8.2f} {t / total:>7.1%} {per:>10.2f}")
    sql = sum(t for k, t in parts.items() if k.startswith("sql "))
    print(
        f"{'(all SQL incl. commit and lock waits)':<46} {sql / n * 1000:>8.2f} {sql / total:>7.1%}"
    )
    print(f"{'(all Python)':<46} {(total - sql) / n * 1000:>8.2f} {(total - sql) / total:>7.1%}")
    calls = result["calls"]
    statements = sum(v for k, v in calls.items() if k.startswith("sql ") and k != "sql COMMIT")
    held = result["parts"].get("~chain lock held", 0.0) / max(calls.get("~chain lock held", 1), 1)
    print(
        f"{statements / n:.1f} SQL statements per case (+ {calls.get('sql COMMIT', 0) / n:.1f} "
        f"COMMIT); the audit chain head is held {held * 1000:.2f} ms per case (from its "
        f"SELECT ... FOR UPDATE to COMMIT), so submissions cannot exceed {1 / held:.0f}/s "
        f"whatever the hardware"
    )
    print(f"CPU per case: Python {result['py_cpu']:.1f} ms, PostgreSQL {result['pg_cpu']:.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--clients", default="4,8", help="comma-separated client counts")
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--applicants", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=5000, help="distinct planned submissions")
    ap.add_argument(
        "--breakdown",
        type=int,
        nargs="*",
        metavar="C",
        help="then time the parts, in one more run per client count given (default: the first)",
    )
    ap.add_argument("--skip-pgbench", action="store_true")
    args = ap.parse_args()
    clients = [int(c) for c in args.clients.split(",")]

    ensure_database()
    ensure_applicants(args.applicants)
    jobs = plan_jobs(args.jobs, seed=1)
    if not args.skip_pgbench:
        pgbench_init()
    rows = []
    for c in clients:
        pg = {"tps": float("nan"), "latency": float("nan")}
        if not args.skip_pgbench:
            pg = run_pgbench(clients=c, seconds=args.seconds)
            print(f"C={c}: pgbench {pg['tps']:.0f} tps", flush=True)
        cases = run_cases(jobs, clients=c, seconds=args.seconds)
        print(f"C={c}: {cases['rate']:.1f} cases/s", flush=True)
        rows.append((c, pg, cases))

    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("select count(*) from cases_case")
        total_cases = cur.fetchone()[0]
        cur.execute(
            "select avg(pg_column_size(workflow_state)) from cases_case where workflow_state is not null"
        )
        state_bytes = cur.fetchone()[0]
    print(
        f"\nPostgreSQL 15 on 127.0.0.1, {os.cpu_count()} cores, {args.seconds} s per run; "
        f"pgbench TPC-B-like scale {PGBENCH_SCALE} (-j 2); case workers are processes with one "
        f"connection each; {total_cases} cases in the table after the runs; stored BPMN state "
        f"{state_bytes or 0:.0f} bytes per case (as stored)"
    )
    print(
        f"{'clients':>7} {'pgbench tps':>11} {'cases/s':>8} {'ratio':>6} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'p99 ms':>7} {'cases':>6} {'errors':>6} | CPU ms per tx / per case: "
        f"pgbench client+server, case Python+server | load average after pgbench, cases"
    )
    for c, pg, r in rows:
        print(
            f"{c:>7} {pg['tps']:>11.0f} {r['rate']:>8.1f} {r['rate'] / pg['tps']:>6.1%} "
            f"{r['p50']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f} {r['cases']:>6} "
            f"{sum(r['errors'].values()):>6} | {pg.get('client_cpu', 0):.2f}+{pg.get('pg_cpu', 0):.2f}, "
            f"{r['py_cpu']:.1f}+{r['pg_cpu']:.1f} | {pg.get('load', float('nan')):.1f}, {r['load']:.1f}"
        )
        for msg, k in r["errors"].items():
            print(f"        {k} x {msg}")
    for c in [clients[0]] if args.breakdown == [] else args.breakdown or []:
        print(f"\nbreakdown run: {c} clients, {args.seconds} s, timers on (slightly slower)")
        br = run_cases(jobs, clients=c, seconds=args.seconds, breakdown=True)
        print(
            f"{br['rate']:.1f} cases/s under timers, p50 {br['p50']:.1f} ms, p99 {br['p99']:.1f} ms, "
            f"load average {br['load']:.1f}"
        )
        print_breakdown(br)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
