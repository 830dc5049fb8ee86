"""From what a citizen typed to weighted index clauses, grouped by what they stand for.

A query is a few *concepts* — a word typed, a colloquial term of the lexicon, a pinyin run —
each found by several terms: the word itself, the lexicon's official terms for it, words that
sound the same (身分证 → 身份证, 注消 → 注销), the pinyin terms a Latin run begins (shenfen →
shenfenzheng) or is one edit away from (sfx → sfz). A document scores the best term of each
concept (a disjunction-max), so matching three synonyms of one concept does not outweigh
matching two different concepts, and the concepts' scores add up. Characters of the query are
a weak extra signal (居民身证 still finds 居民身份证). Every term is weighted by how sure it is
and by its field: a name says more than a FAQ.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .analysis import STOPCHARS, STOPWORDS, Analyzer, is_han, runs
from .index import Clause, Index
from .lexicon import Lexicon
from .text import forms_of, normalise

# field weights: what a match there says about the document
FIELD = {"name": 3.0, "meta": 1.2, "body": 0.45, "py": 2.6, "chars": 0.35}  # name: and aliases
WORD_FIELDS = ("name", "meta", "body")
# how sure a term is to be what the citizen meant
TYPED, LEXICON, SOUND, PREFIX, FUZZY, SPLIT, CHAR, SIBLING, NEAR = 1.0, 0.85, 0.7, 0.75, 0.55, 0.8, 1.0, 0.6, 0.6
SUBWORD = 0.6  # a shorter word inside the one meant
SHORT_QUERY = 2  # characters: a query this short is searched for by its characters alone
NESTED = 0.5  # a colloquial term inside a longer one that matched
SOUND_SPAN = (2, 4)  # lengths of the spans of a query tried for same-sound words
SOUND_RUN = 16  # longest Chinese run whose spans are tried


@dataclass
class Concept:
    terms: dict[tuple[str, str, bool], float] = field(default_factory=dict)  # (field, term, fuzzy) → weight
    whole: set[str] = field(default_factory=set)  # terms that stand for the concept (not sub-words)

    def add(self, field_name: str, term: str, weight: float, fuzzy: bool = False, whole: bool = True) -> None:
        key = (field_name, term, fuzzy)
        w = FIELD[field_name] * weight
        if w > self.terms.get(key, 0.0):
            self.terms[key] = w
        if whole:
            self.whole.add(term)


@dataclass(frozen=True)
class Plan:
    concepts: list[list[Clause]]  # each: the terms of one concept (a document scores the best)
    extra: list[Clause]  # characters: each adds a little


class Planner:
    def __init__(self, analyzer: Analyzer, index: Index, lexicon: Lexicon):
        self.analyzer, self.index, self.lexicon = analyzer, index, lexicon

    def plan(self, query: str) -> Plan:
        concepts: dict[str, Concept] = {}
        chars = Concept()
        for run in runs(query):
            if is_han(run):
                self._chinese(run, concepts, chars)
            elif run.isascii() and run.isalpha():
                self._latin(run, concepts)
            else:
                self._words(concepts.setdefault(run, Concept()), run, TYPED)
        index = self.index

        def clauses(concept: Concept, allow_common: bool) -> list[Clause]:
            # a document is found for a whole term (婚姻登记证, not its 登记), not a single
            # character, and not a common one (申领) unless the query has nothing else
            return [Clause(f, t, w, fuzzy, core=t in concept.whole and (len(t) > 1 or f == "py")
                           and (fuzzy or allow_common or not index.common(t)))
                    for (f, t, fuzzy), w in concept.terms.items() if fuzzy or index.known(t)]

        out = [c for c in (clauses(concept, False) for concept in concepts.values()) if c]
        if not any(c.core for cs in out for c in cs):
            out = [c for c in (clauses(concept, True) for concept in concepts.values()) if c]
        extra = [Clause(f, t, w, core=False) for (f, t, _), w in chars.terms.items() if index.known(t)]
        if not any(c.core for cs in out for c in cs):
            if extra and len(extra) <= SHORT_QUERY:
                # one or two characters so far (handwriting goes a character at a time):
                # the names that hold them
                return Plan([[Clause(c.field, c.term, c.weight, core=True)] for c in extra], [])
            return Plan([], [])  # nothing it says is in the catalogue: no answer rather than noise
        return Plan(out, extra)

    # -- parts -----------------------------------------------------------------------------
    def _words(self, concept: Concept, text: str, weight: float) -> None:
        """``text`` in the word fields, its shorter words weaker (婚姻登记证: also 婚姻, 登记证);
        an official short form (低保) brings the official terms beside it in the lexicon."""
        whole = normalise(text)
        for word in self.analyzer.words(text):
            if word in STOPWORDS:
                continue
            w = weight if word == whole else weight * SUBWORD
            for f in WORD_FIELDS:
                concept.add(f, word, w, whole=word == whole)
            if weight >= LEXICON and word == whole and not self.index.known(word):
                # an official short form this catalogue does not use (低保): the terms beside it
                for sibling in self.lexicon.siblings.get(word, ()):
                    if sibling != word:
                        self._words(concept, sibling, SIBLING)

    def _expand(self, concept: Concept, term: str, weight: float) -> None:
        for official in self.lexicon.expansions.get(term, ()):
            self._words(concept, official, weight)

    def _chinese(self, run: str, concepts: dict[str, Concept], chars: Concept) -> None:
        """One concept per word of the run (结婚证 | 丢了 | 怎么办); a colloquial term that is
        one of those words joins its concept, one across words is a concept of its own, one
        inside a longer one counts less (丢了 inside 丢了工作)."""
        lex, index = self.lexicon, self.index
        spans, at = {}, 0
        for word in self.analyzer.cut(run):
            spans[(at, at + len(word))] = word
            at += len(word)
        for word in spans.values():
            if word in STOPWORDS:
                continue
            concept = concepts.setdefault(word, Concept())
            self._words(concept, word, TYPED)
            if len(word) >= 2 and not index.known(word):
                for alike in index.sounds.get(forms_of(word)[1], ()):
                    self._words(concept, alike, SOUND)
        matches = lex.find(run, nested=True)
        for start, end, term in matches:
            nested = any(o[0] <= start and end <= o[1] and o[:2] != (start, end) for o in matches)
            concept = concepts.setdefault(spans.get((start, end), term), Concept())
            self._expand(concept, term, LEXICON * (NESTED if nested else 1.0))
        if len(run) <= SOUND_RUN:
            self._sounds(run, spans, concepts)
        for char in run:
            if char not in STOPCHARS:
                chars.add("chars", char, CHAR)

    def _sounds(self, run: str, spans: dict[tuple[int, int], str], concepts: dict[str, Concept]) -> None:
        """Spans of the run that are no known word but sound like one (注消 → 注销) or like a
        colloquial term of the lexicon (社保咔 → 社保卡 → 社会保障卡). A typo breaks a word
        into pieces the segmenter does not know, so only spans made of such pieces are tried,
        never one that cuts into or holds a word the catalogue has (洛阳市|公安局 is not 施工)."""
        lex, index = self.lexicon, self.index
        lo, hi = SOUND_SPAN
        solid = [(a, b) for (a, b), w in spans.items() if len(w) > 1 and index.known(w)]
        for size in range(hi, lo - 1, -1):
            for i in range(len(run) - size + 1):
                span = run[i:i + size]
                if index.known(span) or span in lex.expansions:
                    continue
                if any(a < i + size and i < b for a, b in solid):
                    continue
                sound = forms_of(span)[1]
                alike = [w for w in index.sounds.get(sound, ()) if w != span]
                terms = [t for t in lex.by_latin.get(sound, ()) if t != span]
                near = index.near_words(span) if size >= 3 else set()
                if not alike and not terms and not near:
                    continue
                concept = concepts.setdefault(span, Concept())
                for word in alike:
                    self._words(concept, word, SOUND)
                for term in terms:
                    self._expand(concept, term, LEXICON * SOUND)
                for word in near:
                    self._words(concept, word, NEAR)

    def _latin(self, run: str, concepts: dict[str, Concept]) -> None:
        index, lex = self.index, self.lexicon
        concept = concepts.setdefault(run, Concept())
        known = run in index.latin
        if known:
            concept.add("py", run, TYPED)
        if len(run) >= 2:
            for term in index.prefixed("py", run):
                if term != run:
                    concept.add("py", term, PREFIX)
        wrong: set[str] = set()
        if len(run) >= 3 and not known:
            wrong, other = index.near_latin(run)
            for term in wrong:
                concept.add("py", term, FUZZY)
            if len(run) >= 5:  # a letter more or less only in longer runs (xyz is not xy)
                for term in other - wrong:
                    concept.add("py", term, FUZZY * 0.8)
        if not known or len(run) >= 6:
            # colloquial terms typed in pinyin (hukouben, hkb); initials are ambiguous, so not
            # when the catalogue itself has the run (sfz is 身份证 here, not some other sfz)
            for term in lex.by_latin.get(run, ()):
                self._expand(concept, term, LEXICON)
        if not known and len(run) >= 3 and not wrong and run not in lex.by_latin:
            # a guess of a guess: only when the catalogue itself has no term one letter off
            for near in lex.near_latin(run):
                for term in lex.by_latin[near]:
                    self._expand(concept, term, LEXICON * FUZZY)
        for word in index.sounds.get(run, ()):
            self._words(concept, word, TYPED)
        if not known and len(run) >= 4:
            for part in self._split(run):
                concepts.setdefault(part, Concept()).add("py", part, SPLIT)

    def _split(self, run: str) -> list[str]:
        """``run`` as the fewest known py terms typed together (jmsfzhl → jm sfz hl), or []."""
        known = self.index.latin
        n = len(run)
        best: list[list[str] | None] = [None] * (n + 1)
        best[0] = []
        for end in range(1, n + 1):
            for start in range(max(0, end - 24), end):
                part = run[start:end]
                prev = best[start]
                if (prev is not None and len(part) >= 2 and part in known
                        and (best[end] is None or len(prev) + 1 < len(best[end]))):
                    best[end] = prev + [part]
        return best[n] or []
