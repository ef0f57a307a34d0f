"""Whether the published catalogue changed, asked of the database at most every few seconds.

The search index and the portal's page cache both hang on this signature.
A published version never changes, so a new signature is the only way a
cached page or index can go stale; checking it at most every
``ZHILI_CATALOGUE_REFRESH_SECONDS`` keeps the hot path free of queries.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.db.models import BigIntegerField, Count, F, Sum

from zhili.catalogue.models import ServiceItem

Signature = tuple[tuple[Any, ...], tuple[Any, ...]]

_lock = threading.Lock()
_last: tuple[float, Signature] | None = None


def _query() -> Signature:
    """One aggregate query over one table, no join (about 2 ms over 10,000 items).

    A new or republished item raises the sum of current version ids (a new
    version always has a larger id than the one it replaces). Popularity is
    summed plain and weighted by item id, so one item gaining what another
    lost still shows. A department renamed is not seen until the next publish.
    """
    agg = ServiceItem.objects.filter(current__isnull=False).aggregate(
        n=Count("id"),
        versions=Sum("current_id"),
        pop=Sum("popularity"),
        pop_weighted=Sum(F("popularity") * F("id"), output_field=BigIntegerField()),
    )
    return (agg["n"], agg["versions"]), (agg["pop"], agg["pop_weighted"])


def catalogue_signature() -> Signature:
    """(structure, popularity) of the published catalogue, at most a few seconds old."""
    global _last
    interval = settings.ZHILI_CATALOGUE_REFRESH_SECONDS
    now = time.monotonic()
    last = _last
    if last is not None and now - last[0] < interval:
        return last[1]
    with _lock:
        last = _last
        if last is not None and now - last[0] < interval:
            return last[1]
        signature = _query()
        _last = (time.monotonic(), signature)
        return signature


def forget() -> None:
    """Ask the database again on the next call (tests, and after a publish here)."""
    global _last
    _last = None
