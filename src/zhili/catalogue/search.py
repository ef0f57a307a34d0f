"""全文检索: find a published service item the way citizens ask for it.

Words (jieba), pinyin and its initials (``bdc`` → 不动产登记), colloquial
synonyms (社保 → 社会保险), wrong characters (不动铲登记), filters, and
relevance with popular items first on ties.

The index lives in the process (``search_index``) and is scored in Python
(``search_rank``), so SQLite and PostgreSQL return the same results. Whether
the published catalogue changed comes from ``freshness`` (one aggregate
query at most every few seconds); only then is the index rebuilt, re-segmenting just the
versions it has not seen (a published version never changes). A change of
popularity alone only reloads the popularity column.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Any

from zhili.catalogue.freshness import catalogue_signature, forget
from zhili.catalogue.models import ItemVersion, ServiceItem
from zhili.catalogue.search_index import Department, Entry, Index, make_entry
from zhili.catalogue.search_rank import explain, parse, rank
from zhili.catalogue.search_text import MAX_QUERY

MAX_LIMIT = 100
_CHUNK = 500  # ids per IN (…) query, well under SQLite's variable limit


@dataclass(frozen=True)
class Hit:
    item_id: int
    impl_code: str
    name: str
    department_code: str
    department_name: str
    service_objects: list[str]
    themes: list[str]
    channels: list[str]  # from ItemVersion.channels()
    popularity: int
    score: float
    matched: str  # a short Chinese note of why it matched, e.g. "拼音首字母 bdc"


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    hits: list[Hit]
    expanded: list[str]  # synonym expansions applied ("已按“社会保险”搜索")


def search_items(
    query: str,
    *,
    department: str | None = None,
    theme: str | None = None,
    channel: str | None = None,
    service_object: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """Published items matching the query, best first.

    Filters take a department code, a theme code, a channel as
    ``ItemVersion.channels()`` names it (网上办, 掌上办, 自助办, 就近办, 窗口办) and
    a service object (自然人, 法人). An empty query with a filter lists the
    filtered items by popularity; an empty query without one finds nothing.
    ``limit`` is capped at 100; a negative limit or offset counts as 0.
    """
    shown = (query or "").strip()[:MAX_QUERY]
    limit = max(0, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    filters = {
        "department": department,
        "theme": theme,
        "channel": channel,
        "service_object": service_object,
    }
    q = parse(query or "")
    if q.empty and not any(filters.values()):
        return SearchResult(shown, 0, [], [])
    index = _index()
    allowed = index.allowed(filters)
    if q.empty:
        if allowed is None:
            return SearchResult(shown, 0, [], [])
        order = [i for i in index.by_popularity if i in allowed]
        hits = [_hit(index, i, 0.0, "符合筛选条件") for i in order[offset : offset + limit]]
        return SearchResult(shown, len(order), hits, [])
    ranked = rank(index, q, allowed)
    hits = [
        _hit(index, i, ranked.scores[i], explain(index.entries[i], q, ranked.how[i]))
        for i in ranked.order[offset : offset + limit]
    ]
    return SearchResult(shown, len(ranked.order), hits, list(q.expanded))


def suggest(query: str, *, limit: int = 8) -> list[Hit]:
    """Autocomplete: the best few items for what has been typed so far."""
    q = parse(query or "")
    if q.empty or limit <= 0:
        return []
    index = _index()
    ranked = rank(index, q, None)
    return [
        _hit(index, i, ranked.scores[i], explain(index.entries[i], q, ranked.how[i]))
        for i in ranked.order[: min(limit, MAX_LIMIT)]
    ]


def popular_items(*, limit: int = 12, service_object: str | None = None) -> list[Hit]:
    """The most handled published items, for the home page and the kiosk."""
    index = _index()
    allowed = index.allowed({"service_object": service_object})
    order = (i for i in index.by_popularity if allowed is None or i in allowed)
    top = itertools.islice(order, max(0, min(limit, MAX_LIMIT)))
    return [_hit(index, i, 0.0, "热门事项") for i in top]


def reset_index() -> None:
    """Forget the index; the next search rebuilds it (for tests)."""
    global _state
    with _lock:
        _state = None
        _entries.clear()
    forget()


def _hit(index: Index, i: int, score: float, matched: str) -> Hit:
    e = index.entries[i]
    return Hit(
        item_id=e.item_id,
        impl_code=e.impl_code,
        name=e.name,
        department_code=e.department_code,
        department_name=e.department_name,
        service_objects=list(e.service_objects),
        themes=list(e.themes),
        channels=list(e.channels),
        popularity=index.popularity[i],
        score=score,
        matched=matched,
    )


# ------------------------------------------------------------------ the cache


@dataclass(frozen=True)
class _State:
    structure: tuple[Any, ...]
    popularity: tuple[Any, ...]
    index: Index


_state: _State | None = None
_lock = threading.Lock()
# Entries by (version id, department code, name, short name): a published
# version never changes, so its entry is reused until it leaves the catalogue.
_entries: dict[tuple[int, str, str, str], Entry] = {}


def _index() -> Index:
    global _state
    structure, popularity = catalogue_signature()
    state = _state
    if state is not None and state.structure == structure and state.popularity == popularity:
        return state.index
    # While one thread rebuilds, the others keep answering from the old index.
    if state is not None and not _lock.acquire(blocking=False):
        return state.index
    if state is None:
        _lock.acquire()
    try:
        state = _state
        if state is not None and state.structure == structure:
            if state.popularity != popularity:
                state = _State(structure, popularity, state.index.with_popularity(_popularity()))
        else:
            state = _State(structure, popularity, _build())
        _state = state
        return state.index
    finally:
        _lock.release()


def _popularity() -> dict[int, int]:
    rows = ServiceItem.objects.filter(current__isnull=False).values_list("id", "popularity")
    return dict(rows)


def _build() -> Index:
    rows = list(
        ServiceItem.objects.filter(current__isnull=False).values_list(
            "id",
            "impl_code",
            "popularity",
            "current_id",
            "department__code",
            "department__name",
            "department__short_name",
        )
    )
    keys = {row[0]: (row[3], row[4], row[5], row[6]) for row in rows}
    fresh: dict[tuple[int, str, str, str], Entry] = {
        key: _entries[key] for key in keys.values() if key in _entries
    }
    missing = [row for row in rows if keys[row[0]] not in fresh]
    # Documents are read a chunk at a time: ten thousand parsed at once would
    # take hundreds of megabytes for a moment.
    for start in range(0, len(missing), _CHUNK):
        chunk = missing[start : start + _CHUNK]
        documents = dict(
            ItemVersion.objects.filter(pk__in=[row[3] for row in chunk]).values_list(
                "id", "document"
            )
        )
        for item_id, impl_code, _pop, version_id, code, name, short in chunk:
            doc = documents[version_id]
            fresh[keys[item_id]] = make_entry(
                item_id=item_id,
                version_id=version_id,
                impl_code=impl_code,
                document=doc,
                channels=ItemVersion(document=doc).channels(),
                department=Department(code, name, short),
            )
    _entries.clear()
    _entries.update(fresh)
    return Index(fresh.values(), {row[0]: row[2] for row in rows})
