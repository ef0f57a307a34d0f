"""Field-by-field comparison of two item versions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zhili.catalogue import schema


@dataclass(frozen=True)
class Change:
    kind: str  # "changed" | "added" | "removed"
    where: str  # a Chinese label: 事项名称, 申请材料“身份证”·材料形式
    before: Any
    after: Any


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def diff_documents(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Changes from ``old`` to ``new``; rows of a part are matched by their identity."""
    a, b = schema.normalize(old), schema.normalize(new)
    changes: list[Change] = []
    for f in schema.ITEM_FIELDS:
        if a[f.key] != b[f.key]:
            changes.append(Change("changed", f.label, _show(a[f.key]), _show(b[f.key])))
    for p in schema.PARTS:
        rows_a = {r[p.identity]: r for r in a[p.key]}
        rows_b = {r[p.identity]: r for r in b[p.key]}
        for ident, row in rows_a.items():
            name = row.get("name") or ident
            if ident not in rows_b:
                changes.append(Change("removed", f"{p.label}“{name}”", _show(name), ""))
                continue
            other = rows_b[ident]
            for f in p.fields:
                if row[f.key] != other[f.key]:
                    changes.append(
                        Change(
                            "changed",
                            f"{p.label}“{name}”·{f.label}",
                            _show(row[f.key]),
                            _show(other[f.key]),
                        )
                    )
        for ident, row in rows_b.items():
            if ident not in rows_a:
                name = row.get("name") or ident
                changes.append(Change("added", f"{p.label}“{name}”", "", _show(name)))
        order_a = [k for k in rows_a if k in rows_b]
        order_b = [k for k in rows_b if k in rows_a]
        if order_a != order_b:
            changes.append(
                Change("changed", f"{p.label}顺序", "、".join(order_a), "、".join(order_b))
            )
    return changes
