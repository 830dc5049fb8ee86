"""The inverted index: Tantivy (Rust, BM25) in memory, fed with our own terms.

Tantivy scores each field with BM25 and sums weighted clauses, finds prefixes and fuzzy terms
in its term dictionary, and updates one document at a time; it needs no server and no files
(each process builds its own copy from the database in seconds). Terms are made in Python
(analysis.py) and given to Tantivy as whitespace-separated text, so its tokenizer only splits.

Next to Tantivy this keeps what query analysis needs to know about the vocabulary: which
words exist, and which words sound alike (same toneless pinyin), for typo tolerance.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass

import tantivy

from .analysis import is_han
from .text import forms_of

FIELDS = ("name", "meta", "body", "py", "chars")  # name holds the aliases too
WORD_FIELDS = ("name", "meta", "body")
TITLE_FIELDS = ("name", "meta", "py")
COMMON_SHARE = 0.2  # a word in more than this share of documents is common
TIE = 0.15  # what the other terms of a concept add to its best one


@dataclass(frozen=True)
class _Forget:
    """A document's distinct words, title words and pinyin terms, to uncount when it goes."""

    words: tuple[str, ...]
    titles: tuple[str, ...]
    latin: tuple[str, ...]


@dataclass(frozen=True)
class Clause:
    field: str
    term: str
    weight: float
    fuzzy: bool = False  # one edit away (Latin only)
    core: bool = True  # a document must match at least one core clause to be found


