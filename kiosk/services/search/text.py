"""Text forms people type: normalised Chinese, full toneless pinyin and pinyin initials.

Kiosk keyboards and phones make pinyin initials (``sfz`` for 身份证) the fastest way in, so every
searchable text has, besides itself, its full pinyin and its initials. Polyphones are resolved
by pypinyin's phrase dictionary (银行 → yinhang, 重庆 → chongqing); where one of the common
polyphones (:data:`POLYPHONES`) is still ambiguous outside any known phrase, its other readings
are added as alternates, one substitution at a time, so that rare readings (籍 jie, 区 ou) do not
make short queries match everything.

``Guide.search_text`` (filled by the importer and the review workflow) keeps these forms of a
guide's name, themes and department for the staff panel's plain ``LIKE`` filter; citizens'
search is the engine in this package (engine.py).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...models import Guide

SEPARATOR = "|"
MAX_ALTERNATES = 4
# Characters whose second reading people really type; pypinyin's heteronym lists are much
# longer and mostly archaic or surname readings.
POLYPHONES = frozenset(
    "行长重还调处传单朝乐种强供应给省藏率降兴要为相载中转便差称冲答当倒得都发分干更和会假间将"
    "教解卡空落难宁曲少识属数似提系鲜校血与曾扎占正只"
)
_NOT_WORD = re.compile(r"[\W_]+")
# One CJK character, or a run of anything else: how pypinyin splits text into readings.
_HAN_OR_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\u3400-\u9fff\uf900-\ufaff]+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def normalise(text: str) -> str:
    """Lower-case, NFKC (full-width → half-width), letters/digits/CJK only."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).lower())


@lru_cache(maxsize=131072)
def forms_of(text: str) -> tuple[str, ...]:
    """The searchable forms of one text: itself, full pinyin, initials, then alternates."""
    from pypinyin import Style, lazy_pinyin, pinyin  # 0.3 s to load: not for every command

    chinese = normalise(text)
    if not chinese:
        return ()
    syllables = [normalise(s) for s in lazy_pinyin(text)]
    segments = _HAN_OR_RUN.findall(text)
    if len(segments) == len(syllables):
        # a character's initial is its syllable's first letter; other runs stay as they are
        initials = [s[:1] if _HAN.fullmatch(seg) else s for seg, s in zip(segments, syllables, strict=True)]
    else:
        initials = [normalise(s) for s in lazy_pinyin(text, style=Style.FIRST_LETTER)]
    forms = [chinese, "".join(syllables), "".join(initials)]
    alternates: list[str] = []
    if any(c in POLYPHONES for c in text):
        readings = pinyin(text, style=Style.NORMAL, heteronym=True)
    else:
        readings = []
    if len(readings) == len(syllables) == len(segments):
        for index, options in enumerate(readings):
            if len(options) < 2 or segments[index] not in POLYPHONES:
                continue
            for option in options:
                option = normalise(option)
                if not option or option == syllables[index]:
                    continue
                full = syllables[:index] + [option] + syllables[index + 1:]
                short = initials[:index] + [option[0]] + initials[index + 1:]
                alternates += ["".join(full), "".join(short)]
    for form in alternates:
        if len(forms) >= 3 + MAX_ALTERNATES:
            break
        if form not in forms:
            forms.append(form)
    return tuple(dict.fromkeys(f for f in forms if f))


def search_text_for(*texts: str) -> str:
    """The index string for some texts: every form of every text, ``|``-separated.

    The separators (also at both ends) keep a query from matching across two texts.
    """
    forms: list[str] = []
    for text in texts:
        if text:
            forms.extend(f for f in forms_of(text) if f not in forms)
    return SEPARATOR + SEPARATOR.join(forms) + SEPARATOR if forms else ""


def guide_search_text(guide: Guide) -> str:
    """What the importer stores in ``Guide.search_text``: name, aliases, themes, departments."""
    dept = guide.department
    names = [dept.name, dept.short_name or ""] if dept is not None else []
    return search_text_for(guide.name, *(guide.aliases or []), *(guide.themes or []), *names)
