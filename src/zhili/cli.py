"""The ``zhili`` command: demo, serve, assets, and every Django management command."""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENDOR = Path(__file__).resolve().parent / "web" / "static" / "vendor"

# Demo code formats: a province sets its own; zhili never guesses one.
DEMO_ENV = {
    "ZHILI_BASIC_CODE_PATTERN": r"\d{12}",
    "ZHILI_IMPL_CODE_PATTERN": r"[0-9A-HJ-NPQRTUWXY]{18}<basic>\d{3}",
}

# (npm package path, destination under static/vendor, glob)
ASSETS = [
    ("htmx.org/dist", "htmx", "htmx.min.js"),
    ("alpinejs/dist", "alpinejs", "cdn.min.js"),
    ("echarts/dist", "echarts", "echarts.min.js"),
    ("@fontsource/noto-sans-sc", "noto-sans-sc", "400.css"),
    ("@fontsource/noto-sans-sc", "noto-sans-sc", "700.css"),
    ("@fontsource/noto-sans-sc/files", "noto-sans-sc/files", "*-400-normal.woff2"),
    ("@fontsource/noto-sans-sc/files", "noto-sans-sc/files", "*-700-normal.woff2"),
]


def _django(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhili.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["zhili", *argv])


def assets(*, force: bool = False) -> None:
    """Install the npm packages from the lock file and copy them into static files.

    The copy is stamped with the lock file's hash, so a changed lock file
    (an upgrade pulled from git) rebuilds it and an unchanged one costs nothing.
    """
    lock = REPO / "package-lock.json"
    if not lock.exists():
        raise SystemExit("package-lock.json not found: run from a source checkout of zhili")
    wanted = hashlib.sha256(lock.read_bytes()).hexdigest()
    stamp = VENDOR / ".package-lock.sha256"
    if not force and stamp.exists() and stamp.read_text().strip() == wanted:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is required to build the front-end assets (install Node.js)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=REPO, check=True)
    node_modules = REPO / "node_modules"
    shutil.rmtree(VENDOR, ignore_errors=True)
    for src, dest, pattern in ASSETS:
        target = VENDOR / dest
        target.mkdir(parents=True, exist_ok=True)
        matches = list((node_modules / src).glob(pattern))
        if not matches:
            raise SystemExit(f"front-end asset missing: node_modules/{src}/{pattern}")
        for path in matches:
            shutil.copy2(path, target / path.name)
    stamp.write_text(wanted + "\n")
    print(f"front-end assets copied to {VENDOR}")


def serve(*, host: str, port: int, workers: int, threads: int = 4) -> None:
    """A production-style server: gunicorn with threads; static files by WhiteNoise."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhili.settings")
    args = [
        sys.executable, "-m", "gunicorn", "zhili.wsgi:application",
        "--config", "python:zhili.gunicorn_conf",
        "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", str(threads),
        "--access-logfile", "-", "--log-level", "warning",
    ]  # fmt: skip
    os.execvp(args[0], args)


def worker() -> None:
    """The job queue worker (django-q2 cluster), with the periodic jobs scheduled."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhili.settings")
    import django

    django.setup()
    from zhili.jobs import schedules_sync

    n = schedules_sync()
    print(f"zhili worker: {n} periodic jobs scheduled", flush=True)
    _django(["qcluster"])


def demo(*, host: str, port: int, serve_it: bool) -> None:
    for key, value in DEMO_ENV.items():
        os.environ.setdefault(key, value)
    assets()
    _django(["migrate", "--no-input", "-v", "0"])
    _django(["demo_load"])
    if serve_it:
        print(f"\n智理 demo county: http://{host}:{port}/")
        from zhili.demo.people import DEMO_PASSWORD, DEMO_USERS

        print(f"Demo logins (password {DEMO_PASSWORD}):")
        for username, name, role_label, *_ in DEMO_USERS:
            print(f"  {username:<12} {name}（{role_label}）")
        sys.stdout.flush()
        # The worker runs beside the server (same process group: Ctrl-C stops both).
        subprocess.Popen([sys.executable, "-m", "zhili.cli", "worker"])
        serve(host=host, port=port, workers=2)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="zhili", description="智理 county platform")
    sub = parser.add_subparsers(dest="cmd")
    p_demo = sub.add_parser("demo", help="migrate, load the demo county, build assets, serve")
    p_demo.add_argument("--host", default="127.0.0.1")
    p_demo.add_argument("--port", type=int, default=8000)
    p_demo.add_argument("--no-serve", action="store_true", help="prepare only")
    p_serve = sub.add_parser("serve", help="serve with gunicorn")
    p_serve.add_argument("--host", default="127.0.0.1")
    p_serve.add_argument("--port", type=int, default=8000)
    p_serve.add_argument("--workers", type=int, default=2)
    p_serve.add_argument("--threads", type=int, default=4)
    p_assets = sub.add_parser("assets", help="copy npm packages into static files")
    p_assets.add_argument("--force", action="store_true")
    sub.add_parser("settings-doc", help="print docs/settings.md from the declarations")
    sub.add_parser("worker", help="run the job queue worker and the periodic jobs")
    if not argv or argv[0] not in sub.choices:
        _django(argv or ["help"])
        return
    args = parser.parse_args(argv)
    if args.cmd == "demo":
        demo(host=args.host, port=args.port, serve_it=not args.no_serve)
    elif args.cmd == "serve":
        serve(host=args.host, port=args.port, workers=args.workers, threads=args.threads)
    elif args.cmd == "assets":
        assets(force=args.force)
    elif args.cmd == "worker":
        worker()
    elif args.cmd == "settings-doc":
        from zhili.conf import settings_markdown

        print(settings_markdown(), end="")


if __name__ == "__main__":
    main()
