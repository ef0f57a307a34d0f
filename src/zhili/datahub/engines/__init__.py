"""Where indicator expressions run: one folder per analytics engine, all of the same shape.

An engine is a package ``zhili/datahub/engines/<name>/`` whose ``__init__.py``
defines two functions (see ``Engine``): ``connect()`` returns an Ibis backend,
and ``read_parquet(con, paths, table_name)`` opens dataset files on it as an
Ibis table. Indicator formulas are built once as Ibis expressions
(``indicators.py``) and run unchanged on whichever engine is configured.

``ZHILI_ANALYTICS_ENGINE`` names the folder: ``duckdb`` (embedded, the
default) or ``pyspark`` (a Spark cluster, or local mode for tests). To add an
engine (Trino, ClickHouse…), copy the closest folder and edit its two
functions; docs/indicators.md says how.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Protocol, cast

import ibis
from django.conf import settings

from zhili.conf import ConfigError

SETTING = "ZHILI_ANALYTICS_ENGINE"
DEFAULT = "duckdb"
_NAME = re.compile(r"[a-z][a-z0-9_]*")


class EngineNotFound(ConfigError):
    """The setting names no engine folder, or one without the two functions."""


class Engine(Protocol):
    """What every ``engines/<name>/__init__.py`` defines at module level."""

    def connect(self) -> ibis.BaseBackend: ...

    def read_parquet(
        self, con: ibis.BaseBackend, paths: Sequence[str | Path], table_name: str
    ) -> ibis.Table: ...


def available() -> list[str]:
    """The engine folders that exist."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg)


def configured_name() -> str:
    return str(getattr(settings, SETTING, DEFAULT) or DEFAULT)


def load(name: str | None = None) -> Engine:
    """The engine of that name (default: the configured one).

    Engines are imported only when asked for, so a dependency of one engine
    (pyspark and Java) is needed only where that engine is configured.
    """
    name = name or configured_name()
    if not _NAME.fullmatch(name) or name not in available():
        raise EngineNotFound(
            f"{SETTING}={name!r} names no folder under zhili/datahub/engines/ "
            f"(there are: {', '.join(available())})"
        )
    module: ModuleType = importlib.import_module(f"{__name__}.{name}")
    for func in ("connect", "read_parquet"):
        if not callable(getattr(module, func, None)):
            raise EngineNotFound(f"{SETTING}={name!r}: engines/{name}/ defines no {func}()")
    return cast(Engine, module)
