"""Jobs the worker runs (scheduled in ``zhili.jobs.periodic_jobs``)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from zhili.accounts.models import Role, User
from zhili.cases import deadlines
from zhili.cases.models import OPEN_STATUSES, Case, Task
from zhili.notify.services import notify_many


def deadline_sweep() -> dict[str, int]:
    """电子监察: colour every running case by its dates, and tell owners and supervisors."""
    today = timezone.localdate()
    result = deadlines.sweep(today=today)
    from zhili.divisions.models import Department

    names = dict(
        Department.objects.filter(pk__in=result.by_department).values_list("pk", "short_name")
    )
    for dept_id, n in result.by_department.items():
        owners = User.objects.filter(
            departments=dept_id, role__in=[Role.CLERK, Role.REVIEWER], is_active=True
        )
        notify_many(
            list(owners),
            kind="case.warning",
            title="办件时限预警",
            body=f"本部门有{n}件办件进入预警或超期状态，请在待办中优先办理。",
            link="/staff/cases/queue/",
        )
    claimers = User.objects.filter(
        pk__in=Task.objects.filter(case_id__in=result.red_case_ids, state=Task.OPEN)
        .exclude(claimed_by__isnull=True)
        .values("claimed_by")
    )
    notify_many(
        list(claimers), kind="case.red", title="您认领的办件已到承诺时限",
        body="您认领的办件已到承诺办结时限，请尽快办理。", link="/staff/cases/queue/",
    )  # fmt: skip
    if result.by_department:
        supervisors = User.objects.filter(role=Role.LEADER, is_active=True)
        summary = "、".join(
            f"{names.get(d, d)}{n}件" for d, n in result.by_department.most_common(10)
        )
        notify_many(
            list(supervisors), kind="case.supervise", title="电子监察：新增预警办件",
            body=f"今日新增预警或超期办件：{summary}。", link="/staff/cases/supervise/",
        )  # fmt: skip
    return {"yellow": result.yellow, "red": result.red, "past_statutory": result.past_statutory}


def refresh_timers() -> int:
    """Wake processes held by a BPMN timer whose time has come."""
    from zhili.cases.services import timers_refresh

    due = Case.objects.filter(Q(wake_at__lte=timezone.now()), status__in=OPEN_STATUSES)
    n = 0
    for case in due.only("pk")[:500]:
        n += timers_refresh(case_id=case.pk)
    return n


def rectification_sweep() -> int:
    from zhili.cases.models import Rectification

    today = timezone.localdate()
    return Rectification.objects.filter(
        state__in=[Rectification.OPEN, Rectification.CALLED_BACK], due_on__lt=today, overdue=False
    ).update(overdue=True)


def deadlines_recompute() -> int:
    """After a holiday notice is entered: re-plan running clocks, then sweep at once."""
    changed = deadlines.recompute_all()
    deadline_sweep()
    return changed
