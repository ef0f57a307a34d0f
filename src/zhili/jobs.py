"""Background jobs: one way to hand work to the worker (django-q2).

Jobs are enqueued only after the surrounding transaction commits, so a worker
never sees a job whose data was rolled back. ``zhili worker`` runs the
cluster; periodic jobs are rows in django-q's Schedule table, kept in step
with ``PERIODIC`` by ``schedules_sync`` (run at migrate and at worker start).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction


@dataclass(frozen=True)
class Periodic:
    name: str
    func: str  # dotted path
    minutes: int


def periodic_jobs() -> list[Periodic]:
    return [
        Periodic(
            "电子监察：办件时限预警",
            "zhili.cases.tasks.deadline_sweep",
            settings.ZHILI_SWEEP_MINUTES,
        ),
        Periodic("流程定时器", "zhili.cases.tasks.refresh_timers", 5),
        Periodic("好差评整改超期检查", "zhili.cases.tasks.rectification_sweep", 60),
        Periodic("审计日志链校验", "zhili.audit.tasks.verify_nightly", 24 * 60),
        # Daily: makes last month's reports once, and again if late data changed an indicator.
        Periodic("数据月报", "zhili.datahub.report_services.reports_monthly_sweep", 24 * 60),
        Periodic("指标重算", "zhili.datahub.indicators.indicators_refresh_stale", 15),
    ]


def enqueue(func: str, *args: Any, **kwargs: Any) -> None:
    """Run ``func(*args, **kwargs)`` in the worker once the current transaction commits."""
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task(func, *args, **kwargs))


def schedules_sync() -> int:
    """Create or update the Schedule rows of the periodic jobs; returns how many exist."""
    from django_q.models import Schedule

    for job in periodic_jobs():
        Schedule.objects.update_or_create(
            name=job.name,
            defaults={
                "func": job.func,
                "schedule_type": Schedule.MINUTES,
                "minutes": job.minutes,
                "repeats": -1,
            },
        )
    return len(periodic_jobs())
