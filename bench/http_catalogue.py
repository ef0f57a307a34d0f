"""Catalogue search and the item page under concurrent load, against gunicorn on PostgreSQL.

    .venv/bin/python bench/http_catalogue.py [--items 10000] [--seconds 15] [--connections 16]

Creates (or reuses) the PostgreSQL database ``zhili_bench`` on 127.0.0.1 with the demo county
and a catalogue of ``--items`` published items, starts ``zhili serve`` (gunicorn, the production
server), and drives it with wrk from a second process: the trivial endpoint /healthz, the search
page with varied queries, and item pages of varied items. Prints requests per second and
p50/p95/p99 side by side, with each endpoint's throughput as a ratio of the trivial one.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB_URL = "postgres://postgres@127.0.0.1:5432/zhili_bench"
PORT = 8765
QUERIES = [
    "bdc", "社保", "不动产登记", "护照", "营业执照", "gtgsh", "准生证", "食品经营许可", "医保",
    "退休", "结婚登记", "户口迁移", "低保", "公积金提取", "驾驶证", "不动铲登记", "养老保险",
    "出生医学证明", "残疾人证", "建设工程规划许可", "shebao", "农村宅基地", "税务登记", "门诊慢特病",
]  # fmt: skip


def django_setup() -> None:
    os.environ["DATABASE_URL"] = DB_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhili.settings")
    from zhili.cli import DEMO_ENV

    os.environ.update(DEMO_ENV)
    import django

    django.setup()


def ensure_database(items: int) -> list[str]:
    """The bench database with ``items`` published items; returns their impl codes."""
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        if not c.execute("select 1 from pg_database where datname='zhili_bench'").fetchone():
            c.execute("create database zhili_bench")
    django_setup()
    from django.core.management import call_command
    from django.db import transaction

    from zhili.catalogue.models import ServiceItem
    from zhili.catalogue.services import item_draft_save, item_publish
    from zhili.demo.generate import bulk_item_documents
    from zhili.divisions.models import Department

    call_command("migrate", verbosity=0)
    call_command("demo_load", verbosity=0)
    have = ServiceItem.objects.filter(current__isnull=False).count()
    if have < items:
        started = time.perf_counter()
        departments = {d.code: d for d in Department.objects.all()}
        existing = set(ServiceItem.objects.values_list("impl_code", flat=True))
        docs = [d for d in bulk_item_documents(items, seed=7) if d["impl_code"] not in existing]
        docs = docs[: items - have]
        for start in range(0, len(docs), 500):
            with transaction.atomic():
                for doc in docs[start : start + 500]:
                    v = item_draft_save(document=doc, actor=None, departments=departments)
                    item_publish(item=v.item, actor=None)
        took = time.perf_counter() - started
        print(f"loaded {items - have} items in {took:.1f} s", flush=True)
    codes = list(
        ServiceItem.objects.filter(current__isnull=False).values_list("impl_code", flat=True)
    )
    print(f"catalogue: {len(codes)} published items on PostgreSQL", flush=True)
    return codes


def wait_up(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not come up at {url}")


def run_wrk(paths: list[str], *, seconds: int, connections: int, threads: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(paths) + "\n")
        listing = f.name
    env = dict(os.environ, WRK_PATHS=listing)
    cmd = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(ROOT / "bench" / "paths.lua"), f"http://127.0.0.1:{PORT}",
    ]  # fmt: skip
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT"))
    return {k: float(v) for k, v in (part.split("=") for part in line.split()[1:])}


def measure(
    scenarios: dict[str, list[str]], args: argparse.Namespace, *, page_cache: str
) -> dict[str, dict[str, float]]:
    """Start the server with the given page cache size, warm it, run every scenario."""
    env = dict(
        os.environ, DATABASE_URL=DB_URL, ZHILI_DEBUG="false", ZHILI_PAGE_CACHE_SIZE=page_cache
    )
    cmd = [
        str(ROOT / ".venv/bin/zhili"), "serve", "--port", str(PORT),
        "--workers", str(args.workers), "--threads", str(args.threads),
    ]  # fmt: skip
    server = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        wait_up(f"http://127.0.0.1:{PORT}/healthz")
        for _ in range(2):  # warm every worker's page cache and connections
            for paths in scenarios.values():
                run_wrk(paths, seconds=3, connections=args.connections, threads=1)
        return {
            name: run_wrk(paths, seconds=args.seconds, connections=args.connections, threads=1)
            for name, paths in scenarios.items()
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4)
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    codes = ensure_database(args.items)
    rng = random.Random(1)
    scenarios = {
        "trivial /healthz": ["/healthz"],
        "search page": [f"/search?q={urllib.parse.quote(q)}" for q in QUERIES],
        "item page": [f"/items/{c}/" for c in rng.sample(codes, min(500, len(codes)))],
    }
    results: dict[str, dict[str, float]] = {}
    for cache_size in ("2000", "0"):
        label = "" if cache_size != "0" else " (no page cache)"
        got = measure(scenarios, args, page_cache=cache_size)
        for name, r in got.items():
            if cache_size == "0" and name.startswith("trivial"):
                continue
            results[name + label] = r
    base = results["trivial /healthz"]["rps"]
    print(
        f"\ngunicorn {args.workers} workers x {args.threads} threads, PostgreSQL, {len(codes)} items, "
        f"wrk {args.connections} connections, {args.seconds} s each, {os.cpu_count()} cores"
    )
    print(
        f"{'endpoint':<34} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'vs trivial':>10} {'non-2xx':>8}"
    )
    for name, r in results.items():
        print(
            f"{name:<34} {r['rps']:>9.1f} {r['p50']:>8.2f} {r['p95']:>8.2f} {r['p99']:>8.2f} "
            f"{r['rps'] / base:>10.2f} {int(r['non2xx']):>8}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
