"""``popular:<n>`` playlist items (热门事项): the n most-viewed published guides of the last
30 days, each shown as its normal guide slide for the item's duration.

The lobby wall should show what people actually come for, and that is what they look up on
the kiosks and phones (:func:`..demand.views.views_by_ref`). Counting views while slides
render would make every render a scan of the visit tables and would let two processes that
render a second apart disagree, so the ``popular-guides`` job (``kiosk/jobs.py``) ranks the
guides every few minutes and stores the order (:class:`PopularGuide`). It writes only when
the order moved, in one transaction with an audit row: the content stamp then moves and the
publisher republishes; an unchanged order writes nothing and nothing is republished.

Order: views (most first), then name, then code, over published guides only; guides nobody
viewed rank after the viewed ones in that same name order, so a new hall with no views
still gets a full item. The renderer checks each stored code again (:func:`codes_for`): a
guide taken offline leaves the wall at once and the next one in the ranking takes its place.
"""

from __future__ import annotations

import heapq
import logging
import re
from datetime import datetime

from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import PUBLISHED, AuditLog, Guide, PopularGuide
from .demand.views import WINDOW_DAYS, views_by_ref

log = logging.getLogger(__name__)

KIND = "popular"
MIN_N, MAX_N = 1, 20
STORED = MAX_N + 10  # spare places: a guide taken offline is replaced by the next one
_REF = re.compile(r"popular:(\d{1,6})")
FORM_HINT = f"热门事项应写为 popular:数量，数量为 {MIN_N}–{MAX_N} 的整数，例如 popular:5"


def label(n: int) -> str:
    """How staff read the item in the playlist form, the preview and the reviewer's diff."""
    return f"热门事项（前 {n} 项）"


def labels() -> dict[str, str]:
    """Every valid ``popular:<n>`` with its label (the playlist form's choices)."""
    return {f"{KIND}:{n}": label(n) for n in range(MIN_N, MAX_N + 1)}


def ref_error(ref: str) -> str | None:
    """Why ``ref`` (``popular:…``) is not a valid item, or None when it is."""
    match = _REF.fullmatch(ref)
    if match is None:
        return f"不是有效的热门事项“{ref}”：{FORM_HINT}"
    n = int(match.group(1))
    if match.group(1) != str(n) and n:  # popular:05 would be a second spelling of popular:5
        return f"不是有效的热门事项“{ref}”：{FORM_HINT}"
    if not MIN_N <= n <= MAX_N:
        return f"热门事项的数量应在 {MIN_N}–{MAX_N} 之间（“{ref}”），例如 popular:5"
    return None


def count_of(ref: str) -> int | None:
    """``n`` of a valid ``popular:<n>``, else None."""
    return int(ref.partition(":")[2]) if ref.startswith(f"{KIND}:") and ref_error(ref) is None else None


# -- the ranking -----------------------------------------------------------------------------
def ranking(session: Session, now: datetime, limit: int = STORED,
            days: int = WINDOW_DAYS) -> list[tuple[str, int]]:
    """``[(code, views)]`` of the ``limit`` first published guides: views in the last
    ``days`` days (kiosk and phone), then name, then code."""
    views = {ref.partition(":")[2]: n for ref, n in views_by_ref(session, now, days).items()
             if ref.startswith("guide:")}
    rows = session.execute(select(Guide.code, Guide.name).where(Guide.status == PUBLISHED))
    top = heapq.nsmallest(limit, rows, key=lambda r: (-views.get(r.code, 0), r.name, r.code))
    return [(r.code, views.get(r.code, 0)) for r in top]


def stored(session: Session) -> list[str]:
    """The stored ranking's codes, most viewed first (empty before the job first ran)."""
    return list(session.scalars(select(PopularGuide.code).order_by(PopularGuide.position)))


def refresh(session: Session, now: datetime, actor: str = "system") -> bool:
    """Rank again; store the new order with an audit row when it moved. The caller commits
    (one transaction). Returns whether anything was written."""
    ranked = ranking(session, now)
    codes = [code for code, _ in ranked]
    before = stored(session)
    if codes == before:
        return False
    session.execute(delete(PopularGuide))
    session.add_all(PopularGuide(position=i, code=code) for i, code in enumerate(codes, 1))
    session.add(AuditLog(actor=actor, action="popular_refresh", object_type=KIND, object_id=None,
                         before={"guides": before},
                         after={"guides": codes, "views": [n for _, n in ranked]}))
    return True


def codes_for(session: Session, n: int) -> list[str]:
    """The codes a ``popular:<n>`` item shows now: the stored ranking's first ``n`` guides
    that are still published (checked here, at render time), or the published guides in
    name order while nothing is stored yet."""
    ranked = stored(session)
    if not ranked:  # sorted here, not by the database: its collation may not be the job's
        rows = session.execute(select(Guide.code, Guide.name).where(Guide.status == PUBLISHED))
        return [r.code for r in heapq.nsmallest(n, rows, key=lambda r: (r.name, r.code))]
    live = set(session.scalars(select(Guide.code).where(Guide.code.in_(ranked), Guide.status == PUBLISHED)))
    return [code for code in ranked if code in live][:n]


def refresh_job(app: Flask) -> None:
    """Scheduler job (``kiosk/jobs.py`` ``popular-guides``): rank, and republish the screens
    only when the order moved."""
    from ..extensions import db
    from ..models import utcnow
    from .publish import get_publisher

    with app.app_context():
        try:
            if refresh(db.session, utcnow()):
                db.session.commit()
                log.info("popular guides: the ranking moved, republishing")
                get_publisher(app).changed()
            else:
                db.session.rollback()
        except Exception:
            db.session.rollback()
            raise
        finally:
            db.session.remove()
