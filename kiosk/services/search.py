"""Guide search for people who type Chinese, full pinyin or pinyin initials.

Kiosk keyboards and phones make pinyin initials (``sfz`` for 身份证) the fastest way in, so each
guide stores a normalised index string (``Guide.search_text``, filled by the importer) holding,
for its name, themes and department: the Chinese text, the full toneless pinyin and the initials.
Polyphones are resolved by pypinyin's phrase dictionary (银行 → yinhang, 重庆 → chongqing); where one
of the common polyphones (:data:`POLYPHONES`) is still ambiguous outside any known phrase, its
other readings are added as alternates, one substitution at a time, so the index stays small and
rare readings (籍 jie, 区 ou) do not make short queries match everything. A query is one ``LIKE`` per term on that
column, then ranked in Python: name matches first, exact before prefix before substring.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from pypinyin import Style, lazy_pinyin, pinyin
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import PUBLISHED, Guide

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


def normalise(text: str) -> str:
    """Lower-case, NFKC (full-width → half-width), letters/digits/CJK only."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).lower())


@lru_cache(maxsize=4096)
def forms_of(text: str) -> tuple[str, ...]:
    """The searchable forms of one text: itself, full pinyin, initials, then alternates."""
    chinese = normalise(text)
    if not chinese:
        return ()
    syllables = [normalise(s) for s in lazy_pinyin(text)]
    initials = [normalise(s) for s in lazy_pinyin(text, style=Style.FIRST_LETTER)]
    forms = [chinese, "".join(syllables), "".join(initials)]
    readings = pinyin(text, style=Style.NORMAL, heteronym=True)
    segments = _HAN_OR_RUN.findall(text)
    alternates: list[str] = []
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
    """What the importer stores in ``Guide.search_text``: name, themes, department names."""
    dept = guide.department
    names = [dept.name, dept.short_name or ""] if dept is not None else []
    return search_text_for(guide.name, *(guide.themes or []), *names)


def search_guides(query: str, *, limit: int = 20, session: Session | None = None) -> list[Guide]:
    """Published guides matching every term of ``query`` (Chinese, full pinyin or initials).

    Ranking: a name equal to the query, then names starting with it, then names containing it,
    then matches in themes or department only; ties by shorter name, then name and id, so the
    order is stable. An empty query finds nothing.
    """
    terms = [t for t in (normalise(part) for part in query.split()) if t]
    if not terms or limit <= 0:
        return []
    session = session if session is not None else db.session
    stmt = select(Guide).where(
        Guide.status == PUBLISHED, and_(*(Guide.search_text.contains(t) for t in terms))
    )
    guides = list(session.scalars(stmt))
    joined = "".join(terms)
    guides.sort(key=lambda g: _rank(g, joined, terms))
    return guides[:limit]


def _rank(guide: Guide, joined: str, terms: list[str]) -> tuple[Any, ...]:
    best = 3
    position = 0
    for form in forms_of(guide.name):
        if form == joined:
            best, position = 0, 0
            break
        if form.startswith(joined):
            best, position = min(best, 1), 0
        elif joined in form and best > 2:
            best, position = 2, form.index(joined)
        elif best > 2 and all(t in form for t in terms):
            best, position = 2, min(form.index(t) for t in terms)
    return (best, position, len(guide.name), guide.name, guide.id)
