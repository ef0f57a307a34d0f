"""Indicators (指标): defining them, computing them on the analytics engine, storing their values.

The formula is checked and turned into an Ibis expression by ``formulas.py``;
the expression runs on the engine named by ``ZHILI_ANALYTICS_ENGINE``
(``engines/``). ``indicator_refresh`` replaces an indicator's stored values
(``IndicatorValue``, what the map, the dashboard and the reports read) in one
transaction. Data stewards keep the indicators of their own departments;
administrators keep all of them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import pyarrow as pa
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from zhili.accounts.models import Role, User
from zhili.audit.services import audit_record
from zhili.datahub import access, engines, storage
from zhili.datahub.formulas import (
    RESULT_SCHEMA,
    FormulaInvalid,
    Part,
    divisions_arrow,
    formula_check,
    indicator_expr,
)
from zhili.datahub.models import Dataset, Frequency, Indicator, IndicatorValue
from zhili.divisions.models import Department
from zhili.jobs import enqueue

log = logging.getLogger(__name__)

BATCH = 5000
REFRESH_JOB = "zhili.datahub.indicators.indicator_refresh_by_code"
CODE_RE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")
RESERVED = {"new", "check"}  # page addresses under /staff/indicators/


class PermissionDenied(DjangoPermissionDenied):
    """The actor may not do this; the message says why, in Chinese (a 403 in pages and the API)."""


class IndicatorInvalid(ValueError):
    """The definition cannot be saved; ``problems`` are Chinese sentences naming the field."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("；".join(self.problems))


# ---- who may do what ----


def datasets_usable_by(user: User) -> QuerySet[Dataset]:
    """The datasets whose data a user may put in an indicator: those they may read
    (``access.datasets_visible_to``, the rule of the catalogue, the map and CKAN)."""
    return access.datasets_visible_to(user)


def owner_departments(user: User) -> QuerySet[Department]:
    """The departments whose indicators a user keeps: their own for a data steward, all for an admin."""
    if user.is_superuser or user.role == Role.ADMIN:
        return Department.objects.all()
    if user.role != Role.DATA_STEWARD:
        return Department.objects.none()
    return user.departments.all()


def can_manage(user: User, indicator: Indicator | None = None) -> bool:
    """May the user create indicators (no ``indicator``), or change this one?"""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    if indicator is None:
        return owner_departments(user).exists()
    return (
        indicator.owner_id is not None
        and owner_departments(user).filter(pk=indicator.owner_id).exists()
    )


# ---- computing ----


def _table_name(dataset: Dataset) -> str:
    number = dataset.current.number if dataset.current else 0
    return "ds_" + re.sub(r"[^a-z0-9_]", "_", dataset.code.lower()) + f"_v{number}"


def _parts(indicator: Indicator) -> list[Part]:
    codes = indicator.datasets()
    datasets = {d.code: d for d in Dataset.objects.filter(code__in=codes).select_related("current")}
    parts, problems = formula_check(
        indicator.numerator,
        indicator.denominator,
        frequency=indicator.frequency,
        datasets=datasets,
    )
    if problems:
        raise FormulaInvalid(problems)
    return parts


def _compute(
    indicator: Indicator,
    con: ibis.BaseBackend,
    engine: engines.Engine,
    divisions: pa.Table,
) -> pa.Table:
    parts = _parts(indicator)
    if any(p.dataset.current is None for p in parts):
        return RESULT_SCHEMA.empty_table()  # nothing published yet
    tables = {}
    for part in parts:
        ds = part.dataset
        if ds.code not in tables:
            assert ds.current is not None
            path = storage.absolute(ds.current.path)
            tables[ds.code] = engine.read_parquet(con, [path], _table_name(ds))
    expr = indicator_expr(indicator, parts, tables, ibis.memtable(divisions))
    result = expr.to_pyarrow()
    return result.select(RESULT_SCHEMA.names).cast(RESULT_SCHEMA)


