"""The colloquial lexicon: what citizens say → the official words guides are written in.

A plain text file staff can read (``content/search/lexicon.txt``; its header documents the
format) plus the entries staff add in the panel (``SearchTerm`` rows). One line is one entry::

    结婚证, 领的证 = 婚姻登记证, 结婚登记

When a query contains a left-hand term, the engine also looks for the right-hand terms. Left
terms are found in the query by longest match: 丢了工作 wins over 丢了 inside it, so 丢了工作
means 失业 and not 补领.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .analysis import is_han, runs
from .text import forms_of, normalise

_SPLIT = re.compile(r"[,，、]")
MAX_TERM = 8  # characters per term
MAX_TERMS = 64  # per side of one entry


def lexicon_path(app) -> Path:
    """Where the shipped file is read (``SEARCH_LEXICON``, else the content folder's search/)."""
    return Path(app.config.get("SEARCH_LEXICON") or Path(app.config["CONTENT_DIR"]) / "search" / "lexicon.txt")


class LexiconError(ValueError):
    """A line that is not ``terms = terms``; ``line`` is 1-based."""

    def __init__(self, line: int, message: str):
        super().__init__(f"第 {line} 行：{message}")
        self.line, self.message = line, message


@dataclass(frozen=True)
class Entry:
    left: tuple[str, ...]
    right: tuple[str, ...]
    line: int = 0


def _terms(text: str, line: int, side: str) -> tuple[str, ...]:
    terms = []
    for raw in _SPLIT.split(text):
        term = unicodedata.normalize("NFKC", raw).strip()
        if not term:
            continue
        if normalise(term) != term.lower() or len(term) > MAX_TERM:
            raise LexiconError(line, f"{side}的词“{term}”应为 1–{MAX_TERM} 个字，不含标点和空格 "
                                     f"(terms are 1-{MAX_TERM} letters, digits or characters)")
        terms.append(term.lower())
    if not terms:
        raise LexiconError(line, f"“=”{side}没有词 (no terms on the {'left' if side == '左边' else 'right'})")
    if len(terms) > MAX_TERMS:
        raise LexiconError(line, f"{side}最多 {MAX_TERMS} 个词 (at most {MAX_TERMS} terms)")
    return tuple(dict.fromkeys(terms))


def parse(text: str) -> list[Entry]:
    """The entries of a lexicon text; a bad line raises :class:`LexiconError` naming it."""
    entries = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.count("=") != 1:
            raise LexiconError(number, "每行应为“口语词 = 规范用语” (a line is 'colloquial = official')")
        left, right = line.split("=")
        entries.append(Entry(_terms(left, number, "左边"), _terms(right, number, "右边"), number))
    return entries


@dataclass
class Lexicon:
    """Left term → right terms, and what the engine needs to find left terms in a query."""

    expansions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # an official term → the other official terms it stands beside (低保 → 最低生活保障): used
    # when a citizen types the official short form a catalogue does not use
    siblings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    by_latin: dict[str, set[str]] = field(default_factory=dict)  # pinyin / initials → left terms
    _near: dict[str, set[str]] = field(default_factory=dict)  # one letter deleted → latin forms
    longest: int = 0

    @classmethod
    def build(cls, entries: Iterable[Entry]) -> Lexicon:
        lex = cls()
        for entry in entries:
            for term in entry.left:
                merged = lex.expansions.get(term, ()) + tuple(r for r in entry.right if r != term)
                lex.expansions[term] = tuple(dict.fromkeys(merged))
            for term in entry.right:
                merged = lex.siblings.get(term, ()) + tuple(r for r in entry.right if r != term)
                lex.siblings[term] = tuple(dict.fromkeys(merged))
        for term in lex.expansions:
            lex.longest = max(lex.longest, len(term))
            if len(term) >= 2 and not term.isascii():
                # 户口本 is typed as hukouben or hkb too; initials of one or two characters
                # are too ambiguous to mean a word
                for form in forms_of(term)[1:3]:
                    if len(form) >= 3:
                        lex.by_latin.setdefault(form, set()).add(term)
        for form in lex.by_latin:
            for variant in _deletes(form):
                lex._near.setdefault(variant, set()).add(form)
        return lex

    def near_latin(self, text: str) -> set[str]:
        """Latin forms of lexicon terms one edit from ``text`` (sbj → sbk: one wrong initial)."""
        found = set()
        for variant in _deletes(text):
            for form in self._near.get(variant, ()):
                if form != text and _one_edit(form, text):
                    found.add(form)
        return found

    def find(self, text: str, nested: bool = False) -> list[tuple[int, int, str]]:
        """Left terms in ``text`` as (start, end, term). Where terms nest, the longest is the
        match; ``nested`` keeps the inner ones too (the caller weighs them less). Overlapping
        terms are all kept (开个体店: 个体店, and 开店 is not there)."""
        found = []
        n = len(text)
        for i in range(n):
            for j in range(min(n, i + self.longest), i, -1):
                if text[i:j] in self.expansions:
                    found.append((i, j, text[i:j]))
                    if not nested:
                        break
        if nested:
            return found
        return [m for m in found if not any(o[0] <= m[0] and m[1] <= o[1] and o != m for o in found)]


def _deletes(text: str) -> set[str]:
    """The text and every text one letter shorter (a symmetric-delete neighbourhood)."""
    return {text} | {text[:i] + text[i + 1:] for i in range(len(text))}


def _one_edit(a: str, b: str) -> bool:
    """One substitution, insertion, deletion or swap of neighbours apart."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def matched_terms(lexicon: Lexicon, query: str) -> list[str]:
    """The left-hand terms of ``lexicon`` that ``query`` brings in, in the order of the query
    (for the staff panel's 试一试 box; read-only, ranking does not use it). Found as the
    planner finds them directly: every term inside a Chinese run, nested ones included (they
    count, less), and a term typed as its pinyin or initials (hukouben, hkb). Same-sound and
    one-letter-off guesses are not listed: they depend on the catalogue, not on the entry."""
    found: list[str] = []
    for run in runs(query):
        if is_han(run):
            found.extend(term for _, _, term in lexicon.find(run, nested=True))
        elif run.isascii() and run.isalpha():
            found.extend(sorted(lexicon.by_latin.get(run, ())))
    return list(dict.fromkeys(found))
