"""Rendered portal pages kept per process for visitors who are not signed in.

A portal page shows published versions, which never change, so the same
URL renders the same page until the catalogue's signature changes (a publish
or a popularity update; see ``catalogue.freshness``). Pages are kept at most
``ZHILI_PAGE_CACHE_SECONDS`` so that what the signature cannot see (a
division or bundle edited in the admin) shows within minutes. Signed-in users
and any response that sets a cookie are never cached.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from zhili.catalogue.freshness import catalogue_signature

View = Callable[..., HttpResponse]

_lock = threading.Lock()
_pages: OrderedDict[tuple[Any, ...], tuple[float, int, bytes, list[tuple[str, str]]]] = (
    OrderedDict()
)


def clear() -> None:
    with _lock:
        _pages.clear()


def _key(request: HttpRequest) -> tuple[Any, ...]:
    return (
        request.get_full_path(),
        request.headers.get("HX-Request"),
        request.headers.get("HX-History-Restore-Request"),
        request.COOKIES.get("zhili_kiosk"),
        get_language(),
        catalogue_signature(),
    )


def cached_for_visitors(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        size = settings.ZHILI_PAGE_CACHE_SIZE
        if size <= 0 or request.method != "GET" or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        key = _key(request)
        now = time.monotonic()
        with _lock:
            kept = _pages.get(key)
            if kept is not None:
                _pages.move_to_end(key)
        if kept is not None and now - kept[0] < settings.ZHILI_PAGE_CACHE_SECONDS:
            _, status, content, headers = kept
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Zhili-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies and not response.streaming:
            headers = [(k, v) for k, v in response.items() if k.lower() != "content-length"]
            with _lock:
                _pages[key] = (now, response.status_code, response.content, headers)
                _pages.move_to_end(key)
                while len(_pages) > size:
                    _pages.popitem(last=False)
        return response

    return wrapper