@dataclass(frozen=True)
class Preview:
    """What a formula gives before it is saved: the top level's latest value."""

    division_code: str
    level: str
    period: str
    value: float | None
    base_values: int  # how many divisions of the datasets' level have a value that period
    periods: int


def indicator_preview(indicator: Indicator) -> Preview | None:
    """Compute an unsaved indicator and summarise it for the editor's live check."""
    table = indicator_compute(indicator)
    if table.num_rows == 0:
        return None
    rows = table.to_pylist()
    order = {"county": 0, "town": 1, "village": 2}
    top = min(order.get(r["level"], 3) for r in rows)
    tops = [r for r in rows if order.get(r["level"], 3) == top]
    last = max(tops, key=lambda r: (r["period"], r["division_code"]))
    bottom = max(order.get(r["level"], 3) for r in rows)
    base = [
        r for r in rows
        if order.get(r["level"], 3) == bottom and r["period"] == last["period"] and r["value"] is not None
    ]  # fmt: skip
    return Preview(
        division_code=last["division_code"],
        level=last["level"],
        period=last["period"],
        value=last["value"],
        base_values=len(base),
        periods=len({r["period"] for r in tops}),
    )


def _engine(engine: str | engines.Engine | None) -> engines.Engine:
    return engines.load(engine) if engine is None or isinstance(engine, str) else engine


def indicator_compute(
    indicator: Indicator,
    *,
    engine: str | engines.Engine | None = None,
    divisions: pa.Table | None = None,
) -> pa.Table:
    """Every value of the indicator, as an Arrow table of ``formulas.RESULT_SCHEMA``.

    Rows, in no particular order: each division of the datasets' level and
    each period, and the town and county roll-ups. ``engine`` is an engine name or module
    (default: ``ZHILI_ANALYTICS_ENGINE``); ``divisions`` the roll-up map
    (default: the Division table). Raises ``FormulaInvalid`` when the
    datasets no longer have what the formula needs.
    """
    eng = _engine(engine)
    con = eng.connect()
    return _compute(indicator, con, eng, divisions if divisions is not None else divisions_arrow())


VALUE_COLUMNS = ["division_code", "level", "period", "value", "numerator", "denominator"]


def _tuples(indicator_id: int, table: pa.Table) -> Iterator[list[tuple[Any, ...]]]:
    """The rows to insert, ``BATCH`` at a time, straight from the Arrow columns."""
    for batch in table.select(VALUE_COLUMNS).to_batches(max_chunksize=BATCH):
        columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
        yield [(indicator_id, *row) for row in zip(*columns, strict=True)]


