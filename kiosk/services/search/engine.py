"""The search engine of one process: the index of every published guide and bundle, kept in
step with the database, and the ranking.

Every process builds its own index from the database (a few seconds for thousands of guides)
and keeps it current incrementally, so SQLite and PostgreSQL give the same results and no
search server is needed:

- a write in this process marks the engine dirty at commit (``watch_writes``), so the next
  search sees it;
- a write by another process moves the content stamp (every content write is audited),
  checked at most every :data:`CHECK_SECONDS`;
- every :data:`FINGERPRINT_SECONDS` the rows are compared anyway, for writes nobody audited.

A sync compares a fingerprint per guide and bundle (its row, its department, its materials,
its members) and re-indexes only what moved: no full rebuild per edit.

Ranking: BM25 relevance (name and aliases over themes and department over materials and FAQ),
then demand (views in the last 30 days), then name and id, so equal scores keep their order.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session, selectinload

from ...models import (
    PUBLISHED,
    Bundle,
    BundleGuide,
    Department,
    Guide,
    Material,
    SearchTerm,
    utcnow,
)
from ..demand.views import views_by_ref
from .analysis import Analyzer, DocText
from .index import Index
from .lexicon import Entry, Lexicon, LexiconError, lexicon_path, parse
from .query import Planner

log = logging.getLogger(__name__)

CHECK_SECONDS = 1.0  # how often the content stamp is looked at
FINGERPRINT_SECONDS = 60.0  # how often rows are compared even when the stamp did not move
DEMAND_SECONDS = 300.0  # how often views of the last 30 days are recounted
CANDIDATES = 40  # documents scored by the index before demand and ties order them
CUTOFF = 0.12  # a hit scoring below this share of the best one is noise, not an answer


@dataclass(frozen=True)
class Hit:
    kind: str  # guide | bundle
    id: int
    code: str
    name: str
    score: float
    views: int
    summary: dict[str, Any] = field(compare=False, hash=False)

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.code}"


class SearchEngine:
    def __init__(self, app: Flask):
        self.app = app
        self._lock = threading.RLock()
        self._built = False
        self._dirty = True
        self._checked = 0.0
        self._fingerprinted = 0.0
        self._stamp: object = None
        self._prints: dict[str, tuple] = {}
        self._summaries: dict[str, dict[str, Any]] = {}
        self._views: dict[str, int] = {}
        self._views_at = 0.0
        self._lexicon_key = ""
        self._file_key = ""
        self.lexicon_error: str | None = None
        self.index = Index()
        self.analyzer = Analyzer()
        self.lexicon = Lexicon()
        self.planner = Planner(self.analyzer, self.index, self.lexicon)
        self.build_seconds: float | None = None

    # -- keeping in step -----------------------------------------------------------------
    def mark_dirty(self) -> None:
        self._dirty = True

    def ensure_fresh(self, session: Session) -> None:
        now = time.monotonic()
        if not self._dirty and now - self._checked < CHECK_SECONDS:
            return
        with self._lock:
            now = time.monotonic()
            self._checked = now
            from ..publish import content_stamp

            stamp = content_stamp(session)
            if (self._dirty or not self._built or stamp != self._stamp
                    or now - self._fingerprinted >= FINGERPRINT_SECONDS):
                self._dirty = False
                self._stamp = stamp
                self._fingerprinted = now
                self._sync(session)
            if now - self._views_at >= DEMAND_SECONDS or not self._built:
                self._views = views_by_ref(session, utcnow())
                self._views_at = now
            self._built = True

    def refresh_demand(self, session: Session) -> None:
        with self._lock:
            self._views = views_by_ref(session, utcnow())
            self._views_at = time.monotonic()

    def _sync(self, caller: Session) -> None:
        # a session of its own: the thousands of rows read here must not stay in the caller's
        # identity map (a request's, or a long-lived one's) after they are indexed
        with Session(bind=caller.get_bind()) as session:
            self._sync_with(session)

    def _sync_with(self, session: Session) -> None:
        started = time.perf_counter()
        rebuilt = self._load_lexicon(session)
        prints = _fingerprints(session)
        stale = [k for k, p in prints.items() if rebuilt or self._prints.get(k) != p]
        gone = [k for k in self._prints if k not in prints]
        for key in gone:
            self.index.delete(key)
            self._summaries.pop(key, None)
        guide_ids = [int(k.split(":")[1]) for k in stale if k.startswith("guide:")]
        bundle_ids = [int(k.split(":")[1]) for k in stale if k.startswith("bundle:")]
        for chunk in _chunks(guide_ids, 500):
            for g in session.scalars(select(Guide).where(Guide.id.in_(chunk)).options(
                    selectinload(Guide.materials), selectinload(Guide.department))):
                self._put_guide(g)
        for chunk in _chunks(bundle_ids, 500):
            for b in session.scalars(select(Bundle).where(Bundle.id.in_(chunk)).options(
                    selectinload(Bundle.links).selectinload(BundleGuide.guide).selectinload(Guide.materials))):
                self._put_bundle(b)
        if stale or gone or not self._built:
            self.index.commit()
        self._prints = prints
        if stale or gone:
            seconds = time.perf_counter() - started
            if not self._built:
                self.build_seconds = seconds
            log.info("search index: %d document(s) indexed, %d removed in %.2f s", len(stale), len(gone), seconds)

    def _load_lexicon(self, session: Session) -> bool:
        """(Re)load the lexicon: the shipped file and staff's entries. Staff's entries only
        change how queries are read; the file also gives the segmenter its dictionary, so a
        changed file (a release, rare) means a full rebuild — returns True then."""
        path = lexicon_path(self.app)
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        staff = session.execute(select(SearchTerm.id, SearchTerm.left, SearchTerm.right).order_by(SearchTerm.id)).all()
        key = hashlib.sha256(repr((text, staff)).encode("utf-8")).hexdigest()
        if key == self._lexicon_key:
            return False
        self._lexicon_key = key
        shipped: list[Entry] = []
        try:
            shipped = parse(text)
            self.lexicon_error = None
        except LexiconError as err:
            # one bad line must not take search down: the file is left out until it is fixed
            self.lexicon_error = f"{path}: {err}"
            log.error("search lexicon not used: %s", self.lexicon_error)
        entries = list(shipped)
        for row in staff:
            try:
                entries.extend(parse(f"{row.left} = {row.right}"))
            except LexiconError as err:
                log.error("search lexicon entry #%s not used: %s", row.id, err)
        self.lexicon = Lexicon.build(entries)
        self.planner.lexicon = self.lexicon
        file_key = hashlib.sha256(text.encode("utf-8") if self.lexicon_error is None else b"").hexdigest()
        if file_key == self._file_key and self._built:
            return False
        self._file_key = file_key
        # official terms stay whole words (个体工商户); colloquial phrases do not (结婚证丢了 is
        # two concepts), only the short ones (公租房, 结婚证); and the catalogue's own names
        words = {t for e in shipped for t in e.right} | {t for e in shipped for t in e.left if len(t) <= 3}
        words |= set(session.scalars(select(Department.short_name)).all()) - {None}
        for themes in session.scalars(select(Guide.themes)):  # (JSON: no DISTINCT on PostgreSQL)
            words |= set(themes or ())
        self.analyzer = Analyzer(words)
        self.index = Index()
        self._summaries = {}
        self.planner = Planner(self.analyzer, self.index, self.lexicon)
        return True

    def _put_guide(self, g: Guide) -> None:
        key = f"guide:{g.id}"
        if g.status != PUBLISHED:
            self.index.delete(key)
            self._summaries.pop(key, None)
            return
        dept = g.department
        body = [g.conditions or "", *(m.name for m in g.materials), *(m.note or "" for m in g.materials),
                *(g.process or []), *(f.get("q", "") for f in g.faq or []), *(f.get("a", "") for f in g.faq or [])]
        text = DocText(name=g.name, aliases=tuple(g.aliases or ()),
                       meta=(*(g.themes or ()), dept.name if dept else "", (dept.short_name or "") if dept else "",
                             g.item_type or ""),
                       body=tuple(b for b in body if b))
        self.index.put(key, self.analyzer.document(text))
        self._summaries[key] = {
            "kind": "guide", "id": g.id, "code": g.code, "name": g.name,
            "department": dept.name if dept else "", "department_short": (dept.short_name or dept.name) if dept else "",
            "item_type": g.item_type, "case_type": g.case_type, "online": g.online, "themes": list(g.themes or []),
            "promised_limit_days": g.promised_limit_days,
        }

    def _put_bundle(self, b: Bundle) -> None:
        key = f"bundle:{b.id}"
        members = [g for g in b.guides if g.status == PUBLISHED]
        if b.status != PUBLISHED:
            self.index.delete(key)
            self._summaries.pop(key, None)
            return
        text = DocText(name=b.name, meta=("一件事", *(g.name for g in members)),
                       body=(b.description or "", *(m.name for g in members for m in g.materials)))
        self.index.put(key, self.analyzer.document(text))
        self._summaries[key] = {
            "kind": "bundle", "id": b.id, "code": b.code, "name": b.name, "description": b.description,
            "guide_count": len(members), "promised_limit_days": b.promised_limit_days, "visits": b.visits,
            "window": b.window,
        }

    # -- searching -----------------------------------------------------------------------
    def search(self, session: Session, query: str, *, limit: int = 20,
               kinds: tuple[str, ...] = ("guide", "bundle")) -> list[Hit]:
        if limit <= 0 or not isinstance(query, str):
            return []
        self.ensure_fresh(session)
        scored = self.index.search(self.planner.plan(query), max(CANDIDATES, limit))
        scored = [(s, k) for s, k in scored if k.split(":")[0] in kinds and k in self._summaries]
        if not scored:
            return []
        top = max(s for s, _ in scored)
        hits = []
        for score, key in scored:
            if score < top * CUTOFF:
                continue
            summary = self._summaries[key]
            ref = f"{summary['kind']}:{summary['code']}"
            hits.append(Hit(summary["kind"], summary["id"], summary["code"], summary["name"],
                            round(score, 4), self._views.get(ref, 0), summary))
        hits.sort(key=lambda h: (-h.score, -h.views, h.name, h.kind, h.id))
        return hits[:limit]


def _chunks(items: list[int], size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _fingerprints(session: Session) -> dict[str, tuple]:
    """What a document's index terms depend on, per guide and bundle, in a few queries."""
    # timestamps as the database's text: comparing them needs no datetime objects
    depts = dict(session.execute(select(Department.id, cast(Department.updated_at, String))).all())
    mats = {gid: (n, top) for gid, n, top in session.execute(
        select(Material.guide_id, func.count(Material.id), func.max(Material.id)).group_by(Material.guide_id))}
    prints: dict[str, tuple] = {}
    guide_prints: dict[int, tuple] = {}
    for gid, status, updated, dept in session.execute(
            select(Guide.id, Guide.status, cast(Guide.updated_at, String), Guide.department_id)):
        fp = (status, updated, depts.get(dept), mats.get(gid))
        guide_prints[gid] = fp
        if status == PUBLISHED:
            prints[f"guide:{gid}"] = fp
    members: dict[int, list[tuple]] = {}
    for bid, gid, pos in session.execute(select(BundleGuide.bundle_id, BundleGuide.guide_id, BundleGuide.position)):
        members.setdefault(bid, []).append((pos, gid, guide_prints.get(gid)))
    for bid, status, updated in session.execute(select(Bundle.id, Bundle.status, cast(Bundle.updated_at, String))):
        if status == PUBLISHED:
            prints[f"bundle:{bid}"] = (updated, tuple(sorted(members.get(bid, []), key=lambda m: m[0])))
    return prints
