from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from zhili.notify.selectors import notification_unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    """``unread_count`` for the signed-in user: one COUNT, and only on pages that show it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_count": SimpleLazyObject(lambda: notification_unread_count(user=user))}
