"""BPMN 2.0 workflows, executed by SpiffWorkflow.

Every item runs the standard template (bpmn/standard.bpmn: 受理 → 审查 → 决定 →
办结 → 送达) unless it carries its own process (``ItemWorkflow``). A user task's
lane names who owns it:

- ``clerk`` and ``reviewer``: that role in the item's department;
- ``reviewer@SZJ``: that role in department SZJ (parallel review by two departments);
- ``applicant``: the applicant (补正材料).

The completed action is put in the task data as ``action`` so gateways can
route on it (``action == "correct"``), and as ``<activity>_action`` so later
gateways can ask what an earlier step decided (``accept_action == "accept"``). A script or service task with id
``conclude`` marks 办结; the runner concludes the case there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

BPMN_DIR = Path(__file__).resolve().parent / "bpmn"
STANDARD_PROCESS = "standard"
CONCLUDE = "conclude"

# The actions a user task may complete with, by activity id; other activities
# (a site inspection, a second department's review) take these defaults.
ACTIONS: dict[str, list[tuple[str, str]]] = {
    "accept": [("accept", "受理"), ("correct", "一次性告知补正"), ("refuse", "不予受理")],
    "review": [("approve", "审查通过"), ("correct", "退回补正")],
    "decide": [("approve", "准予"), ("refuse", "不予许可")],
    "deliver": [("deliver", "已送达")],
    "correct": [("resubmit", "提交补正材料")],
}
DEFAULT_ACTIONS = [("approve", "通过"), ("refuse", "不通过")]
# Actions that must carry a reason (不予受理、不予许可 and 补正 must be explained in writing).
REASON_REQUIRED = {"refuse", "correct"}

LANE_ROLES = {"clerk", "reviewer", "applicant"}

_serializer = BpmnWorkflowSerializer()


class WorkflowInvalid(ValueError):
    """A BPMN file that cannot run here; ``problems`` are Chinese sentences."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Owner:
    role: str  # clerk | reviewer | applicant
    department_code: str  # "" = the item's department


def actions_for(activity: str) -> list[tuple[str, str]]:
    return ACTIONS.get(activity, DEFAULT_ACTIONS)


def lane_owner(lane: str | None) -> Owner:
    role, _, dept = (lane or "clerk").partition("@")
    return Owner(role=role.strip(), department_code=dept.strip())


def standard_bpmn() -> str:
    return (BPMN_DIR / "standard.bpmn").read_text(encoding="utf-8")


@lru_cache(maxsize=256)
def _parse(xml_sha: str, xml: str) -> tuple[str, BpmnProcessSpec, dict[str, Any]]:
    parser = BpmnParser(validator=BpmnValidator())
    try:
        parser.add_bpmn_xml(etree.fromstring(xml.encode("utf-8")), filename="item.bpmn")
        ids = parser.get_process_ids()
        executable = [i for i in ids if parser.get_process_parser(i).process_executable]
        if len(executable) != 1:
            raise WorkflowInvalid(
                [f'应恰有一个可执行流程（isExecutable="true"），实际为{len(executable)}个']
            )
        process_id = executable[0]
        spec = parser.get_spec(process_id)
        subprocesses = parser.get_subprocess_specs(process_id)
    except etree.XMLSyntaxError as exc:
        raise WorkflowInvalid([f"不是有效的XML：第{exc.lineno}行 {exc.msg}"]) from exc
    except ValidationException as exc:
        raise WorkflowInvalid([f"BPMN校验失败：{exc}"]) from exc
    return process_id, spec, subprocesses


def parse(xml: str) -> tuple[str, BpmnProcessSpec, dict[str, Any]]:
    """Parse (cached by content) a BPMN document; raises WorkflowInvalid."""
    return _parse(hashlib.sha256(xml.encode("utf-8")).hexdigest(), xml)


def validate(xml: str, *, department_codes: set[str]) -> str:
    """Check that a county can run this process; returns its process id.

    Beyond BPMN validity: every user task sits in a lane naming a known role
    (and department), and some task has the id ``conclude``.
    """
    process_id, spec, subprocesses = parse(xml)
    problems: list[str] = []
    specs = [spec, *subprocesses.values()]
    has_conclude = False
    for s in specs:
        for task_spec in s.task_specs.values():
            bpmn_id = getattr(task_spec, "bpmn_id", None)
            if bpmn_id == CONCLUDE:
                has_conclude = True
            if not task_spec.manual:
                continue
            owner = lane_owner(getattr(task_spec, "lane", None))
            label = task_spec.bpmn_name or bpmn_id
            if getattr(task_spec, "lane", None) is None:
                problems.append(f"任务“{label}”不在任何泳道中，无法确定由谁办理")
            elif owner.role not in LANE_ROLES:
                problems.append(
                    f"任务“{label}”的泳道“{task_spec.lane}”不是可识别的角色（clerk、reviewer、applicant）"
                )
            elif owner.department_code and owner.department_code not in department_codes:
                problems.append(f"任务“{label}”的泳道指向不存在的部门“{owner.department_code}”")
    if not has_conclude:
        problems.append("流程中缺少标识为“conclude”的办结环节")
    if problems:
        raise WorkflowInvalid(problems)
    return process_id


def start(xml: str) -> BpmnWorkflow:
    _, spec, subprocesses = parse(xml)
    wf = BpmnWorkflow(spec, subprocesses)
    wf.do_engine_steps()
    return wf


def dump(wf: BpmnWorkflow) -> str:
    result: str = _serializer.serialize_json(wf)
    return result


def load(state: str) -> BpmnWorkflow:
    return _serializer.deserialize_json(state)


def ready_user_tasks(wf: BpmnWorkflow) -> list[SpiffTask]:
    return list(wf.get_tasks(state=TaskState.READY, manual=True))


def completed_ids(wf: BpmnWorkflow) -> set[str]:
    return {
        t.task_spec.bpmn_id
        for t in wf.get_tasks(state=TaskState.COMPLETED)
        if getattr(t.task_spec, "bpmn_id", None)
    }


def is_waiting(wf: BpmnWorkflow) -> bool:
    """True when a timer holds the process (a join waiting for its branches does not count)."""
    return any(
        isinstance(getattr(t.task_spec, "event_definition", None), TimerEventDefinition)
        for t in wf.get_tasks(state=TaskState.WAITING)
    )


def complete(wf: BpmnWorkflow, task_id: Any, *, action: str, data: dict[str, Any]) -> None:
    task = wf.get_task_from_id(task_id)
    task.data.update(data)
    task.data["action"] = action
    # Kept for later gateways: after 补正, go back to 审查 if the case was accepted.
    task.data[f"{task.task_spec.bpmn_id}_action"] = action
    task.run()
    wf.do_engine_steps()


def refresh(wf: BpmnWorkflow) -> None:
    wf.refresh_timers()
    wf.do_engine_steps()