def _insert(indicator_id: int, table: pa.Table) -> None:
    """Insert the values: COPY on PostgreSQL, batched executemany elsewhere.

    Not ``bulk_create``: building a model instance per value and compiling
    each batch's SQL cost far more than the database's own work once a
    province has a million values per indicator.
    """
    names = ["indicator_id", *VALUE_COLUMNS]  # the model's column names are its field names
    cols = ", ".join(connection.ops.quote_name(n) for n in names)
    target = connection.ops.quote_name(IndicatorValue._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {target} ({cols}) FROM STDIN") as copy:
                for rows in _tuples(indicator_id, table):
                    for row in rows:
                        copy.write_row(row)
            return
        sql = f"INSERT INTO {target} ({cols}) VALUES ({', '.join(['%s'] * len(names))})"
        for rows in _tuples(indicator_id, table):
            cursor.executemany(sql, rows)


def values_replace(indicator: Indicator, table: pa.Table) -> int:
    """Replace the stored values of an indicator by ``table``, at once for every reader."""
    with transaction.atomic():
        # Two refreshes of one indicator take turns instead of colliding on the unique key.
        Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
        IndicatorValue.objects.filter(indicator=indicator).delete()
        # In the unique index's order: B-tree pages fill one after the other instead of at
        # random, which made a province's 1.27 M values three times faster to insert on SQLite.
        _insert(
            indicator.pk, table.sort_by([("division_code", "ascending"), ("period", "ascending")])
        )
        indicator.computed_at = timezone.now()
        indicator.save(update_fields=["computed_at"])
    return int(table.num_rows)


def indicator_refresh(indicator: Indicator, *, engine: str | engines.Engine | None = None) -> int:
    """Compute the indicator and store its values; returns how many values were stored.

    The computation runs outside the transaction (it can take seconds on a
    large province); only the swap of the stored values is atomic.
    """
    return values_replace(indicator, indicator_compute(indicator, engine=engine))


def indicator_refresh_by_code(code: str) -> int:
    """The job behind “重新计算”: refresh one indicator, if it still exists."""
    indicator = Indicator.objects.filter(code=code).first()
    return indicator_refresh(indicator) if indicator is not None else 0


def _refresh_many(indicators: Sequence[Indicator]) -> dict[str, int]:
    """Refresh several indicators on one connection; a broken one is logged and skipped (-1)."""
    if not indicators:
        return {}
    eng = _engine(None)
    con = eng.connect()
    divisions = divisions_arrow()
    done: dict[str, int] = {}
    for indicator in indicators:
        try:
            done[indicator.code] = values_replace(
                indicator, _compute(indicator, con, eng, divisions)
            )
        except Exception:
            log.exception("indicator %s could not be refreshed", indicator.code)
            done[indicator.code] = -1
    return done


def indicators_refresh_all() -> dict[str, int]:
    """Refresh every indicator: {code: values stored, or -1 when it failed}."""
    return _refresh_many(list(Indicator.objects.order_by("code")))


def stale(indicator: Indicator, published: Mapping[str, Any]) -> bool:
    """Never computed, or one of its datasets got a version since."""
    if indicator.computed_at is None:
        return True
    return any(
        published.get(code) is not None and published[code] > indicator.computed_at
        for code in indicator.datasets()
    )


def indicators_refresh_stale() -> dict[str, int]:
    """The periodic job: refresh the indicators whose data changed since they were computed."""
    published = dict(
        Dataset.objects.filter(current__isnull=False).values_list("code", "current__published_at")
    )
    todo = [i for i in Indicator.objects.order_by("code") if stale(i, published)]
    return _refresh_many(todo)


def refresh_enqueue(indicator: Indicator) -> None:
    """Have the worker recompute the indicator once the current transaction commits."""
    enqueue(REFRESH_JOB, indicator.code)


# ---- defining ----

FIELDS = [
    "name", "category", "unit", "direction", "description", "numerator", "denominator",
    "scale", "decimals", "frequency", "key", "owner",
]  # fmt: skip


def _clean(actor: User, data: dict[str, Any]) -> list[str]:
    """Check a definition in place (strings stripped); returns the problems, in Chinese."""
    problems: list[str] = []
    for name in ("name", "category", "unit", "description"):
        data[name] = str(data.get(name) or "").strip()
    if not data["name"]:
        problems.append("名称：必填")
    if len(data["unit"]) > 16:
        problems.append("单位：不能超过16个字")
    if data.get("direction") not in {Indicator.UP, Indicator.DOWN}:
        problems.append("方向：应为“越大越好”或“越小越好”")
    if data.get("frequency") not in Frequency.values:
        problems.append("频度：应为按月、按季或按年")
    try:
        data["scale"] = float(data.get("scale", 1.0))
        if data["scale"] == 0:
            problems.append("倍数：不能为0")
    except (TypeError, ValueError):
        problems.append(f"倍数：“{data.get('scale')}”不是数字")
    try:
        data["decimals"] = int(data.get("decimals", 1))
        if not 0 <= data["decimals"] <= 6:
            raise ValueError
    except (TypeError, ValueError):
        problems.append("小数位：应为0到6之间的整数")
    owner = data.get("owner")
    allowed = owner_departments(actor)
    if owner is None and not (actor.is_superuser or actor.role == Role.ADMIN):
        problems.append("归口部门：必填")
    elif owner is not None and not allowed.filter(pk=owner.pk).exists():
        raise PermissionDenied(f"您无权维护{owner.name}的指标。")
    if data.get("frequency") in Frequency.values:
        parts, errors = formula_check(
            data.get("numerator"), data.get("denominator"), frequency=data["frequency"]
        )
        problems.extend(errors)
        usable = set(datasets_usable_by(actor).values_list("code", flat=True))
        for part in parts:
            if part.dataset.code not in usable:
                label = "分子" if part.role == "numerator" else "分母"
                problems.append(f"{label}：您无权使用受限数据集“{part.dataset.name}”")
            data[part.role] = part.as_json()
        if not data.get("denominator"):
            data["denominator"] = None
    return problems


def _norm(name: str, value: Any) -> Any:
    """A formula part with its optional keys filled in, so that an unchanged one compares equal."""
    if name not in {"numerator", "denominator"} or not isinstance(value, Mapping):
        return value or None if name == "denominator" else value
    return {
        "dataset": value.get("dataset"),
        "field": value.get("field") or "",
        "agg": value.get("agg"),
        "filters": list(value.get("filters") or []),
    }


def _snapshot(indicator: Indicator) -> dict[str, Any]:
    data = {name: getattr(indicator, name) for name in FIELDS if name != "owner"}
    data["owner"] = indicator.owner.code if indicator.owner else None
    return data


def indicator_create(*, actor: User, code: str, **data: Any) -> Indicator:
    """Define an indicator and have it computed. ``data``: the fields of ``FIELDS``."""
    if not can_manage(actor):
        raise PermissionDenied("只有数据管理员和系统管理员可以定义指标。")
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise TypeError(f"indicator_create: unknown fields {sorted(unknown)}")
    data = {
        "category": "", "unit": "", "direction": Indicator.UP, "description": "",
        "denominator": None, "scale": 1.0, "decimals": 1, "frequency": Frequency.MONTHLY,
        "key": False, "owner": None, **data,
    }  # fmt: skip
    code = (code or "").strip()
    problems = []
    if not CODE_RE.fullmatch(code):
        problems.append("指标编码：以字母开头，由字母、数字、_ . - 组成，最长64位")
    elif code in RESERVED:
        problems.append(f"指标编码：“{code}”是保留字，请换一个")
    elif Indicator.objects.filter(code=code).exists():
        problems.append(f"指标编码：“{code}”已被使用")
    problems += _clean(actor, data)
    if problems:
        raise IndicatorInvalid(problems)
    with transaction.atomic():
        indicator = Indicator.objects.create(code=code, created_by=actor, **data)
        audit_record(
            action="indicator.create",
            actor=actor,
            object_type="indicator",
            object_id=code,
            summary=f"定义指标“{indicator.name}”",
            after=_snapshot(indicator),
        )
        refresh_enqueue(indicator)
    return indicator


def indicator_update(*, actor: User, indicator: Indicator, **changes: Any) -> Indicator:
    """Change an indicator's definition; a changed formula has it computed again."""
    if not can_manage(actor, indicator):
        owner = indicator.owner.name if indicator.owner else "未指定部门"
        raise PermissionDenied(f"您无权维护{owner}的指标。")
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise TypeError(f"indicator_update: unknown fields {sorted(unknown)}")
    data = {name: getattr(indicator, name) for name in FIELDS} | changes
    problems = _clean(actor, data)
    if problems:
        raise IndicatorInvalid(problems)
    before = _snapshot(indicator)
    changed = [
        name for name in FIELDS if _norm(name, getattr(indicator, name)) != _norm(name, data[name])
    ]
    if not changed:
        return indicator
    with transaction.atomic():
        for name in changed:
            setattr(indicator, name, data[name])
        indicator.save(update_fields=changed)
        audit_record(
            action="indicator.update",
            actor=actor,
            object_type="indicator",
            object_id=indicator.code,
            summary=f"修改指标“{indicator.name}”：{'、'.join(changed)}",
            before=before,
            after=_snapshot(indicator),
        )
        if {"numerator", "denominator", "scale", "frequency"} & set(changed):
            refresh_enqueue(indicator)
    return indicator
