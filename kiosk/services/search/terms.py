"""The colloquial lexicon as staff see and extend it (the panel's 搜索词库 page).

Two sources, one set of rules: the shipped file (``content/search/lexicon.txt``, changed by a
release, read-only here) and staff's entries (:class:`SearchTerm`). A staff entry is checked
with the file's own parser (:func:`.lexicon.parse`), so an entry the panel accepts is one the
engine uses, and one it refuses gets the message the file's line would get. Entries are
stored in the parser's normal form (``结婚证, 领的证``) so the page shows what the engine reads.

Staff entries change which published guides a query finds, never what a guide says, so they
take effect when an admin or reviewer saves them (no review): the commit marks this
process's engine dirty, and the audit row moves the content stamp other processes watch.
Nothing here commits; the caller does, once (entry and audit row in one transaction).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import AuditLog, SearchTerm
from .engine import Hit
from .lexicon import Entry, LexiconError, lexicon_path, matched_terms, parse

TRY_LIMIT = 5
_PLACEHOLDER = "词"  # a valid term, for checking one side of an entry on its own


@dataclass(frozen=True)
class Row:
    """One entry as the page lists it: from the file (``line``) or from staff (``id``)."""

    left: tuple[str, ...]
    right: tuple[str, ...]
    line: int | None = None
    id: int | None = None
    created_by: str = ""

    @property
    def text(self) -> str:
        return f"{', '.join(self.left)} = {', '.join(self.right)}"

    def matches(self, needle: str) -> bool:
        return needle in self.text.lower()


@dataclass
class FileLexicon:
    """The shipped file: its entries, and why the engine refuses it (None when it does not)."""

    path: Path
    rows: list[Row] = field(default_factory=list)
    error: LexiconError | None = None
    missing: bool = False


def read_file(app: Flask) -> FileLexicon:
    """The file's entries with their line numbers. A refused file (one bad line: the engine
    then leaves the whole file out) still lists its good lines, beside the error."""
    path = lexicon_path(app)
    if not path.is_file():
        return FileLexicon(path, missing=True)
    text = path.read_text(encoding="utf-8")
    try:
        return FileLexicon(path, [_row(e) for e in parse(text)])
    except LexiconError as err:
        rows = []
        for number, line in enumerate(text.splitlines(), 1):
            try:
                rows.extend(Row(e.left, e.right, line=number) for e in parse(line))
            except LexiconError:
                continue
        return FileLexicon(path, rows, err)


def _row(entry: Entry) -> Row:
    return Row(entry.left, entry.right, line=entry.line)


def staff_rows(session: Session) -> list[Row]:
    return [Row(tuple(_split(t.left)), tuple(_split(t.right)), id=t.id, created_by=t.created_by)
            for t in session.scalars(select(SearchTerm).order_by(SearchTerm.id))]


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def filtered(rows: list[Row], needle: str) -> list[Row]:
    needle = needle.strip().lower()
    return [r for r in rows if r.matches(needle)] if needle else rows


# -- staff entries ------------------------------------------------------------------------------
def check(left: str, right: str) -> tuple[Entry | None, dict[str, str]]:
    """The entry ``left = right`` as the file's parser reads it, or the parser's message per
    field (``left`` / ``right``): each side is checked on its own so the message lands next
    to the side that is wrong."""
    errors: dict[str, str] = {}
    sides = {"left": (left or "").strip(), "right": (right or "").strip()}
    for key, value in sides.items():
        if "\n" in value or "\r" in value:
            errors[key] = "只能写一行 (one line only)"
        elif "=" in value:
            errors[key] = "不能含“=”：它在文件里分开左右两边 (no '=' inside a side)"
        elif value.startswith("#"):
            errors[key] = "不能以“#”开头：文件里以“#”开头的行是注释 (a line starting with # is a comment)"
        else:
            line = f"{value} = {_PLACEHOLDER}" if key == "left" else f"{_PLACEHOLDER} = {value}"
            try:
                parse(line)
            except LexiconError as err:
                errors[key] = err.message.replace("“=”左边", "左边").replace("“=”右边", "右边")
    if errors:
        return None, errors
    [entry] = parse(f"{sides['left']} = {sides['right']}")
    return entry, {}


def _json(term: SearchTerm) -> dict[str, Any]:
    return {"left": term.left, "right": term.right}


def add(session: Session, entry: Entry, actor: str) -> SearchTerm:
    term = SearchTerm(left=", ".join(entry.left), right=", ".join(entry.right), created_by=actor[:100])
    session.add(term)
    session.flush()
    session.add(AuditLog(actor=actor[:100], action="search_term_add", object_type="search_term",
                         object_id=str(term.id), after=_json(term)))
    return term


def edit(session: Session, term: SearchTerm, entry: Entry, actor: str) -> bool:
    """Change ``term``; False (and no audit row) when nothing changed."""
    before = _json(term)
    term.left, term.right = ", ".join(entry.left), ", ".join(entry.right)
    if _json(term) == before:
        return False
    session.add(AuditLog(actor=actor[:100], action="search_term_edit", object_type="search_term",
                         object_id=str(term.id), before=before, after=_json(term)))
    return True


def delete(session: Session, term: SearchTerm, actor: str) -> None:
    session.add(AuditLog(actor=actor[:100], action="search_term_delete", object_type="search_term",
                         object_id=str(term.id), before=_json(term)))
    session.delete(term)


# -- 试一试 -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Trial:
    hits: list[Hit]
    matches: list[tuple[str, list[Row]]]  # a left term of the query, and the entries giving it


def try_query(app: Flask, session: Session, query: str, rows: list[Row]) -> Trial:
    """What every kiosk and phone search answers to ``query`` now (the top :data:`TRY_LIMIT`),
    and which lexicon entries (of ``rows``: the file's and staff's) its words brought in."""
    from . import get_engine

    engine = get_engine(app)
    hits = engine.search(session, query, limit=TRY_LIMIT)
    engine.ensure_fresh(session)  # also for a query that found nothing: the current lexicon
    matches = [(term, [r for r in rows if term in r.left]) for term in matched_terms(engine.lexicon, query)]
    return Trial(hits, matches)
