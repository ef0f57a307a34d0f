"""Settings read from the environment, declared once as data.

Every variable zhili reads is listed in ``DECLARED``; ``docs/settings.md`` is
generated from it (``zhili settings-doc``), so the docs cannot drift.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(RuntimeError):
    """A setting in the environment is malformed."""


@dataclass(frozen=True)
class Declared:
    name: str
    kind: str  # "str" | "int" | "float" | "bool" | "list"
    default: Any
    help: str


BASE_DIR = Path(os.environ.get("ZHILI_HOME", Path.cwd())).resolve()

DECLARED: list[Declared] = [
    Declared(
        "ZHILI_HOME", "str", "the current directory", "Folder holding var/ (database, uploads)."
    ),
    Declared(
        "DATABASE_URL",
        "str",
        "sqlite:///<ZHILI_HOME>/var/zhili.sqlite3",
        "Database URL; postgres://user@host/db in production.",
    ),
    Declared(
        "ZHILI_SECRET_KEY",
        "str",
        "a development key",
        "Django secret key; required when debug is off.",
    ),
    Declared("ZHILI_DEBUG", "bool", False, "Debug pages; never on a public server."),
    Declared("ZHILI_ALLOWED_HOSTS", "list", ["127.0.0.1", "localhost"], "Host names served."),
    Declared(
        "ZHILI_COUNTY_CODE",
        "str",
        "330599",
        "6-digit GB/T 2260 code of the county this deployment serves; every division code starts with it.",
    ),
    Declared(
        "ZHILI_BASIC_CODE_PATTERN",
        "str",
        "",
        "Regular expression an item's 12-character basic code (基本编码) must match. "
        "Empty: the province has not set one, and the check reports that instead of guessing.",
    ),
    Declared(
        "ZHILI_IMPL_CODE_PATTERN",
        "str",
        "",
        "Regular expression for the implementation code (实施编码); '<basic>' stands for the item's basic code.",
    ),
    Declared(
        "ZHILI_CATALOGUE_REFRESH_SECONDS",
        "float",
        2.0,
        "How often a process asks the database whether the published catalogue changed "
        "(search index, page cache). 0 asks on every request.",
    ),
    Declared(
        "ZHILI_PAGE_CACHE_SIZE",
        "int",
        2000,
        "Portal pages kept rendered per process for visitors who are not signed in; 0 turns it off.",
    ),
    Declared(
        "ZHILI_PAGE_CACHE_SECONDS",
        "int",
        300,
        "Longest a cached portal page is served; a publish invalidates it sooner.",
    ),
    Declared(
        "ZHILI_SEARCH_SYNONYMS",
        "str",
        "",
        "A file of the county's own colloquial names for search, one 'colloquial => standard' "
        "per line (the format of catalogue/data/search_synonyms.txt). Read at start-up.",
    ),
    Declared(
        "ZHILI_PII_KEYS",
        "list",
        [],
        "Comma-separated Fernet keys that encrypt personal data at rest (身份证号, phone, address); "
        "the first encrypts, all decrypt, so keys can be rotated. Empty: derived from ZHILI_SECRET_KEY.",
    ),
    Declared(
        "ZHILI_QUEUE_BROKER",
        "str",
        "orm",
        "Job queue broker: 'orm' keeps jobs in the database; 'redis' uses ZHILI_REDIS_URL.",
    ),
    Declared("ZHILI_REDIS_URL", "str", "redis://127.0.0.1:6379/0", "Redis for the 'redis' broker."),
    Declared("ZHILI_QUEUE_WORKERS", "int", 2, "Worker processes started by `zhili worker`."),
    Declared(
        "ZHILI_SMS_BACKEND",
        "str",
        "console",
        "SMS backend: a folder name under zhili/notify/backends ('console' prints; 'none' is off).",
    ),
    Declared(
        "ZHILI_EMAIL_BACKEND",
        "str",
        "console",
        "Email backend: a folder name under zhili/notify/backends ('console', 'smtp', 'none').",
    ),
    Declared(
        "ZHILI_RECTIFY_DAYS",
        "int",
        5,
        "Working days a department has to fix what a bad rating (差评) reports; provinces set 1 to 15.",
    ),
    Declared(
        "ZHILI_UPLOAD_MAX_MB", "int", 20, "Largest material file an applicant may upload, in MB."
    ),
    Declared(
        "ZHILI_ANALYTICS_ENGINE",
        "str",
        "duckdb",
        "Which folder under zhili/datahub/engines runs indicator formulas: 'duckdb' (embedded) "
        "or 'pyspark' (a Spark cluster; needs `pip install pyspark` and Java 17).",
    ),
    Declared(
        "ZHILI_SPARK_MASTER",
        "str",
        "local[2]",
        "Where the pyspark engine runs: local[N], spark://host:7077 or yarn.",
    ),
    Declared(
        "ZHILI_SWEEP_MINUTES",
        "int",
        15,
        "How often the deadline sweep (电子监察) runs in the worker, in minutes.",
    ),
]

_BY_NAME = {d.name: d for d in DECLARED}


def env(name: str) -> Any:
    """The typed value of a declared variable; raises ConfigError when malformed."""
    decl = _BY_NAME[name]
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return decl.default
    if decl.kind == "str":
        return raw
    if decl.kind == "int":
        try:
            return int(raw)
        except ValueError as exc:
            raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc
    if decl.kind == "float":
        try:
            return float(raw)
        except ValueError as exc:
            raise ConfigError(f"{name} must be a number, got {raw!r}") from exc
    if decl.kind == "bool":
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{name} must be true or false, got {raw!r}")
    if decl.kind == "list":
        return [part.strip() for part in raw.split(",") if part.strip()]
    raise ConfigError(f"{name}: unknown kind {decl.kind}")


def settings_markdown() -> str:
    lines = ["# Settings", "", "Generated from `zhili/conf.py` by `zhili settings-doc`.", ""]
    lines += ["| variable | type | default | meaning |", "| --- | --- | --- | --- |"]
    for d in DECLARED:
        lines.append(f"| `{d.name}` | {d.kind} | {d.default!r} | {d.help} |")
    return "\n".join(lines) + "\n"
