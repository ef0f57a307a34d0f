"""Reads of cases, scoped to who is asking: one rule, used by pages, API and exports.

- citizens and enterprises: the cases they applied for or filed themselves;
- village agents: the cases of villagers of their villages;
- clerks and reviewers: the cases of their departments (and the tasks they own);
- leaders and administrators: the whole county.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet

from zhili.accounts.models import Role, User
from zhili.cases.models import Case, ELicence, Rectification, Task


def cases_visible_to(user: User) -> QuerySet[Case]:
    qs = Case.objects.select_related("item", "department", "applicant")
    if not user.is_authenticated:
        return qs.none()
    if user.is_county_wide:
        return qs
    if user.role in {Role.CITIZEN, Role.ENTERPRISE}:
        return qs.filter(Q(applicant__user=user) | Q(filed_by=user))
    if user.role == Role.VILLAGE_AGENT:
        return qs.filter(Q(division__in=user.divisions.all()) | Q(filed_by=user))
    if user.role in {Role.CLERK, Role.REVIEWER}:
        # Their departments' cases, and cases another department asked them to review (会审).
        depts = user.departments.all()
        consulted = Task.objects.filter(case=OuterRef("pk"), department__in=depts)
        return qs.filter(Q(department__in=depts) | Exists(consulted))
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
