"""Reads of cases, scoped to who is asking: one rule, used by pages, API and exports.

- citizens and enterprises: the cases they applied for or filed themselves;
- village agents: the cases of villagers of their villages;
- clerks and reviewers: the cases of their departments (and the tasks they own),
  and the cases they registered at the window;
- leaders and administrators: the whole county.

A draft is seen by nobody but the person who saved it.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet

from zhili.accounts.models import Role, User
from zhili.cases import workflow
from zhili.cases.models import Applicant, Case, CaseStatus, ELicence, Rectification, Task
from zhili.catalogue.models import ServiceItem
from zhili.divisions.models import ServicePoint


def cases_visible_to(user: User) -> QuerySet[Case]:
    qs = Case.objects.select_related("item", "department", "applicant")
    if not user.is_authenticated:
        return qs.none()
    qs = qs.filter(~Q(status=CaseStatus.DRAFT) | Q(filed_by=user))
    if user.is_county_wide:
        return qs
    if user.role in {Role.CITIZEN, Role.ENTERPRISE}:
        return qs.filter(Q(applicant__user=user) | Q(filed_by=user))
    if user.role == Role.VILLAGE_AGENT:
        return qs.filter(Q(division__in=user.divisions.all()) | Q(filed_by=user))
    if user.role in {Role.CLERK, Role.REVIEWER}:
        # Their departments' cases, cases another department asked them to review (会审),
        # and what they registered at a 综合窗口 for another department.
        depts = user.departments.all()
        consulted = Task.objects.filter(case=OuterRef("pk"), department__in=depts)
        return qs.filter(Q(department__in=depts) | Exists(consulted) | Q(filed_by=user))
    return qs.none()


def case_for(user: User, ref: str) -> Case | None:
    """The case with this access code, if the user may see it (None otherwise: a 404)."""
    try:
        return cases_visible_to(user).get(ref=ref)
    except (Case.DoesNotExist, ValueError, ValidationError):
        return None


def work_queue(user: User) -> QuerySet[Task]:
    """Open tasks for the user's role in their departments, nearest deadline first."""
    qs = Task.objects.select_related("case", "case__item", "case__applicant", "claimed_by")
    qs = qs.filter(state=Task.OPEN)
    if user.role not in {Role.CLERK, Role.REVIEWER}:
        return qs.none()
    roles = ["clerk", "reviewer"] if user.role == Role.REVIEWER else ["clerk"]
    return qs.filter(role__in=roles, department__in=user.departments.all()).order_by(
        "case__due_promised", "created_at"
    )


def applicant_tasks(user: User) -> QuerySet[Task]:
    """补正 tasks waiting for this applicant (or the agent who filed)."""
    return Task.objects.select_related("case", "case__item").filter(
        Q(case__applicant__user=user) | Q(case__filed_by=user), state=Task.OPEN, role="applicant"
    )


def elicences_of(user: User) -> QuerySet[ELicence]:
    return ELicence.objects.filter(holder__user=user, revoked_at__isnull=True)


def rectifications_visible_to(user: User) -> QuerySet[Rectification]:
    qs = Rectification.objects.select_related("rating", "rating__case", "department")
    if user.is_county_wide:
        return qs
    if user.role in {Role.CLERK, Role.REVIEWER}:
        return qs.filter(department__in=user.departments.all())
    return qs.none()


def own_applicant(user: User, kind: str | None = None) -> Applicant | None:
    """The account's own applicant record (of the kind its role files as, unless ``kind``)."""
    if kind is None:
        kind = Applicant.ENTERPRISE if user.role == Role.ENTERPRISE else Applicant.PERSON
    return Applicant.objects.filter(user=user, kind=kind).order_by("id").first()


def hall_of(user: User) -> ServicePoint | None:
    """The hall a clerk works in: the first hall in their divisions, if any."""
    return (
        ServicePoint.objects.filter(kind=ServicePoint.HALL, division__in=user.divisions.all())
        .order_by("code")
        .first()
    )


def window_items(user: User, limit: int = 50) -> QuerySet[ServiceItem]:
    """Published items of the clerk's departments, most asked for first (the window picker)."""
    return (
        ServiceItem.objects.filter(current__isnull=False, department__in=user.departments.all())
        .select_related("department")
        .order_by("-popularity", "impl_code")[:limit]
    )


def form_fields(case: Case) -> list[tuple[str, Any]]:
    """What the application form holds besides answers and materials, to show on case pages.

    Keys starting with ``_`` are the system's own (the API keeps the hash of
    the request there, to tell a retry from a new application).
    """
    return [(k, v) for k, v in (case.form_data or {}).items() if not str(k).startswith("_")]


def process_name(case: Case) -> str:
    """The name of the BPMN process the case runs, as its file names it (标准审批流程 for
    the standard template), read from the case's own workflow state: an item's process
    may have been replaced since the case started."""
    spec: dict[str, Any] = {}
    if case.workflow_state:
        try:
            spec = json.loads(case.workflow_state).get("spec") or {}
        except (ValueError, AttributeError):
            spec = {}
    name = str(spec.get("description") or "")
    if name and name != spec.get("name"):
        return name
    process_id = case.process_id or workflow.STANDARD_PROCESS
    if process_id == workflow.STANDARD_PROCESS:
        return str(workflow.parse(workflow.standard_bpmn())[1].description or process_id)
    return process_id
