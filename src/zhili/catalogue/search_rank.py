"""Reading a query and scoring the index against it, in plain Python.

Scores are computed here and not in SQL, so SQLite and PostgreSQL give the
same order by construction. Every loop runs in a fixed order (query terms as
written, entries by implementation code) and scores are rounded before they
are compared, so equal relevance is an exact tie, broken by popularity.

Scores are on one scale whatever matched: about 10 for a query that is all
found in an item's name, up to 13 with the bonuses for an exact or tight
match. A Chinese query's score is the share of its terms (weighted by how
rare they are) found in the item, times the weight of the field they were
found in; a pinyin query's score depends on whether it begins the name.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from zhili.catalogue import search_text as st
from zhili.catalogue.search_index import NAME, Entry, Index

# What each kind of query term is worth: a whole word most, a character pair
# (one wrong character leaves the others’ pairs) and a reading (a homophone
# typo has the same pinyin) less.
KIND_WEIGHT = {"w": 1.0, "b": 0.5, "c": 0.3, "p": 0.6, "y": 0.3}
# A match through a synonym counts a little less than the words typed.
EXPANDED = 0.95
FROM_PINYIN = 0.9
# Items scoring under this share of the best, or under the floor (a tenth of
# the query found in a name, or a little more in lesser fields), are left out.
CUTOFF = 0.25
FLOOR = 1.0
DIGITS = re.compile(r"[0-9]")


@dataclass(frozen=True)
class Variant:
    text: str  # normalised Chinese (may hold letters and digits)
    factor: float
    note: str  # why this variant is searched, "" for the query as typed


@dataclass
class Query:
    text: str  # normalised
    variants: list[Variant] = field(default_factory=list)
    expanded: list[str] = field(default_factory=list)
    pinyin: str = ""  # the query when it is all letters
    code: str = ""  # the query when it may be (part of) an item code

    @property
    def empty(self) -> bool:
        return not (self.variants or self.pinyin or self.code)


def parse(raw: str) -> Query:
    text = st.normalize_query(raw)
    q = Query(text)
    if not text:
        return q
    if st.is_letters(text):
        q.pinyin = text
        for key in st.synonyms_by_pinyin().get(text, []):
            note = f"拼音 {text}，即俗称“{key}”"
            q.variants.append(Variant(key, FROM_PINYIN, note))
            _expand(q, key, FROM_PINYIN, note)
        return q
    if len(text) >= 4 and DIGITS.search(text) and not st.has_cjk(text):
        q.code = text
    core = st.strip_stopwords(text) if st.has_cjk(text) else text
    q.variants.append(Variant(core, 1.0, ""))
    _expand(q, core, 1.0, "")
    return q


def _expand(q: Query, text: str, factor: float, note: str) -> None:
    """Add a variant for each colloquial word in text replaced by its standard terms."""
    table = st.synonyms()
    taken = [False] * len(text)
    for key in st.synonym_keys_by_length():
        start = text.find(key)
        while start >= 0 and any(taken[start : start + len(key)]):
            start = text.find(key, start + 1)
        if start < 0:
            continue
        taken[start : start + len(key)] = [True] * len(key)
        syn = table[key]
        for target in syn.targets:
            replaced = text[:start] + target + text[start + len(key) :]
            if any(v.text == replaced for v in q.variants) or len(q.variants) >= 8:
                continue
            why = note or f"俗称“{key}”，按“{target}”"
            q.variants.append(Variant(replaced, factor * EXPANDED, why if syn.shown else ""))
            if syn.shown and target != key and replaced not in q.expanded:
                q.expanded.append(replaced)


def query_terms(text: str) -> list[tuple[str, float]]:
    terms: list[tuple[str, float]] = []
    found = st.words(text)
    terms += [("w:" + w, KIND_WEIGHT["w"]) for w in found]
    terms += [("b:" + b, KIND_WEIGHT["b"]) for b in st.bigrams(text)]
    chars = "".join(st.cjk_runs(text))
    if len(chars) == 1:
        terms.append(("c:" + chars, KIND_WEIGHT["c"]))
    terms += [("p:" + st.word_pinyin(w), KIND_WEIGHT["p"]) for w in found if st.has_cjk(w)]
    terms += [("y:" + y, KIND_WEIGHT["y"]) for y in st.syllable_bigrams(text)]
    return list(dict.fromkeys(terms))


def score_variant(index: Index, v: Variant, allowed: frozenset[int] | None) -> dict[int, float]:
    n = len(index)
    acc: dict[int, float] = {}
    mass = 0.0
    for term, kind in query_terms(v.text):
        post = index.postings.get(term)
        # A term no item holds counts as the rarest: what was typed and not
        # found lowers every score, so a query found only in a stray syllable
        # pair (救济金 ~ 公积金) stays under the floor.
        m = kind * math.log(1.0 + n / (post.df if post else 1))
        mass += m
        if post is None:
            continue
        for weight, ids in post.groups:
            add = weight * m
            for i in ids:
                acc[i] = acc.get(i, 0.0) + add
    if not acc:
        return {}
    qpy = st.spaced_pinyin(v.text) if st.has_cjk(v.text) and len(v.text) >= 2 else ""
    out: dict[int, float] = {}
    for i, raw in acc.items():
        if allowed is not None and i not in allowed:
            continue
        out[i] = (raw / mass + _bonus(index.entries[i], v.text, qpy)) * v.factor
    return out


def _bonus(e: Entry, q: str, qpy: str) -> float:
    name = e.norm_name
    if q == name:
        b = 3.0
    elif q in name:
        b = 1.0 + len(q) / len(name) + (0.2 if name.startswith(q) else 0.0)
    elif qpy and qpy in e.name_pinyin:
        # The same reading written differently: a homophone typo (不动铲登记).
        b = 0.8 * (1.0 + len(q) / len(name))
    else:
        b = 0.0
    k = 0.0
    for kw in e.keywords:
        if kw == q:
            k = max(k, 2.0)
        elif q in kw or (len(kw) >= 2 and kw in q):
            k = max(k, 1.0)
    return b + k


def score_pinyin(index: Index, q: str, allowed: frozenset[int] | None) -> dict[int, float]:
    """Initials (bdc) or full pinyin (budongchan, shehuib) of names and keywords."""
    out: dict[int, float] = {}
    for sp, prefix in index.pinyin.find(q):
        if allowed is not None and sp.entry not in allowed:
            continue
        tight = len(q) / max(sp.length, len(q))
        s = (10.0 + 3.0 * tight) if prefix else (6.0 + 2.0 * tight)
        s *= sp.weight / NAME
        if s > out.get(sp.entry, 0.0):
            out[sp.entry] = s
    return out


def score_code(index: Index, q: str, allowed: frozenset[int] | None) -> dict[int, float]:
    out: dict[int, float] = {}
    for i, e in enumerate(index.entries):
        if allowed is not None and i not in allowed:
            continue
        for code in (e.impl_code.lower(), e.basic_code.lower()):
            if code.startswith(q):
                out[i] = max(out.get(i, 0.0), 12.0)
            elif q in code:
                out[i] = max(out.get(i, 0.0), 10.0)
    return out


@dataclass
class Ranked:
    order: list[int]  # entry indexes, best first, after the cut-off
    scores: dict[int, float]
    how: dict[int, str]  # "pinyin" | "code" | the variant text that scored best


def rank(index: Index, q: Query, allowed: frozenset[int] | None) -> Ranked:
    scores: dict[int, float] = {}
    how: dict[int, str] = {}

    def merge(found: dict[int, float], label: str) -> None:
        for i, s in found.items():
            s = round(s, 4)
            if s > scores.get(i, 0.0):
                scores[i] = s
                how[i] = label

    if q.pinyin:
        merge(score_pinyin(index, q.pinyin, allowed), "pinyin")
    if q.code:
        merge(score_code(index, q.code, allowed), "code")
    for v in q.variants:
        merge(score_variant(index, v, allowed), v.text)
    if not scores:
        return Ranked([], {}, {})
    floor = max(max(scores.values()) * CUTOFF, FLOOR)
    pop = index.popularity
    order = sorted(
        (i for i, s in scores.items() if s >= floor), key=lambda i: (-scores[i], -pop[i], i)
    )
    return Ranked(order, scores, how)


# ------------------------------------------------------------ why it matched


def explain(e: Entry, q: Query, how: str) -> str:
    if how == "pinyin":
        return _explain_pinyin(e, q.pinyin)
    if how == "code":
        return "事项编码"
    variant = next((v for v in q.variants if v.text == how), None)
    if variant is not None and variant.note:
        return variant.note
    return _explain_words(e, how)


def _explain_pinyin(e: Entry, q: str) -> str:
    syl = st.syllables(e.norm_name)
    kind = "拼音首字母" if q in st.initials(syl) else "拼音"
    if kind == "拼音" and q not in "".join(syl):
        return f"关键词拼音 {q}"
    return f"{kind} {q}"


def _explain_words(e: Entry, q: str) -> str:
    name = e.norm_name
    if q in name:
        return f"名称含“{q}”"
    for kw in e.keywords:
        if q in kw or (len(kw) >= 2 and kw in q):
            return f"俗称与关键词“{kw}”"
    if e.result_name and q in e.result_name:
        return f"办理结果“{e.result_name}”"
    qwords = st.words(q)
    name_words = st.words(name)
    same = [w for w in qwords if w in name_words]
    by_reading = {st.word_pinyin(w): w for w in name_words}
    sounds = [
        by_reading[p]
        for w in qwords
        if w not in name_words and (p := st.word_pinyin(w)) in by_reading
    ]
    span = _span_by_reading(name, q)
    if span:
        return f"读音相同，按“{span}”匹配"
    if sounds:
        return "读音相同，按" + "".join(f"“{w}”" for w in sounds[:3]) + "匹配"
    if same:
        return "名称含" + "".join(f"“{w}”" for w in _outermost(same)[:3])
    for kw in e.keywords:
        if any(w in kw for w in qwords):
            return f"俗称与关键词“{kw}”"
    if e.result_name and any(w in e.result_name for w in qwords):
        return f"办理结果“{e.result_name}”"
    if any(w in e.department_words for w in qwords):
        return f"实施部门“{e.department_name}”"
    for m in e.materials:
        if any(w in m for w in qwords):
            return f"申请材料“{m}”"
    return "名称相近"


def _span_by_reading(name: str, q: str) -> str:
    """The longest part of the name that sounds like part of q but is written
    differently (不动铲登记 → 不动产), when each character has one syllable."""
    syl, qsyl = st.syllables(name), st.syllables(q)
    if len(syl) != len(name) or len(qsyl) != len(q):
        return ""
    best = ""
    for i in range(len(syl)):
        for j in range(len(qsyl)):
            k = 0
            while i + k < len(syl) and j + k < len(qsyl) and syl[i + k] == qsyl[j + k]:
                k += 1
            if k >= 2 and k > len(best) and name[i : i + k] != q[j : j + k]:
                best = name[i : i + k]
    return best


def _outermost(found: list[str]) -> list[str]:
    """Drop words inside a longer one found too (不动 inside 不动产)."""
    return [w for w in found if not any(w != o and w in o for o in found)]
