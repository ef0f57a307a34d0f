"""Reads of the inbox."""

from __future__ import annotations

from django.db.models import QuerySet

from zhili.accounts.models import User
from zhili.notify.models import Notification


def notification_list(*, user: User) -> QuerySet[Notification]:
    """``user``'s inbox, newest first; nobody else's."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
