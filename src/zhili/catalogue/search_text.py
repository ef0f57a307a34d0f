"""Text handling for the catalogue search: normalising, word segmentation, pinyin.

The index and the query go through the same functions here, so a term made
from an item name and the same term typed by a citizen are always equal.
Domain data (colloquial synonyms, extra dictionary words, query stop words)
lives in ``data/search_*.txt`` so a catalogue officer can read and extend it.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jieba
from django.conf import settings
from pypinyin import lazy_pinyin

DATA = Path(__file__).parent / "data"

# A query longer than this is cut: no item name needs more, and the work per
# query stays bounded whatever a client sends.
MAX_RAW = 256
MAX_QUERY = 64

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_KEEP = re.compile(f"[{_CJK}a-z0-9]+")
_CJK_RUN = re.compile(f"[{_CJK}]+")
_IS_CJK = re.compile(f"[{_CJK}]")
_LETTERS = re.compile("[a-z]+")


def normalize(text: str) -> str:
    """Half-width, lower-case, only Chinese characters, letters and digits.

    NFKC turns full-width letters and digits (ＡＢＣ１２３) into ASCII; every
    space and punctuation mark is dropped, so “社保 缴费！” is “社保缴费”.
    """
    return "".join(_KEEP.findall(unicodedata.normalize("NFKC", text).lower()))


def normalize_query(text: str) -> str:
    return normalize(text[:MAX_RAW])[:MAX_QUERY]


def has_cjk(text: str) -> bool:
    return _IS_CJK.search(text) is not None


def is_letters(text: str) -> bool:
    return _LETTERS.fullmatch(text) is not None


def cjk_runs(text: str) -> list[str]:
    return _CJK_RUN.findall(text)


# ---------------------------------------------------------------- data files


def _data_lines(name: str | Path) -> list[str]:
    out = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


@dataclass(frozen=True)
class Synonym:
    key: str  # as found in a normalised query
    targets: tuple[str, ...]
    shown: bool  # a colloquial → standard expansion, reported to the user


@lru_cache(maxsize=1)
def synonyms() -> dict[str, Synonym]:
    """Key → expansion, from ``search_synonyms.txt`` (both directions of ``<=>``).

    A county adds its own local names in the file ``ZHILI_SEARCH_SYNONYMS``
    names, in the same format; its lines come last and win.
    """
    table: dict[str, Synonym] = {}
    lines = _data_lines("search_synonyms.txt")
    if settings.ZHILI_SEARCH_SYNONYMS:
        lines += _data_lines(Path(settings.ZHILI_SEARCH_SYNONYMS))
    for line in lines:
        two_way = "<=>" in line
        key, _, rest = line.partition("<=>" if two_way else "=>")
        key = normalize(key)
        targets = tuple(t for t in (normalize(t) for t in rest.split("|")) if t)
        if not key or not targets:
            raise ValueError(f"search_synonyms.txt: cannot read “{line}”")
        table[key] = Synonym(key, targets, shown=True)
        if two_way:
            for t in targets:
                table.setdefault(t, Synonym(t, (key,), shown=False))
    return table


@lru_cache(maxsize=1)
def synonym_keys_by_length() -> list[str]:
    return sorted(synonyms(), key=lambda k: (-len(k), k))


@lru_cache(maxsize=1)
def synonyms_by_pinyin() -> dict[str, list[str]]:
    """Full pinyin (and initials of three letters or more) → colloquial keys.

    ``shebao`` finds 社保 and so 社会保险; ``zsz`` finds 准生证.
    """
    out: dict[str, list[str]] = {}
    for key, syn in synonyms().items():
        if not syn.shown:
            continue
        syl = syllables(key)
        for spelling in {"".join(syl), initials(syl)}:
            if len(spelling) >= 3:
                out.setdefault(spelling, []).append(key)
    return out


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(_data_lines("search_stopwords.txt"))


# ------------------------------------------------------------- segmentation

_tokenizer: jieba.Tokenizer | None = None
_tokenizer_lock = threading.Lock()


def tokenizer() -> jieba.Tokenizer:
    """Our own jieba tokenizer, loaded once per process with the domain words.

    A private instance rather than jieba's global one: the words we add
    cannot change how other code segments text, nor theirs ours.
    """
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                tok.initialize()
                words = set(_data_lines("search_words.txt"))
                words |= {k for k in synonyms() if 2 <= len(k) <= 5 and has_cjk(k)}
                for w in sorted(words):
                    tok.add_word(w)
                _tokenizer = tok
    return _tokenizer


@lru_cache(maxsize=32768)
def words(text: str) -> tuple[str, ...]:
    """Search-mode words (overlapping: 不动产 → 不动, 动产, 不动产), in order, unique.

    Single characters are left out: they are what jieba leaves over when it
    finds no word (a typo: 不动铲 → 不动 / 铲), and the character terms cover them.
    """
    if not text:
        return ()
    cut = tokenizer().cut_for_search(text)
    return tuple(dict.fromkeys(w for w in cut if len(w) >= 2 and _KEEP.fullmatch(w)))


def strip_stopwords(text: str) -> str:
    """The query without its “how do I” words; the query itself if nothing is left."""
    stop = stopwords()
    kept = [w for w in tokenizer().cut(text) if w not in stop]
    return "".join(kept) or text


def bigrams(text: str) -> list[str]:
    out: list[str] = []
    for run in cjk_runs(text):
        out += [run[i : i + 2] for i in range(len(run) - 1)]
    return list(dict.fromkeys(out))


# ------------------------------------------------------------------- pinyin


@lru_cache(maxsize=65536)
def syllables(text: str) -> tuple[str, ...]:
    """Pinyin without tones, one syllable per Chinese character (ü as v, as typed).

    Letters and digits stay as they are, one chunk per run. pypinyin picks the
    reading of a polyphonic character from the phrase (银行 yin hang).
    """
    return tuple(lazy_pinyin(text)) if text else ()


def initials(syl: tuple[str, ...]) -> str:
    return "".join(s[0] for s in syl)


def word_pinyin(word: str) -> str:
    return "".join(syllables(word))


def syllable_bigrams(text: str) -> list[str]:
    """Pairs of neighbouring syllables: 不动铲登记 and 不动产登记 share every one."""
    out: list[str] = []
    for run in cjk_runs(text):
        syl = syllables(run)
        out += [f"{syl[i]} {syl[i + 1]}" for i in range(len(syl) - 1)]
    return list(dict.fromkeys(out))


def spaced_pinyin(text: str) -> str:
    """ " bu dong chan deng ji ": a substring test on it respects syllable boundaries."""
    return " " + " ".join(syllables(text)) + " "
