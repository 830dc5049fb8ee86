"""Visit events from a kiosk page: what people looked for, for demand analytics.

The page batches a visit's events and sends them in one request (at the end of the visit,
or every so often); a batch is stored whole or not at all, so a half-broken batch never
leaves a visit with a start and no end. Nothing personal is kept: the visit id is random per
visit, and long digit runs in search words (an ID-card or phone number someone typed into
the search box) are masked before they are stored.

``at`` is the kiosk's own clock, which lets a batch sent late keep the times things
happened; a clock far off (more than two days behind, or in the future) is not trusted and
the server's time is used instead.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ...models import Screen, VisitEvent
from .inputs import TouchInputError, published_bundle, published_guide, visit_id

# what the page may send; ``rating`` events are written by the server with the rating
PAGE_KINDS = ("visit_start", "visit_end", "page_view", "search", "guide_view", "bundle_view",
              "form_view")
END_REASONS = ("idle", "home")
MAX_EVENTS = 200
MAX_QUERY = 100
MAX_RESULTS = 1_000_000
TRUST_PAST = timedelta(days=2)
TRUST_FUTURE = timedelta(minutes=5)
_PAGE = re.compile(r"[a-z][a-z0-9_-]{0,19}")
_LONG_NUMBER = re.compile(r"\d{6,}[0-9Xx]*")


def _at(value: Any, field: str, now: datetime) -> datetime:
    if value is None:
        return now
    try:
        at = datetime.fromisoformat(value) if isinstance(value, str) and len(value) <= 40 else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise TouchInputError(field, "时间应为带时区的 ISO 8601 格式 "
                                     "(at must be an ISO 8601 time with a zone, e.g. …Z)")
    return at if now - TRUST_PAST <= at <= now + TRUST_FUTURE else now


def _query(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TouchInputError(field, "搜索词应为非空文字 (query must be a non-empty string)")
    text = value.strip()
    if len(text) > MAX_QUERY:
        raise TouchInputError(field, f"搜索词最多 {MAX_QUERY} 个字符 (query too long)")
    return _LONG_NUMBER.sub(lambda m: "#" * len(m.group()), text)


def _results(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RESULTS:
        raise TouchInputError(field, "结果数应为不小于 0 的整数 (results must be an integer >= 0)")
    return value


class _Codes:
    """Published guide / bundle codes already checked in this batch: a visit that opens the
    same guide ten times costs one query, not ten."""

    def __init__(self, session: Session):
        self.session, self.known = session, set()

    def guide(self, value: Any, field: str) -> str:
        if not isinstance(value, str) or ("guide", value) not in self.known:
            published_guide(self.session, value, field)
            self.known.add(("guide", value))
        return value

    def bundle(self, value: Any, field: str) -> str:
        if not isinstance(value, str) or ("bundle", value) not in self.known:
            published_bundle(self.session, value, field)
            self.known.add(("bundle", value))
        return value


def _event(codes: _Codes, raw: Any, i: int, screen: Screen, visit: str,
           now: datetime) -> VisitEvent:
    where = f"events[{i}]"
    if not isinstance(raw, dict):
        raise TouchInputError(where, "每个事件应为 JSON 对象 (each event must be an object)")
    kind = raw.get("kind")
    if kind not in PAGE_KINDS:
        raise TouchInputError(f"{where}.kind", f"事件类型应为 {' / '.join(PAGE_KINDS)} "
                                               "(unknown event kind)")
    event = VisitEvent(at=_at(raw.get("at"), f"{where}.at", now), screen_id=screen.id,
                       visit=visit, kind=kind)
    if kind == "page_view":
        page = raw.get("page")
        if not isinstance(page, str) or not _PAGE.fullmatch(page):
            raise TouchInputError(f"{where}.page", "页面名称应为 1 到 20 个小写字母、数字、_ 或 - "
                                                   "(page must be a short lower-case name)")
        event.page = page
    elif kind == "search":
        event.search_query = _query(raw.get("query"), f"{where}.query")
        event.results = _results(raw.get("results"), f"{where}.results")
    elif kind == "guide_view":
        event.ref = codes.guide(raw.get("guide"), f"{where}.guide")
    elif kind == "form_view":
        # a 样表 opened from a guide, or from a bundle's merged material list: ``page`` says
        # which kind of code ``ref`` is
        if raw.get("bundle") is not None and raw.get("guide") is None:
            event.ref, event.page = codes.bundle(raw.get("bundle"), f"{where}.bundle"), "bundle"
        else:
            event.ref, event.page = codes.guide(raw.get("guide"), f"{where}.guide"), "guide"
    elif kind == "bundle_view":
        event.ref = codes.bundle(raw.get("bundle"), f"{where}.bundle")
    elif kind == "visit_end":
        reason = raw.get("reason")
        if reason not in END_REASONS:
            raise TouchInputError(f"{where}.reason", "结束原因应为 idle 或 home "
                                                     "(reason must be idle or home)")
        event.reason = reason
    return event


def record_events(session: Session, screen: Screen, payload: Any, now: datetime) -> int:
    """Validate the body of ``POST …/kiosk/events`` (``{"visit": id, "events": [...]}``) and add
    every event to ``session``; returns how many. The caller commits. The first wrong field
    refuses the whole batch, before anything is added."""
    if not isinstance(payload, dict):
        raise TouchInputError("body", "请求体应为 JSON 对象 (body must be a JSON object)")
    visit = visit_id(payload.get("visit"), required=True)
    raw = payload.get("events")
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_EVENTS:
        raise TouchInputError("events", f"events 应为 1 到 {MAX_EVENTS} 个事件的列表 "
                                        f"(events must be a list of 1-{MAX_EVENTS} events)")
    codes = _Codes(session)
    events = [_event(codes, item, i, screen, visit, now) for i, item in enumerate(raw)]
    session.add_all(events)
    return len(events)
