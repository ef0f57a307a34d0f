"""The data-quality board of the back office (/staff/quality/): thin views over ``quality``.

Staff see the quality of the datasets they may read (``access``); a data steward's own
departments come first. A dataset the user may not read is a 404, as if it did not exist.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhili.datahub import quality, quality_board
from zhili.datahub.models import Frequency, Sharing
from zhili.web.staff import staff_only as gate

View = Callable[..., HttpResponseBase]

DIMENSIONS = [
    ("completeness", "完整性"),
    ("validity", "有效性"),
    ("timeliness", "及时性"),
    ("consistency", "一致性"),
    ("overall", "综合"),
]
LABELS = {"good": "优", "fair": "中", "poor": "差", "none": "不适用"}


@dataclass(frozen=True)
class Score:
    """A score as the board shows it: a percentage, a colour and a word (not colour alone)."""

    value: float | None

    @property
    def text(self) -> str:
        if self.value is None:
            return "—"
        # Rounded down, so that 100.0% means nothing at all is wrong.
        return f"{math.floor(self.value * 1000 + 1e-9) / 10:.1f}%"

    @property
    def level(self) -> str:
        return quality.grade(self.value)

    @property
    def label(self) -> str:
        return LABELS[self.level]


def scores(obj: Any) -> list[Score]:
    return [Score(getattr(obj, name)) for name, _ in DIMENSIONS]


staff_only = gate("数据质量看板仅供工作人员使用。")


@require_GET
@staff_only
def board(request: HttpRequest) -> HttpResponse:
    result = quality_board.quality_board(request.user)
    departments = [
        {
            "d": d,
            "scores": scores(d),
            "datasets": [{"q": q, "scores": scores(q)} for q in d.datasets],
        }
        for d in result.departments
    ]
    return render(
        request,
        "quality/board.html",
        {
            "departments": departments,
            "dimensions": DIMENSIONS,
            "count": len(result.datasets),
            "overall": Score(_mean([q.overall for q in result.datasets])),
            "failing_rules": [r for r in result.rules if r.disagreeing or r.problem],
            "on": result.on,
            "expected": {f: quality.expected_period(f, result.on) for f in Frequency.values},
            "frequencies": dict(Frequency.choices),
            "sharing": dict(Sharing.choices),
            "has_mine": any(d.mine for d in result.departments),
        },
    )


@require_GET
@staff_only
def dataset(request: HttpRequest, code: str) -> HttpResponse:
    q = quality_board.dataset_quality_for(request.user, code)
    if q is None:
        raise Http404("没有这个数据集")
    holes = q.holes
    return render(
        request,
        "quality/dataset.html",
        {
            "q": q,
            "ds": q.dataset,
            "scores": list(zip(DIMENSIONS, scores(q), strict=True)),
            "fields": [(f, Score(f.share)) for f in q.fields],
            "rules": [(r, Score(r.score)) for r in q.rules],
            "frequency": Frequency(q.dataset.frequency).label,
            "sharing": Sharing(q.dataset.sharing).label,
            "holes": holes,
            "holes_capped": len(holes) >= quality.GAPS,
            "late_to_zero": quality.LATE_TO_ZERO[q.dataset.frequency],
            "worst": quality.WORST,
        },
    )


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None
