"""The data-quality board for a person: the datasets they may read, by department, and one in detail.

Who sees what is ``access.datasets_visible_to``; a consistency rule counts and shows only
for those who may read both of its datasets, and a department is averaged over the
datasets the viewer may read, so a ranking never rests on data hidden from its reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from zhili.accounts.models import Role
from zhili.datahub import quality
from zhili.datahub.access import datasets_visible_to
from zhili.datahub.models import ConsistencyRule
from zhili.datahub.quality import DatasetQuality, RuleCheck
from zhili.divisions.models import Department


@dataclass
class DepartmentQuality:
    department: Department
    datasets: list[DatasetQuality]
    mine: bool = False
    rank: int = 0

    def _mean(self, name: str) -> float | None:
        values = [getattr(q, name) for q in self.datasets]
        present = [v for v in values if v is not None]
        return sum(present) / len(present) if present else None

    @property
    def completeness(self) -> float | None:
        return self._mean("completeness")

    @property
    def validity(self) -> float | None:
        return self._mean("validity")

    @property
    def timeliness(self) -> float | None:
        return self._mean("timeliness")

    @property
    def consistency(self) -> float | None:
        return self._mean("consistency")

    @property
    def overall(self) -> float | None:
        return self._mean("overall")


@dataclass
class Board:
    departments: list[DepartmentQuality]
    rules: list[RuleCheck]
    on: date

    @property
    def datasets(self) -> list[DatasetQuality]:
        return [q for d in self.departments for q in d.datasets]


def _own_departments(user: Any) -> set[int]:
    if getattr(user, "role", None) != Role.DATA_STEWARD:
        return set()
    return set(user.departments.values_list("pk", flat=True))


def quality_board(user: Any, *, on: date | None = None) -> Board:
    """The datasets the user may read, by department, ranked by their mean overall score.

    Departments are averaged over those datasets only, so what a ranking shows never rests
    on data the viewer may not read. A data steward's own departments come first.
    """
    on = on or quality.today()
    visible = list(datasets_visible_to(user).select_related("current__upload"))
    ids = {d.pk for d in visible}
    con = quality._connect()
    checks = [
        quality.rule_check(r, con)
        for r in ConsistencyRule.objects.select_related(
            "left_dataset__current", "right_dataset__current"
        ).order_by("name", "pk")
        if r.left_dataset_id in ids and r.right_dataset_id in ids
    ]
    by_dept: dict[int, DepartmentQuality] = {}
    mine = _own_departments(user)
    for ds in visible:
        related = [c for c in checks if ds.pk in (c.rule.left_dataset_id, c.rule.right_dataset_id)]
        dq = by_dept.setdefault(
            ds.department_id,
            DepartmentQuality(ds.department, [], mine=ds.department_id in mine),
        )
        dq.datasets.append(quality.dataset_quality(ds, on=on, rules=related, con=con))
    ranked = sorted(
        by_dept.values(),
        key=lambda d: (d.overall is None, -(d.overall or 0), d.department.order, d.department.code),
    )
    for n, d in enumerate(ranked, 1):
        d.rank = n
        d.datasets.sort(key=lambda q: (q.overall is None, q.overall or 0, q.dataset.code))
    ranked.sort(key=lambda d: not d.mine)  # stable: the steward's own first, still ranked
    return Board(departments=ranked, rules=checks, on=on)


def dataset_quality_for(user: Any, code: str, *, on: date | None = None) -> DatasetQuality | None:
    """A dataset's quality if the user may read it (None whether or not it exists)."""
    dataset = datasets_visible_to(user).select_related("current__upload").filter(code=code).first()
    if dataset is None:
        return None
    readable = set(datasets_visible_to(user).values_list("pk", flat=True))
    con = quality._connect()
    rules = [
        quality.rule_check(r, con)
        for r in quality.rules_of(dataset)
        if r.left_dataset_id in readable and r.right_dataset_id in readable
    ]
    return quality.dataset_quality(dataset, on=on, rules=rules, con=con)
