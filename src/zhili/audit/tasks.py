"""The nightly check of the audit chain, run by the worker."""

from __future__ import annotations

from zhili.accounts.models import Role, User
from zhili.audit.selectors import audit_verify
from zhili.notify.services import notify_many


def verify_nightly() -> str:
    """Walk the chain; tell the administrators at once if a link is broken."""
    result = audit_verify()
    if not result.ok:
        admins = User.objects.filter(role=Role.ADMIN, is_active=True)
        notify_many(
            list(admins),
            kind="audit.broken",
            title="审计日志校验未通过",
            body=result.message,
            link="/staff/audit/",
        )
    return result.message
