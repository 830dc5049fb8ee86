"""Closing the demand loop: a search citizens made that found nothing useful becomes an alias
(事项俗称) of the guide it meant.

An alias changes what a published guide is found by, so it is a change of the guide like any
other: it goes into a version that is submitted for review (源头审核) and reaches the search
only when a reviewer approves it — the search indexes live guides, never drafts. The draft
is the author's open draft when there is one (so an editor's unfinished changes are not
lost, and are submitted with it), else a new version of the live guide. Nothing here
commits: the caller commits once, with the audit rows ``review.save_draft`` / ``submit``
write.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import PUBLISHED, ContentVersion, Guide
from .. import review
from ..importer.parsers import MAX_ALIAS
from ..review_apply import live_row, snapshot_of
from ..review_validate import to_json
from ..search import normalise

# the guide form splits its 事项俗称 field at these, so an alias must not contain one
_SEPARATORS = re.compile(r"[,，、;；\n\r]")
_MASKED = "######"  # long digit runs are stored masked (services/touch/visits.py)


class MappingError(Exception):
    """Why a search cannot be mapped; ``field`` is ``query`` or ``guide``, ``message`` is for
    staff, in Chinese."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def check_alias(query: str) -> str:
    """The query as an alias, or :class:`MappingError` saying why it cannot be one."""
    alias = (query or "").strip()
    if not alias:
        raise MappingError("query", "搜索词为空，无法关联")
    if len(alias) > MAX_ALIAS:
        raise MappingError("query", f"搜索词有 {len(alias)} 个字，事项俗称最多 {MAX_ALIAS} 个字，无法关联")
    if _SEPARATORS.search(alias):
        raise MappingError("query", "搜索词含有逗号、顿号或分号，而事项俗称以这些符号分隔，无法原样关联")
    if _MASKED in alias:
        raise MappingError("query", "搜索词中的长串数字已被隐去（######），不能作为事项俗称")
    if not normalise(alias):
        raise MappingError("query", "搜索词中没有可搜索的文字或数字，无法关联")
    return alias


def _has(aliases: list[str] | None, alias: str) -> bool:
    key = normalise(alias)
    return any(normalise(a) == key for a in aliases or ())


def pending_with(session: Session, guide_code: str, alias: str) -> ContentVersion | None:
    """A version of the guide waiting for review (or for its 生效时间) that adds ``alias``."""
    for v in review.versions(session, "guide", guide_code):
        if v.state in ("submitted", "approved") and _has(v.data.get("aliases"), alias):
            return v
    return None


def map_search_to_guide(session: Session, query: str, guide_code: str, author: str, now: datetime) -> ContentVersion:
    """Add ``query`` to the aliases of the published guide ``guide_code`` in the author's open
    draft (or a new one based on the live guide) and submit it for review; returns the
    submitted version. Raises :class:`MappingError` when the guide is not published, the
    query cannot be an alias or the guide already has it (live or waiting for review)."""
    alias = check_alias(query)
    guide = session.scalar(select(Guide).where(Guide.code == (guide_code or "")))
    if guide is None:
        raise MappingError("guide", "请选择一个已发布的办事指南")
    if guide.status != PUBLISHED:
        raise MappingError("guide", f"《{guide.name}》目前未发布，搜索不会显示它，不能关联")
    if _has(guide.aliases, alias):
        raise MappingError("guide", f"“{alias}”已经是《{guide.name}》的事项俗称，搜索已能找到它")
    waiting = pending_with(session, guide.code, alias)
    if waiting is not None:
        raise MappingError("guide", f"“{alias}”已在《{guide.name}》待审核的修改（第 {waiting.number} 版）中，"
                                    "审核通过后搜索即可找到，无需再次关联")
    draft = review.open_draft(session, "guide", guide.code, author)
    data = dict(draft.data) if draft is not None else to_json(snapshot_of(live_row(session, "guide", guide.code),
                                                                          "guide"))
    aliases = list(data.get("aliases") or [])
    if not _has(aliases, alias):
        aliases.append(alias)
    data["aliases"] = aliases
    try:
        v = review.save_draft(session, "guide", data, author, now)
        review.submit(session, v, author, now)
    except review.ReviewError as err:
        raise MappingError("guide", err.message) from err
    return v
