"""The in-process search index: one entry per published item, and its postings.

An entry is made from one published version, which never changes, so entries
are cached by version id and a rebuild after a publish only segments the new
version. Everything a ``Hit`` shows is carried here, so a search reads no row.
"""

from __future__ import annotations

import bisect
import re
import sys
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from zhili.catalogue import search_text as st

# How much a term found in each field counts: the name above all.
NAME = 10.0
KEYWORD = 6.0
RESULT = 4.0
DEPARTMENT = 2.0
MATERIAL = 1.0
WEIGHTS = (NAME, KEYWORD, RESULT, DEPARTMENT, MATERIAL)

FACETS = ("department", "theme", "channel", "service_object")


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    short_name: str


@dataclass(frozen=True, slots=True)
class Entry:
    item_id: int
    version_id: int
    impl_code: str
    basic_code: str
    name: str
    department_code: str
    department_name: str
    service_objects: tuple[str, ...]
    themes: tuple[str, ...]
    channels: tuple[str, ...]
    # normalised texts, for the bonuses and the “why it matched” note
    norm_name: str
    keywords: tuple[str, ...]
    result_name: str
    materials: tuple[str, ...]
    department_words: tuple[str, ...]
    name_pinyin: str  # spaced: " bu dong chan deng ji "
    # The item's terms, and for each the WEIGHTS index of the best field holding
    # it; compact, since ten thousand entries hold about a million terms.
    terms: tuple[str, ...]
    fields: bytes

    def facet_values(self, facet: str) -> tuple[str, ...]:
        if facet == "department":
            return (self.department_code,)
        if facet == "theme":
            return self.themes
        if facet == "channel":
            return self.channels
        return self.service_objects


def make_entry(
    *, item_id: int, version_id: int, impl_code: str, document: dict[str, Any],
    channels: list[str], department: Department,
) -> Entry:  # fmt: skip
    name = st.normalize(document.get("name", ""))
    keywords = tuple(k for k in (st.normalize(k) for k in document.get("keywords", [])) if k)
    result = st.normalize(document.get("result_name", ""))
    materials = tuple(
        m for m in (st.normalize(m.get("name", "")) for m in document.get("materials", [])) if m
    )
    dept_texts = [st.normalize(department.name), st.normalize(department.short_name)]
    terms: dict[str, int] = {}

    def add(term: str, field: int) -> None:
        if terms.get(term, 99) > field:
            terms[term] = field

    def add_text(text: str, field: int, *, rich: bool) -> tuple[str, ...]:
        found, made = _text_terms(text, rich)
        for term in made:
            add(term, field)
        return found

    add_text(name, 0, rich=True)
    for ch in dict.fromkeys("".join(st.cjk_runs(name))):
        add("c:" + ch, 0)
    for k in keywords:
        add_text(k, 1, rich=True)
    add_text(result, 2, rich=True)
    dept_words: list[str] = []
    for text in dept_texts:
        dept_words += add_text(text, 3, rich=True)
    for m in materials:
        add_text(m, 4, rich=False)
    return Entry(
        item_id=item_id,
        version_id=version_id,
        impl_code=impl_code,
        basic_code=document.get("basic_code", ""),
        name=document.get("name", ""),
        department_code=department.code,
        department_name=department.name,
        service_objects=tuple(document.get("service_objects", [])),
        themes=tuple(document.get("themes", [])),
        channels=tuple(channels),
        norm_name=name,
        keywords=keywords,
        result_name=result,
        materials=materials,
        department_words=tuple(dict.fromkeys(dept_words)),
        name_pinyin=st.spaced_pinyin(name),
        terms=tuple(sys.intern(t) for t in terms),
        fields=bytes(terms.values()),
    )


