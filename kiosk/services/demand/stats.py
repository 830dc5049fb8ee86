"""Demand statistics for the staff panel: what citizens searched for, what they found, what
they opened and how they rated it, over one period and optionally one kiosk.

The figures come from the kiosks' visit events (:class:`VisitEvent`), the phone page counts
(:class:`GuideViewCount`) and the ratings (:class:`Evaluation`). Everything is aggregated in
the database over the indexed ``(kind, at)`` / ``(screen_id, at)`` ranges, so a month of a
busy hall (tens of thousands of events) returns a few hundred grouped rows, never the events.

Definitions staff read on the page (docs/staff-panel.md, 需求分析):

- a search is *followed* when the same visit viewed a guide or a bundle at or after it;
- a search is *poor* when it found something but its visit opened nothing after it, and
  *zero* when it found nothing. Searches whose page sent no visit id cannot be linked and
  count as neither followed nor poor;
- queries are grouped by their stored text (stripped by the server) compared case-
  insensitively, so ``SFZ`` and ``sfz`` are one row;
- 好评 = levels 3–5, 差评 = levels 1–2 (the national 好差评 definition).

Periods are local days in the hall's time zone, turned into UTC instants of local midnight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal_column, or_, select
from sqlalchemy.orm import Session

from ...models import Bundle, Evaluation, Guide, GuideViewCount, VisitEvent
from ..periods import Period, day_start

VIEW_KINDS = ("guide_view", "bundle_view")
VISIT_SLACK = timedelta(hours=1)  # a visit begun before the period's end may view after it
CHANNEL_LABELS = {"kiosk": "自助查询机", "phone": "手机"}


# -- results ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Suggestion:
    kind: str  # guide | bundle
    code: str
    name: str


@dataclass
class SearchRow:
    """One query text over the period."""

    query: str
    searches: int
    avg_results: float | None  # over the searches that reported a result count
    linked: int  # searches with a visit id (the ones followed / poor can be told for)
    followed: int
    zero: int
    poor: int
    last_seen: datetime
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def follow_rate(self) -> float | None:
        return self.followed / self.linked if self.linked else None

    @property
    def unmet(self) -> int:
        return self.zero + self.poor


@dataclass
class ViewRow:
    kind: str  # guide | bundle
    code: str
    name: str
    kiosk: int = 0
    phone: int | None = 0  # None: not attributable to one kiosk

    @property
    def total(self) -> int:
        return self.kiosk + (self.phone or 0)


@dataclass
class RatingRow:
    kind: str  # guide | bundle | none (a rating given for no particular item)
    code: str
    name: str
    count: int
    average: float
    good: int  # levels 3–5
    bad: int  # levels 1–2

    @property
    def good_rate(self) -> float | None:
        return self.good / self.count if self.count else None


@dataclass(frozen=True)
class DayPoint:
    day: date
    searches: int
    zero: int
    views: int  # kiosk + phone


@dataclass
class Summary:
    visits: int = 0
    searches: int = 0
    queries: int = 0  # distinct query texts
    zero: int = 0
    poor: int = 0
    linked: int = 0
    followed: int = 0
    kiosk_views: int = 0
    phone_views: int | None = 0
    ratings: int = 0
    good: int = 0
    bad: int = 0
    average: float | None = None

    @property
    def zero_rate(self) -> float | None:
        return self.zero / self.searches if self.searches else None

    @property
    def follow_rate(self) -> float | None:
        return self.followed / self.linked if self.linked else None

    @property
    def good_rate(self) -> float | None:
        return self.good / self.ratings if self.ratings else None

    @property
    def views(self) -> int:
        return self.kiosk_views + (self.phone_views or 0)


@dataclass
class Demand:
    period: Period
    screen_id: int | None
    summary: Summary
    top_searches: list[SearchRow]
    unmet: list[SearchRow]
    top_views: list[ViewRow]
    ratings: list[RatingRow]
    series: list[DayPoint]


Suggest = Callable[[str], list[Suggestion]]


def engine_suggestions(session: Session, limit: int = 3) -> Suggest:
    """The search engine's current best ``limit`` answers for a query (needs an app context):
    staff see whether an unmet search is already answered now."""
    from ..search import search

    def suggest(query: str) -> list[Suggestion]:
        return [Suggestion(h.kind, h.code, h.name) for h in search(query, limit=limit, session=session)]

    return suggest


# -- queries ------------------------------------------------------------------------------------
def _in(start: datetime, end: datetime, screen_id: int | None) -> list[ColumnElement[bool]]:
    where = [VisitEvent.at >= start, VisitEvent.at < end]
    if screen_id is not None:
        where.append(VisitEvent.screen_id == screen_id)
    return where


def search_statement(start: datetime, end: datetime, screen_id: int | None = None) -> Select[Any]:
    """Every query text of ``[start, end)`` with its counts, as one grouped query. The latest
    view of each visit is computed once (a grouped subquery) and joined by visit id, so
    "viewed later in the same visit" costs one comparison per search, not a scan per search."""
    last_view = (select(VisitEvent.visit.label("visit"), func.max(VisitEvent.at).label("last_at"))
                 .where(VisitEvent.kind.in_(VIEW_KINDS), VisitEvent.visit != "",
                        *_in(start, end + VISIT_SLACK, screen_id))
                 .group_by(VisitEvent.visit).subquery())
    linked = VisitEvent.visit != ""
    viewed_after = and_(linked, last_view.c.last_at.is_not(None), last_view.c.last_at >= VisitEvent.at)
    not_viewed_after = or_(last_view.c.last_at.is_(None), last_view.c.last_at < VisitEvent.at)
    key = func.lower(VisitEvent.search_query)
    return (select(key, func.max(VisitEvent.search_query), func.count(VisitEvent.id),
                   func.avg(VisitEvent.results),
                   func.sum(case((linked, 1), else_=0)),
                   func.sum(case((viewed_after, 1), else_=0)),
                   func.sum(case((VisitEvent.results == 0, 1), else_=0)),
                   func.sum(case((and_(VisitEvent.results > 0, linked, not_viewed_after), 1), else_=0)),
                   func.max(VisitEvent.at))
            .select_from(VisitEvent).outerjoin(last_view, last_view.c.visit == VisitEvent.visit)
            .where(VisitEvent.kind == "search", VisitEvent.search_query.is_not(None),
                   *_in(start, end, screen_id))
            .group_by(key))


def search_rows(session: Session, start: datetime, end: datetime, screen_id: int | None = None) -> list[SearchRow]:
    """The rows of :func:`search_statement`."""
    return [SearchRow(query=shown, searches=int(n), avg_results=float(avg) if avg is not None else None,
                      linked=int(lk or 0), followed=int(fl or 0), zero=int(zr or 0), poor=int(pr or 0),
                      last_seen=last)
            for _, shown, n, avg, lk, fl, zr, pr, last in session.execute(search_statement(start, end, screen_id))]


def _names(session: Session, refs: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for kind, model in (("guide", Guide), ("bundle", Bundle)):
        codes = sorted(code for k, code in refs if k == kind)
        for i in range(0, len(codes), 500):
            for code, name in session.execute(select(model.code, model.name).where(model.code.in_(codes[i:i + 500]))):
                out[(kind, code)] = name
    return out


def view_rows(session: Session, period: Period, start: datetime, end: datetime,
              screen_id: int | None = None) -> list[ViewRow]:
    """Views of each guide and bundle: kiosk ``guide_view`` / ``bundle_view`` events, and the
    phone pages counted per local day. Phone views belong to no kiosk, so with ``screen_id``
    they are ``None`` (not zero: they are unknown, not absent)."""
    rows: dict[tuple[str, str], ViewRow] = {}
    for kind, ref, n in session.execute(
            select(VisitEvent.kind, VisitEvent.ref, func.count(VisitEvent.id))
            .where(VisitEvent.kind.in_(VIEW_KINDS), VisitEvent.ref.is_not(None), *_in(start, end, screen_id))
            .group_by(VisitEvent.kind, VisitEvent.ref)):
        key = ("guide" if kind == "guide_view" else "bundle", ref)
        rows.setdefault(key, ViewRow(*key, name=ref, phone=None if screen_id else 0)).kiosk += int(n)
    if screen_id is None:
        for ref, n in session.execute(
                select(GuideViewCount.ref, func.sum(GuideViewCount.count))
                .where(GuideViewCount.day >= period.first, GuideViewCount.day <= period.last)
                .group_by(GuideViewCount.ref)):
            kind, _, code = ref.partition(":")
            if kind in ("guide", "bundle") and code:
                row = rows.setdefault((kind, code), ViewRow(kind, code, name=code))
                row.phone = (row.phone or 0) + int(n or 0)
    names = _names(session, set(rows))
    for key, row in rows.items():
        row.name = names.get(key, row.code)
    return sorted(rows.values(), key=lambda r: (-r.total, -r.kiosk, r.name, r.code))


def rating_rows(session: Session, start: datetime, end: datetime,
                screen_id: int | None = None) -> list[RatingRow]:
    """Ratings per guide (and per bundle, and those given for no item), most rated first."""
    where = [Evaluation.rated_at >= start, Evaluation.rated_at < end]
    if screen_id is not None:
        where.append(Evaluation.screen_id == screen_id)
    stmt = (select(Evaluation.guide_id, Evaluation.bundle_id, Guide.code, Guide.name, Bundle.code, Bundle.name,
                   func.count(Evaluation.id), func.avg(Evaluation.level),
                   func.sum(case((Evaluation.level >= 3, 1), else_=0)),
                   func.sum(case((Evaluation.level <= 2, 1), else_=0)))
            .select_from(Evaluation)
            .outerjoin(Guide, Guide.id == Evaluation.guide_id).outerjoin(Bundle, Bundle.id == Evaluation.bundle_id)
            .where(*where)
            .group_by(Evaluation.guide_id, Evaluation.bundle_id, Guide.code, Guide.name, Bundle.code, Bundle.name))
    out = []
    for guide_id, bundle_id, g_code, g_name, b_code, b_name, n, avg, good, bad in session.execute(stmt):
        if guide_id is not None:
            kind, code, name = "guide", g_code or "", g_name or "（已删除的事项）"
        elif bundle_id is not None:
            kind, code, name = "bundle", b_code or "", b_name or "（已删除的一件事）"
        else:
            kind, code, name = "none", "", "未指明事项（整体评价）"
        out.append(RatingRow(kind, code, name, int(n), float(avg or 0), int(good or 0), int(bad or 0)))
    return sorted(out, key=lambda r: (-r.count, r.kind == "none", r.name))


def _day_index(column: Any, starts: list[datetime]) -> Any:
    """Which local day of the period an instant falls in (0-based), as SQL: local midnight is
    not a fixed UTC offset everywhere (summer time), so the day boundaries are passed in."""
    whens = [(column < s, literal_column(str(i))) for i, s in enumerate(starts[1:-1])]
    return case(*(whens or [(column < starts[-1], literal_column("0"))]),
                else_=literal_column(str(len(starts) - 2)))


def series(session: Session, period: Period, tz: tzinfo, screen_id: int | None = None) -> list[DayPoint]:
    """Per local day: searches, zero-result searches and views (kiosk + phone). Grouped over a
    subquery, so the day expression (with its bound boundaries) is written once."""
    days = period.days
    starts = [day_start(d, tz) for d in days] + [day_start(period.last + timedelta(days=1), tz)]
    events = (select(_day_index(VisitEvent.at, starts).label("day"), VisitEvent.kind.label("kind"),
                     VisitEvent.results.label("results"))
              .where(VisitEvent.kind.in_(("search", *VIEW_KINDS)), *_in(starts[0], starts[-1], screen_id))
              .subquery())
    is_search = events.c.kind == "search"
    counts = {i: [0, 0, 0] for i in range(len(days))}
    for i, searches, zero, views in session.execute(
            select(events.c.day, func.sum(case((is_search, 1), else_=0)),
                   func.sum(case((and_(is_search, events.c.results == 0), 1), else_=0)),
                   func.sum(case((events.c.kind.in_(VIEW_KINDS), 1), else_=0)))
            .group_by(events.c.day)):
        counts[int(i)] = [int(searches or 0), int(zero or 0), int(views or 0)]
    if screen_id is None:
        by_day = {d: i for i, d in enumerate(days)}
        for day, n in session.execute(
                select(GuideViewCount.day, func.sum(GuideViewCount.count))
                .where(GuideViewCount.day >= period.first, GuideViewCount.day <= period.last)
                .group_by(GuideViewCount.day)):
            counts[by_day[day]][2] += int(n or 0)
    return [DayPoint(d, *counts[i]) for i, d in enumerate(days)]


def visits(session: Session, start: datetime, end: datetime, screen_id: int | None = None) -> int:
    return int(session.scalar(
        select(func.count(func.distinct(VisitEvent.visit)))
        .where(VisitEvent.kind == "visit_start", VisitEvent.visit != "", *_in(start, end, screen_id))) or 0)


def demand(session: Session, period: Period, tz: tzinfo, *, screen_id: int | None = None,
           limit: int = 20, unmet_limit: int = 50, suggest: Suggest | None = None) -> Demand:
    """Everything the demand page and the monthly report show. ``suggest`` (usually
    :func:`engine_suggestions`) fills the unmet rows' current best answers."""
    start, end = period.bounds(tz)
    rows = search_rows(session, start, end, screen_id)
    views = view_rows(session, period, start, end, screen_id)
    ratings = rating_rows(session, start, end, screen_id)
    summary = Summary(
        visits=visits(session, start, end, screen_id), searches=sum(r.searches for r in rows), queries=len(rows),
        zero=sum(r.zero for r in rows), poor=sum(r.poor for r in rows), linked=sum(r.linked for r in rows),
        followed=sum(r.followed for r in rows), kiosk_views=sum(v.kiosk for v in views),
        phone_views=None if screen_id else sum(v.phone or 0 for v in views),
        ratings=sum(r.count for r in ratings), good=sum(r.good for r in ratings), bad=sum(r.bad for r in ratings))
    if summary.ratings:
        summary.average = sum(r.average * r.count for r in ratings) / summary.ratings
    top = sorted(rows, key=lambda r: (-r.searches, -r.last_seen.timestamp(), r.query))[:limit]
    unmet = sorted((r for r in rows if r.unmet), key=lambda r: (-r.unmet, -r.zero, -r.last_seen.timestamp(),
                                                                 r.query))[:unmet_limit]
    if suggest is not None:
        for row in unmet:
            row.suggestions = suggest(row.query)
    return Demand(period, screen_id, summary, top, unmet, views[:limit], ratings, series(session, period, tz, screen_id))
