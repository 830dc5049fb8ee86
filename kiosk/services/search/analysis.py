"""Turning guides and queries into index terms: the same segmenter on both sides.

Chinese is segmented by jieba-rs (``rjieba``, the Rust port of jieba, which is the segmenter
most Chinese search setups use) in search mode, so 婚姻登记证 gives 婚姻, 登记, 登记证 and the
word itself; its dictionary is extended with the service terms of the lexicon's right-hand
side, the catalogue's themes and departments, so that 个体工商户 or 高龄津贴 stay one word.
Besides words, a document carries the pinyin and initials of the words of its name, aliases,
themes and department (``py``) and the characters of its name (``chars``, for a query that
lost a character). Query words are not stop-word filtered in documents, only in queries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .text import forms_of, normalise

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[a-z]+|[0-9]+")
MAX_QUERY = 64  # characters of a query that are analysed; the rest is ignored
CACHE_SIZE = 100_000  # texts whose words are remembered

# Words of a question that say nothing about which service is meant.
STOPWORDS = frozenset(
    ["我", "我的", "我们", "我家", "俺", "咱", "你", "你好", "您", "您好", "请问", "请", "麻烦", "想", "想要", "要", "需要", "得", "该", "应该", "能", "能不能", "可以", "可不可以", "怎么", "怎么办", "怎么样", "怎样", "如何", "咋", "咋办", "啥", "什么", "哪", "哪里", "哪儿", "哪个", "在哪", "去哪", "到哪", "吗", "呢", "吧", "啊", "呀", "了", "的", "地", "是", "是不是", "有", "有没有", "一下", "一个", "个", "这个", "那个", "这", "那", "和", "跟", "与", "还", "还有", "都", "就", "也", "又", "去", "来", "到", "在", "给", "帮", "帮我", "带", "带什么", "拿", "拿什么", "准备", "什么样", "哪些", "多久", "多长时间", "几天", "手续", "流程", "事", "事情", "东西", "情况", "问题", "现在", "已经", "自己", "本人", "一起", "之后", "以后", "后", "前", "时候", "的话", "办", "办理", "办一下", "办个", "弄", "搞"]
)
STOPCHARS = frozenset("我你您的了吗呢吧啊呀是有在和跟与也都就又去来到给这那个么怎啥哪办要想能可得该")


@dataclass(frozen=True)
class DocText:
    """What is indexed of one guide or bundle, by field."""

    name: str
    aliases: tuple[str, ...] = ()
    meta: tuple[str, ...] = ()  # themes, department names, item type; a bundle's member guides
    body: tuple[str, ...] = ()  # conditions, materials, process, FAQ; a bundle's description


class Analyzer:
    """One segmenter with the service dictionary; documents and queries go through it."""

    def __init__(self, words: Iterable[str] = ()):
        import rjieba  # 0.15 s to load: with the first index, not by every ``kiosk`` command

        self.plain = rjieba  # its module-level cut uses the plain dictionary only
        self.jieba = rjieba.Jieba()
        for word in sorted(set(words)):
            if 2 <= len(word) <= 12 and HAN.fullmatch(word):
                self.jieba.add_word(word, 20000, "n")
        self._cache: dict[str, tuple[str, ...]] = {}

    # -- words ---------------------------------------------------------------------------
    def words(self, text: str) -> tuple[str, ...]:
        """Search-mode words of a text (normalised), the whole text among them when short."""
        text = normalise(text)
        if not text:
            return ()
        hit = self._cache.get(text)
        if hit is not None:
            return hit
        out: list[str] = []
        for run in RUN.findall(text):
            if HAN.fullmatch(run):
                out.extend(w for w in self.jieba.cut_for_search(run, True) if w.strip())
                if len(run) <= 12:
                    out.append(run)
            else:
                out.append(run)
        words = tuple(dict.fromkeys(out))
        if len(self._cache) >= CACHE_SIZE:  # queries are endless; documents' texts repeat
            self._cache.clear()
        self._cache[text] = words
        return words

    def _sequences(self, text: str) -> list[str]:
        """Pinyin and initials of consecutive words of a name (居民|身份证 → jmsfz, juminshenfenzheng),
        so that a citizen may type any stretch of it, not only single words or the whole."""
        out: list[str] = []
        for run in HAN.findall(normalise(text)):
            # the plain dictionary's words: the service terms added to ours are often several
            # of its words (临时居民身份证), and each stretch of them is typed too
            out.extend(_sequence_forms([w for w in self.plain.cut(run, True) if w.strip()]))
        return out

    def cut(self, run: str) -> list[str]:
        """A Chinese run as consecutive words (no overlaps): the query's concepts."""
        return [w for w in self.jieba.cut(run, True) if w.strip()]

    # -- documents -----------------------------------------------------------------------
    def document(self, doc: DocText) -> dict[str, list[str]]:
        """Field → terms (repeats kept: they are term frequencies)."""
        # aliases (事项俗称) are searched as the name is: they go in the same field
        fields: dict[str, list[str]] = {"name": [], "meta": [], "body": [], "py": [], "chars": []}
        fields["name"] = list(self.words(doc.name))
        for alias in doc.aliases:
            fields["name"].extend(self.words(alias))
        for text in doc.meta:
            fields["meta"].extend(self.words(text))
        for text in doc.body:
            fields["body"].extend(self.words(text))
        for text in (doc.name, *doc.aliases, *doc.meta):
            for word in self.words(text):
                if HAN.fullmatch(word) and len(word) >= 2:
                    fields["py"].extend(forms_of(word)[1:])
        for text in (doc.name, *doc.aliases):
            fields["py"].extend(self._sequences(text))
        fields["chars"] = [c for c in normalise("".join((doc.name, *doc.aliases))) if HAN.fullmatch(c)]
        return fields


SEQUENCE_WORDS = 6  # longest run of consecutive name words typed as one pinyin / initials term


def _sequence_forms(words: list[str]) -> Iterator[str]:
    """Full pinyin and initials of each stretch of consecutive words, joined from the words'
    own (one pinyin lookup per word, not per stretch)."""
    pairs = [forms_of(w)[1:3] or ("", "") for w in words]
    for i in range(len(words)):
        full, short = "", ""
        for j in range(i, min(len(words), i + SEQUENCE_WORDS)):
            full += pairs[j][0]
            short += pairs[j][-1]
            if j > i or len(words[i]) > 1:
                yield full
                yield short


def runs(query: str) -> Iterator[str]:
    """The Chinese, Latin and digit runs of a normalised query (its first MAX_QUERY chars)."""
    yield from RUN.findall(normalise(query)[:MAX_QUERY])


def is_han(text: str) -> bool:
    return bool(HAN.fullmatch(text))