@lru_cache(maxsize=32768)
def _text_terms(text: str, rich: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words of a text, and its terms: words, and when rich also character
    pairs, word readings and syllable pairs. Cached: material and department
    names repeat across thousands of items."""
    found = st.words(text)
    made = ["w:" + w for w in found]
    if rich:
        made += ["b:" + b for b in st.bigrams(text)]
        made += ["p:" + st.word_pinyin(w) for w in found if st.has_cjk(w)]
        made += ["y:" + y for y in st.syllable_bigrams(text)]
    return found, tuple(dict.fromkeys(made))


@dataclass(frozen=True, slots=True)
class Spelling:
    entry: int
    weight: float  # of the field spelled: name or keyword
    length: int  # letters in the spelling


class _Blob:
    """Many spellings joined by newlines, and where each one starts."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.rows: list[Spelling] = []
        self.starts: list[int] = []
        self.text = "\n"

    def add(self, part: str, row: Spelling) -> None:
        self.parts.append(part)
        self.rows.append(row)

    def seal(self) -> None:
        pos = 1
        for p in self.parts:
            self.starts.append(pos)
            pos += len(p) + 1
        self.text = "\n" + "\n".join(self.parts) + "\n"
        self.parts = []

    def hits(self, pattern: re.Pattern[str]) -> Iterator[tuple[Spelling, bool]]:
        seen: set[int] = set()
        for m in pattern.finditer(self.text):
            row = bisect.bisect_right(self.starts, m.start()) - 1
            if row not in seen:
                seen.add(row)
                yield self.rows[row], m.start() == self.starts[row]


class PinyinTable:
    """Every spelling (initials, full pinyin) of names and keywords, in two strings.

    A query is looked for with one C-level regex scan of each string instead of
    a Python loop over ten thousand items. Full pinyin is stored with a ``'``
    before each syllable so a match can only start where a syllable starts
    (``dong`` finds 不动产, ``ong`` does not).
    """

    def __init__(self, entries: list[Entry]) -> None:
        self.initials = _Blob()
        self.full = _Blob()
        for i, e in enumerate(entries):
            for text, weight in self._texts(e):
                syl = [s for s in st.syllables(text) if s]
                if not syl:
                    continue
                init = st.initials(tuple(syl))
                self.initials.add(init, Spelling(i, weight, len(init)))
                self.full.add("'" + "'".join(syl), Spelling(i, weight, sum(map(len, syl))))
        self.initials.seal()
        self.full.seal()

    @staticmethod
    def _texts(e: Entry) -> Iterator[tuple[str, float]]:
        yield e.norm_name, NAME
        for k in e.keywords:
            yield k, KEYWORD

    def find(self, q: str) -> Iterator[tuple[Spelling, bool]]:
        """(spelling, whether q starts it) for each spelling q is found in, once each."""
        if not q:
            return
        if len(q) == 1:
            # One letter only counts as the start of a name (b → 不动产…): found
            # anywhere, it would be found in nearly everything.
            yield from self.initials.hits(re.compile("(?<=\n)" + re.escape(q)))
            return
        yield from self.initials.hits(re.compile(re.escape(q)))
        yield from self.full.hits(re.compile("'" + "'?".join(re.escape(c) for c in q)))


class Posting:
    """The entries holding a term, grouped by the weight of the field they hold it in."""

    __slots__ = ("df", "groups")

    def __init__(self, groups: list[list[int]]) -> None:
        self.df = sum(len(g) for g in groups)
        self.groups = tuple((WEIGHTS[f], array("I", g)) for f, g in enumerate(groups) if g)


class Index:
    """Entries sorted by implementation code, with postings and facet sets."""

    def __init__(self, entries: Iterable[Entry], popularity: dict[int, int]) -> None:
        self.entries: list[Entry] = sorted(entries, key=lambda e: e.impl_code)
        self.by_item = {e.item_id: i for i, e in enumerate(self.entries)}
        grouped: dict[str, list[list[int]]] = {}
        for i, e in enumerate(self.entries):
            for term, field in zip(e.terms, e.fields, strict=True):
                groups = grouped.get(term)
                if groups is None:
                    groups = grouped[term] = [[] for _ in WEIGHTS]
                groups[field].append(i)
        self.postings: dict[str, Posting] = {
            term: Posting(groups) for term, groups in grouped.items()
        }
        self.facets: dict[str, dict[str, frozenset[int]]] = {}
        for facet in FACETS:
            members: dict[str, list[int]] = {}
            for i, e in enumerate(self.entries):
                for value in e.facet_values(facet):
                    members.setdefault(value, []).append(i)
            self.facets[facet] = {v: frozenset(ids) for v, ids in members.items()}
        self.pinyin = PinyinTable(self.entries)
        self.set_popularity(popularity)

    def set_popularity(self, popularity: dict[int, int]) -> None:
        self.popularity = [popularity.get(e.item_id, 0) for e in self.entries]
        self.by_popularity = sorted(range(len(self.entries)), key=lambda i: -self.popularity[i])

    def with_popularity(self, popularity: dict[int, int]) -> Index:
        """A copy sharing everything but the popularity (a cheap refresh)."""
        clone = object.__new__(Index)
        clone.__dict__.update(self.__dict__)
        clone.set_popularity(popularity)
        return clone

    def __len__(self) -> int:
        return len(self.entries)

    def allowed(self, filters: dict[str, str | None]) -> frozenset[int] | None:
        """The entries passing every filter given; None when no filter is given."""
        out: frozenset[int] | None = None
        for facet, value in filters.items():
            if value is None or value == "":
                continue
            ids = self.facets[facet].get(value, frozenset())
            out = ids if out is None else out & ids
        return out
