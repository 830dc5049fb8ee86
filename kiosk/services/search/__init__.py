"""Search for citizens' words over guides and 一件事 bundles (docs/search.md).

One service function, :func:`search`, answers the API (``GET /api/v1/guides?q=`` for guides,
``GET /api/v1/search?q=`` for guides and bundles), the kiosk and the phone. Modules:

- ``text``      normalising, pinyin and initials (also the staff panel's index string)
- ``lexicon``   the colloquial lexicon (file + staff's entries)
- ``analysis``  segmentation (jieba-rs) and the terms of a document
- ``index``     the Tantivy index and what is known of its vocabulary
- ``query``     from a query to weighted clauses (lexicon, same-sound, prefix, typo, split)
- ``engine``    one engine per process: in step with the database, ranking with demand
Demand (views of the last 30 days) comes from ``services/demand``.
"""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ...extensions import db
from .engine import Hit, SearchEngine
from .text import forms_of, guide_search_text, normalise, search_text_for

__all__ = ["Hit", "SearchEngine", "forms_of", "get_engine", "guide_search_text", "normalise", "search",
           "search_guides", "search_text_for"]

EXTENSION = "kiosk.search"
_WATCHED = (  # rows whose commit may change what a search finds
    "Guide", "Material", "Bundle", "BundleGuide", "Department", "SearchTerm",
)


def get_engine(app: Flask | None = None) -> SearchEngine:
    app = app or current_app._get_current_object()
    engine = app.extensions.get(EXTENSION)
    if engine is None:
        engine = app.extensions[EXTENSION] = SearchEngine(app)
    return engine


def search(query: str, *, limit: int = 20, kinds: tuple[str, ...] = ("guide", "bundle"),
           session: Session | None = None) -> list[Hit]:
    """Published guides and bundles for what a citizen typed, best first; never raises for
    what was typed (any length, any characters); an empty or meaningless query finds nothing."""
    return get_engine().search(session if session is not None else db.session, query, limit=limit, kinds=kinds)


def search_guides(query: str, *, limit: int = 20, session: Session | None = None) -> list[Hit]:
    return search(query, limit=limit, kinds=("guide",), session=session)


@event.listens_for(Session, "after_flush")
def _note_writes(session: Session, _context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if type(obj).__name__ in _WATCHED:
            session.info["kiosk.search.dirty"] = True
            return


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop("kiosk.search.dirty", None)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop("kiosk.search.dirty", False):
        try:
            app = current_app._get_current_object()
        except RuntimeError:  # a commit outside an app context (scripts)
            return
        engine = app.extensions.get(EXTENSION)
        if engine is not None:
            engine.mark_dirty()