class Index:
    def __init__(self) -> None:
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("key", stored=True, tokenizer_name="raw")
        for name in FIELDS:
            builder.add_text_field(name, stored=False, tokenizer_name="whitespace")
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema)
        self._writer = self.index.writer(heap_size=32_000_000, num_threads=1)
        self._lock = threading.RLock()
        self._terms: dict[str, _Forget] = {}  # key → what to take back out of the counters
        self.words: Counter[str] = Counter()  # Chinese words in any word field
        self.titles: Counter[str] = Counter()  # … in a name, alias, theme or department
        self.latin: Counter[str] = Counter()  # py terms
        self.sounds: defaultdict[str, Counter[str]] = defaultdict(Counter)  # full pinyin → words
        # a title word with one character blanked (居?证) or left out (居民身证) → the words:
        # for the typo that is a wrong or a missing character rather than a wrong sound
        self.blanks: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._searcher = None

    def __len__(self) -> int:
        return len(self._terms)

    def near_words(self, text: str) -> set[str]:
        """Title words one character off ``text``: one wrong (居往证 → 居住证) or missing
        (居民身证 → 居民身份证)."""
        found: set[str] = set(self.blanks.get(text, ()))  # text is a word minus one character
        for i in range(len(text)):
            found |= set(self.blanks.get(text[:i] + "?" + text[i + 1:], ()))
        found.discard(text)
        return found

    def near_latin(self, text: str) -> tuple[set[str], set[str]]:
        """Known py terms one letter off ``text``: (wrong letter, one letter more or less). One
        wrong initial (sfx → sfz) is the typo of someone who knows the word."""
        letters = "abcdefghijklmnopqrstuvwxyz"
        known = self.latin
        wrong = {text[:i] + c + text[i + 1:] for i in range(len(text)) for c in letters if c != text[i]}
        other = {text[:i] + text[i + 1:] for i in range(len(text))}
        other |= {text[:i] + c + text[i:] for i in range(len(text) + 1) for c in letters}
        return {t for t in wrong if t in known}, {t for t in other if t in known and len(t) >= 2}

    def known(self, term: str) -> bool:
        return term in self.words or term in self.latin or term in self.titles

    def common(self, term: str) -> bool:
        """Whether a word names so many documents that it says little (申领, 登记, 办理): counted
        in names, aliases, themes and departments, where a word says what a document is."""
        n = len(self._terms)
        count = self.titles.get(term) or self.latin.get(term) or 0
        return n >= 20 and count > n * COMMON_SHARE

    def __contains__(self, key: str) -> bool:
        return key in self._terms

    # -- writing -------------------------------------------------------------------------
    def put(self, key: str, fields: dict[str, list[str]]) -> None:
        """Add or replace one document (not visible until :meth:`commit`)."""
        with self._lock:
            if key in self._terms:
                self._forget(key)
            doc = tantivy.Document()
            doc.add_text("key", key)
            for name in FIELDS:
                doc.add_text(name, " ".join(t.replace(" ", "") for t in fields.get(name, ())))
            self._writer.add_document(doc)
            forget = _Forget(
                words=tuple({w for f in WORD_FIELDS for w in fields.get(f, ()) if is_han(w)}),
                titles=tuple({w for f in TITLE_FIELDS for w in fields.get(f, ())}),
                latin=tuple(set(fields.get("py", ()))),
            )
            self._terms[key] = forget
            for word in forget.words:
                self.words[word] += 1
                if len(word) >= 2:
                    self.sounds[forms_of(word)[1]][word] += 1
            for word in forget.titles:
                self.titles[word] += 1
                for variant in _blanked(word):
                    self.blanks[variant][word] += 1
            for term in forget.latin:
                self.latin[term] += 1

    def delete(self, key: str) -> None:
        with self._lock:
            if key in self._terms:
                self._forget(key)

    def _forget(self, key: str) -> None:
        self._writer.delete_documents_by_term("key", key)
        forget = self._terms.pop(key)
        for word in forget.words:
            self.words[word] -= 1
            if self.words[word] <= 0:
                del self.words[word]
            if len(word) >= 2:
                sound = self.sounds.get(forms_of(word)[1])
                if sound is not None:
                    sound[word] -= 1
                    if sound[word] <= 0:
                        del sound[word]
        for term in forget.latin:
            self.latin[term] -= 1
            if self.latin[term] <= 0:
                del self.latin[term]
        for word in forget.titles:
            self.titles[word] -= 1
            if self.titles[word] <= 0:
                del self.titles[word]
            for variant in _blanked(word):
                near = self.blanks.get(variant)
                if near is not None:
                    near[word] -= 1
                    if near[word] <= 0:
                        del near[word]

    def commit(self) -> None:
        with self._lock:
            self._writer.commit()
            self.index.reload()
            self._searcher = self.index.searcher()

    # -- reading -------------------------------------------------------------------------
    def prefixed(self, field: str, prefix: str, limit: int = 12) -> list[str]:
        searcher = self._searcher
        if searcher is None or not prefix:
            return []
        return [t for t, _ in searcher.terms_with_prefix(field, prefix, limit=limit)]

    def search(self, plan, limit: int) -> list[tuple[float, str]]:
        """(score, key) of the best ``limit`` documents for a query plan (query.py): each
        concept scores its best term; a document must match at least one core concept."""
        searcher = self._searcher
        if searcher is None or not (plan.concepts or plan.extra):
            return []
        core, support = [], []
        for clauses in plan.concepts:
            terms = [tantivy.Query.boost_query(self._term(c), c.weight) for c in clauses]
            concept = terms[0] if len(terms) == 1 else tantivy.Query.disjunction_max_query(terms, TIE)
            (core if any(c.core for c in clauses) else support).append((tantivy.Occur.Should, concept))
        support += [(tantivy.Occur.Should, tantivy.Query.boost_query(self._term(c), c.weight)) for c in plan.extra]
        if core and support:
            # found for what it is about (a core concept), ranked by everything it matches
            query = tantivy.Query.boolean_query([(tantivy.Occur.Must, tantivy.Query.boolean_query(core)), *support])
        else:
            query = tantivy.Query.boolean_query(core or support)
        result = searcher.search(query, limit)
        return [(score, searcher.doc(address)["key"][0]) for score, address in result.hits]

    def _term(self, c: Clause):
        if c.fuzzy:
            return tantivy.Query.fuzzy_term_query(self.schema, c.field, c.term, distance=1,
                                                  transposition_cost_one=True, prefix=False)
        return tantivy.Query.term_query(self.schema, c.field, c.term)


def _blanked(word: str) -> list[str]:
    """Keys of a Chinese title word of 3–8 characters for :meth:`Index.near_words`."""
    if not (3 <= len(word) <= 8) or not is_han(word):
        return []
    return [word[:i] + "?" + word[i + 1:] for i in range(len(word))] + \
        [word[:i] + word[i + 1:] for i in range(len(word))]
