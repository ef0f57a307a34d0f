"""电子监察 in the worker: the sweep tells the department, the claimer and the supervisors."""

from __future__ import annotations

from datetime import date
from unittest import mock

from tests.cases.conftest import apply_online
from tests.conftest import County
from zhili.cases import deadlines, tasks
from zhili.cases.models import Applicant, Task
from zhili.cases.services import task_claim
from zhili.catalogue.models import ServiceItem
from zhili.notify.models import Notification


def test_it_notifies_owners_and_supervisors_once_per_change(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    case = apply_online(county, licence_item, wangfang)
    deadlines.clock_start(case, today=date(2025, 9, 30))
    case.status = "in_progress"
    case.save()
    task_claim(task=Task.objects.get(case=case, state=Task.OPEN), actor=county.zhangwei)
    with mock.patch("zhili.cases.tasks.timezone.localdate", return_value=date(2025, 10, 20)):
        assert tasks.deadline_sweep() == {"yellow": 0, "red": 1, "past_statutory": 0}
        assert tasks.deadline_sweep() == {"yellow": 0, "red": 0, "past_statutory": 0}
    kinds = set(Notification.objects.values_list("recipient__username", "kind"))
    assert ("zhangwei", "case.warning") in kinds  # the department's window
    assert ("chenjing", "case.warning") in kinds  # and its reviewer
    assert ("zhangwei", "case.red") in kinds  # the one who claimed it
    assert ("sunli", "case.supervise") in kinds  # the supervisor
    assert ("zhoulei", "case.warning") not in kinds  # another department hears nothing
    assert Notification.objects.filter(kind="case.supervise").count() == 1
