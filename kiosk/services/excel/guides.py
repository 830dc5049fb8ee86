"""办事指南 from a workbook: the same rules as the guide form, then the review workflow.

Each row is turned into the strings the edit form would post and checked by
:func:`kiosk.services.review_validate.guide_snapshot`, so a file and the form accept and
refuse exactly the same values, with the same Chinese messages. Applying never writes a live
guide: each new or changed guide becomes a version submitted for review by the importer
(``review.save_draft`` + ``review.submit``), so a second person approves it before any
screen shows it. Rows equal to the live guide are skipped, and so are rows equal to a version
the same person has already submitted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...models import AuditLog, Guide
from .. import review
from ..review_apply import snapshot_of
from ..review_validate import GUIDE_LABELS, guide_snapshot, split_list, to_json
from .columns import GUIDES, MATERIALS, NO, YES
from .outcome import Outcome
from .reader import SheetRows
from .refs import Departments

Progress = Callable[[int, int], None]
TRUE_WORDS = (YES, "Y", "y", "yes", "Yes", "YES", "TRUE", "true", "1")
FALSE_WORDS = ("", NO, "N", "n", "no", "No", "NO", "FALSE", "false", "0")


def _live_guides(session: Session) -> dict[str, Guide]:
    stmt = select(Guide).options(selectinload(Guide.materials), selectinload(Guide.department))
    return {g.code: g for g in session.scalars(stmt)}


def _materials_by_code(out: Outcome, rows: SheetRows) -> dict[str, list[tuple[int, dict[str, str]]]]:
    grouped: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for number, raw in rows.rows:
        code = raw["code"].strip()
        if not code:
            out.error(MATERIALS.name, number, MATERIALS.column("code").header, "请填写这份材料所属指南的实施编码")
            continue
        grouped.setdefault(code, []).append((number, raw))
    return grouped


def _form_for(raw: dict[str, str], materials: list[tuple[int, dict[str, str]]],
              live: Guide | None) -> dict[str, Any]:
    """The row as the edit form would post it (materials keep their stored attachments)."""
    form: dict[str, Any] = dict(raw)
    form["audience"] = split_list(raw["audience"])
    form["online"] = "1" if raw["online"].strip() in TRUE_WORDS else ""
    attachments = {m.name: m for m in live.materials} if live is not None else {}
    form["materials"] = []
    for _, m in materials:
        kept = attachments.get(m["name"].strip())
        form["materials"].append({**m, "blank_form": kept.blank_form if kept else None,
                                  "sample_form": kept.sample_form if kept else None})
    return form


def _report(out: Outcome, row: int, materials: list[tuple[int, dict[str, str]]], errors: dict[str, str]) -> None:
    """guide_snapshot's error keys (``name``, ``materials.2.form``) as sheet/row/column."""
    for key, message in errors.items():
        if key.startswith("materials."):
            _, n, field = key.split(".", 2)
            number = materials[int(n) - 1][0]
            out.error(MATERIALS.name, number, MATERIALS.column(field).header, message)
        else:
            header = next((c.header for c in GUIDES.columns if c.key == key), key)
            out.error(GUIDES.name, row, header, message)


