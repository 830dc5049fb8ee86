"""The kiosk's catalogue: everything its home page and lists need, in one document, so that a
citizen can browse by audience, theme, department or 一件事 without typing (docs/kiosk.md,
``GET /screen/<token>/kiosk/catalogue``).

Only published guides and bundles are in it. Lists are ordered the way a hall would expect:
themes with the most guides first, then by pinyin; guides by how often kiosks opened them in
the last 30 days, then by pinyin of the name (so 办 comes before 居, as in a printed
directory, not by code point). ``version`` is a hash of everything else, so the page (and an
HTTP ETag) can tell at once whether anything changed.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ...models import PUBLISHED, Bundle, BundleGuide, Guide, VisitEvent
from .ratings import rating_levels

POPULAR_DAYS = 30
POPULAR_SIZE = 12
OTHER_THEME = "其他"  # guides of an audience that have no theme, so that browsing reaches them
AUDIENCES = (("personal", "个人办事", "自然人"), ("legal", "法人办事", "法人"))


@lru_cache(maxsize=4096)
def name_key(name: str) -> tuple[tuple[str, ...], str]:
    """Sort key for Chinese names: by pinyin syllables (dictionary order), then the name."""
    from pypinyin import lazy_pinyin  # loaded with the first catalogue, not by every command

    return tuple(s.lower() for s in lazy_pinyin(name)), name


def guide_views(session: Session, now: datetime, days: int = POPULAR_DAYS) -> Counter[str]:
    """How often each guide (by code) was opened on a kiosk in the last ``days`` days."""
    rows = session.execute(
        select(VisitEvent.ref, func.count())
        .where(VisitEvent.kind == "guide_view", VisitEvent.at >= now - timedelta(days=days),
               VisitEvent.ref.is_not(None))
        .group_by(VisitEvent.ref)
    ).all()
    return Counter({ref: count for ref, count in rows})


def _guide_entry(guide: Guide) -> dict[str, Any]:
    dept = guide.department
    return {
        "id": guide.id,
        "code": guide.code,
        "name": guide.name,
        "department": dept.name,
        "department_short": dept.short_name or dept.name,
        "case_type": guide.case_type,
        "online": guide.online,
        "themes": list(guide.themes or []),
        "audience": list(guide.audience or []),
        "promised_limit_days": guide.promised_limit_days,
        "visits": guide.visits,
    }


def _themes(guides: list[Guide]) -> list[dict[str, Any]]:
    by_theme: dict[str, list[int]] = defaultdict(list)
    for guide in guides:  # already in popularity order
        for theme in dict.fromkeys(guide.themes or [OTHER_THEME]):
            by_theme[theme].append(guide.id)
    order = sorted(by_theme, key=lambda t: (t == OTHER_THEME, -len(by_theme[t]), name_key(t)))
    return [{"name": theme, "guides": by_theme[theme]} for theme in order]


def build_catalogue(session: Session, hall_name: str, now: datetime) -> dict[str, Any]:
    """The catalogue document of docs/kiosk.md at ``now`` (the popularity window ends there)."""
    guides = list(session.scalars(
        select(Guide).where(Guide.status == PUBLISHED).options(selectinload(Guide.department))
    ))
    views = guide_views(session, now)
    by_name = sorted(guides, key=lambda g: (name_key(g.name), g.id))
    ranked = sorted(by_name, key=lambda g: -views[g.code])  # stable: ties stay in name order
    published = {g.id for g in guides}

    popular = [g.id for g in ranked if views[g.code] > 0][:POPULAR_SIZE]
    for guide in by_name:
        if len(popular) >= POPULAR_SIZE:
            break
        if guide.id not in popular:
            popular.append(guide.id)

    audiences = [
        {"key": key, "label": label,
         "themes": _themes([g for g in ranked if who in (g.audience or [])])}
        for key, label, who in AUDIENCES
    ]

    by_department: dict[int, list[int]] = defaultdict(list)
    departments = {}
    for guide in ranked:
        by_department[guide.department_id].append(guide.id)
        departments[guide.department_id] = guide.department
    department_list = [
        {"code": d.code, "name": d.name, "short_name": d.short_name, "phone": d.phone,
         "guides": by_department[d.id]}
        for d in sorted(departments.values(), key=lambda d: (name_key(d.name), d.id))
    ]

    bundles = session.scalars(
        select(Bundle).where(Bundle.status == PUBLISHED)
        .options(selectinload(Bundle.links).selectinload(BundleGuide.guide))
    ).all()
    bundle_list = [
        {"code": b.code, "name": b.name, "description": b.description,
         "guides": [link.guide_id for link in b.links if link.guide_id in published],
         "promised_limit_days": b.promised_limit_days, "visits": b.visits, "window": b.window}
        for b in sorted(bundles, key=lambda b: (name_key(b.name), b.id))
    ]

    body: dict[str, Any] = {
        "hall": {"name": hall_name},
        "audiences": audiences,
        "departments": department_list,
        "bundles": bundle_list,
        "popular": popular,
        "guides": {str(g.id): _guide_entry(g) for g in by_name},
        "rating": {"levels": rating_levels()},
    }
    blob = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return {"version": hashlib.sha256(blob.encode("utf-8")).hexdigest()[:20], **body}
