"""Small template helpers shared by the portal and the back office."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def kiosk_mode(context: Any) -> bool:
    """?kiosk=1 switches a terminal into kiosk mode; the cookie keeps it on across pages."""
    request = context.get("request")
    if request is None:
        return False
    flag = request.GET.get("kiosk")
    if flag is not None:
        return flag == "1"
    return request.COOKIES.get("zhili_kiosk") == "1"