def check(session: Session, sheets: Sequence[SheetRows], tz: tzinfo, actor: str,
          progress: Progress | None = None) -> Outcome:
    """Every error of the file (nothing is written), or the planned change of every row."""
    out = Outcome("guides")
    guide_rows, material_rows = sheets
    depts = Departments(session)
    codes = set(depts.by_code)
    materials = _materials_by_code(out, material_rows)
    live = _live_guides(session)
    open_versions: dict[str, list] = {}
    for v in review.pending(session, "guide"):
        open_versions.setdefault(v.object_key, []).append(v)
    seen: dict[str, int] = {}
    total = len(guide_rows.rows)
    for index, (row, raw) in enumerate(guide_rows.rows, start=1):
        if progress is not None and index % 50 == 0:
            progress(index, total)
        code = raw["code"].strip()
        if code in seen:
            out.error(GUIDES.name, row, GUIDES.column("code").header, f"实施编码与第 {seen[code]} 行重复")
            continue
        if code:
            seen[code] = row
        mats = materials.get(code, [])
        form = _form_for(raw, mats, live.get(code))
        dept, dept_error = depts.resolve(raw["department"])
        form["department"] = dept or ""
        errors: dict[str, str] = {}
        if dept_error:
            errors["department"] = dept_error
        if raw["online"].strip() not in TRUE_WORDS + FALSE_WORDS:
            errors["online"] = f"应填“{YES}”或“{NO}”"
        snap, more = guide_snapshot(form, tz, codes)
        for key, message in more.items():
            errors.setdefault(key, message)
        if errors:
            _report(out, row, mats, errors)
            continue
        _plan(out, row, to_json(snap), live.get(code), open_versions.get(code, []), actor)
    for code, mats in materials.items():
        if code not in seen:
            for number, _ in mats:
                out.error(MATERIALS.name, number, MATERIALS.column("code").header,
                          f"“{GUIDES.name}”表中没有实施编码为“{code}”的指南")
    out.errors.sort(key=lambda e: (e.sheet != GUIDES.name, e.row or 0))
    return out


def _norm(value: Any) -> Any:
    """Empty text, empty list and None all mean "not filled in"."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    return value


def changed_fields(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """Labels of the fields that differ (every material field counts, attachments too)."""
    old = old or {}
    return [label for key, label in GUIDE_LABELS.items() if _norm(old.get(key)) != _norm(new.get(key))]


def _plan(out: Outcome, row: int, data: dict[str, Any], live: Guide | None, open_versions: list,
          actor: str) -> None:
    base = snapshot_of(live, "guide") if live is not None else None
    changes = changed_fields(base, data)
    item = {"row": row, "key": data["code"], "label": data["name"], "data": data, "changes": changes}
    mine = [v for v in open_versions if v.author == actor and v.state in ("submitted", "approved")]
    if base is not None and not changes:
        item["action"] = "unchanged"
    elif any(not changed_fields(v.data, data) for v in mine):
        item["action"] = "pending"
    elif base is None:
        others = [v for v in open_versions if v.author != actor]
        if others:
            out.error(GUIDES.name, row, GUIDES.column("code").header,
                      f"该实施编码已被 {others[0].author} 的另一份待审核新建指南使用，请换一个或等待审核结束")
            return
        item["action"] = "new"
    else:
        item["action"] = "changed"
    out.items.append(item)


def apply(session: Session, out: Outcome, actor: str, now: datetime, filename: str) -> dict[str, int]:
    """Submit every new or changed guide for review, in the caller's transaction.

    Raises :class:`kiosk.services.review.ReviewError` if the workflow refuses one (the caller
    rolls back: a file is imported completely or not at all).
    """
    if not out.ok:
        raise ValueError("a file with errors cannot be applied")
    for item in out.to_apply():
        v = review.save_draft(session, "guide", item["data"], actor, now, new_item=item["action"] == "new")
        review.submit(session, v, actor, now)
    counts = out.counts
    session.add(AuditLog(actor=actor[:100], action="excel_import", object_type="guide",
                         object_id=filename[-100:], before=None,
                         after={"file": filename, **counts,
                                "submitted": [i["key"] for i in out.to_apply()]}))
    session.flush()
    return counts


def export_rows(session: Session) -> dict[str, list[list[Any]]]:
    """Every live guide in the template's layout (the importer reads it back unchanged)."""
    depts = Departments(session)
    guides, materials = [], []
    for code, guide in sorted(_live_guides(session).items()):
        s = snapshot_of(guide, "guide")
        cells = dict(s, department=depts.shown.get(s["department"], s["department"]),
                     process="\n".join(s["process"] or []), online=YES if s["online"] else NO,
                     audience="、".join(s["audience"] or []), themes="、".join(s["themes"] or []),
                     aliases="、".join(s.get("aliases") or []),
                     faq="\n".join(f"{f['q']} | {f['a']}" for f in s["faq"] or []))
        guides.append([cells[c.key] for c in GUIDES.columns])
        for m in s["materials"]:
            materials.append([code if c.key == "code" else m[c.key] for c in MATERIALS.columns])
    return {GUIDES.name: guides, MATERIALS.name: materials}
