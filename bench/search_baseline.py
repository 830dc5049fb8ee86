"""The baseline: the search this project had before the search engine (substring LIKE).

What a citizen would otherwise get: a guide is found when every term of the query is a
substring of the index string of its name, themes or department (Chinese, full pinyin or
initials; ``Guide.search_text``), ranked exact > prefix > substring. Kept here, unchanged but
for its imports, so that the benchmarks compare against it in the same run.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from kiosk.models import PUBLISHED, Guide
from kiosk.services.search.text import forms_of, normalise


def search_guides(session: Session, query: str, *, limit: int = 20) -> list[Guide]:
    terms = [t for t in (normalise(part) for part in query.split()) if t]
    if not terms or limit <= 0:
        return []
    stmt = select(Guide).where(Guide.status == PUBLISHED, and_(*(Guide.search_text.contains(t) for t in terms)))
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
