from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models

if TYPE_CHECKING:
    from zhili.divisions.models import Department


class Role(models.TextChoices):
    CITIZEN = "citizen", "群众"
    ENTERPRISE = "enterprise", "企业"
    CLERK = "clerk", "窗口人员"
    VILLAGE_AGENT = "village_agent", "村代办员"
    REVIEWER = "reviewer", "审批人员"
    CATALOGUE_OFFICER = "catalogue_officer", "事项管理员"
    DATA_STEWARD = "data_steward", "数据管理员"
    LEADER = "leader", "领导/督查"
    ADMIN = "admin", "系统管理员"


STAFF_ROLES = {
    Role.CLERK, Role.VILLAGE_AGENT, Role.REVIEWER, Role.CATALOGUE_OFFICER,
    Role.DATA_STEWARD, Role.LEADER, Role.ADMIN,
}  # fmt: skip


class User(AbstractUser):
    """A person who signs in. Staff jurisdiction = their departments and divisions."""

    display_name = models.CharField("姓名", max_length=32, blank=True)
    role = models.CharField("角色", max_length=24, choices=Role.choices, default=Role.CITIZEN)
    departments = models.ManyToManyField(
        "divisions.Department", blank=True, related_name="staff", verbose_name="所属部门"
    )
    divisions = models.ManyToManyField(
        "divisions.Division", blank=True, related_name="staff", verbose_name="服务区划"
    )

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_county_wide(self) -> bool:
        return self.role in {Role.ADMIN, Role.LEADER} or self.is_superuser

    @property
    def works_in_back_office(self) -> bool:
        """Staff roles (and superusers) use the back office; citizens never do."""
        return self.is_authenticated and (self.role in STAFF_ROLES or self.is_superuser)

    def editable_departments(self) -> models.QuerySet[Department]:
        """Catalogue officers keep the items of their own departments; admins, all."""
        from zhili.divisions.models import Department

        if self.is_superuser or self.role == Role.ADMIN:
            return Department.objects.all()
        if self.role != Role.CATALOGUE_OFFICER:
            return Department.objects.none()
        return self.departments.all()

    def can_edit_department_items(self, department_id: int) -> bool:
        return self.editable_departments().filter(pk=department_id).exists()
