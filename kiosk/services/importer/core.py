"""``import_path``: read, validate, then write a content folder in one transaction."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from ... import models as m
from ...extensions import db
from ..review_attachments import StagedUploads
from .attachments import Attachments
from .disclosure import check_playlist_reports, parse_disclosure
from .loader import SourceFile, discover, load_csv, load_json, load_yaml
from .parsers import (
    EVALUATION_COLUMNS,
    parse_bundles,
    parse_departments,
    parse_evaluations,
    parse_guides,
    parse_notices,
    parse_ticker,
)
from .plan import Context, Plan
from .screens import parse_screens
from .summary import ImportSummary
from .writer import Writer

DEFAULT_TIMEZONE = "Asia/Shanghai"

_YAML_PARSERS = {
    "departments": parse_departments,
    "guides": parse_guides,
    "bundles": parse_bundles,
    "notices": parse_notices,
    "ticker": parse_ticker,
    "screens": parse_screens,
}


def import_path(
    path: Path | str,
    *,
    actor: str = "cli",
    session: Session | None = None,
    tz: str | tzinfo | None = None,
    data_dir: Path | str | None = None,
) -> ImportSummary:
    """Import a content folder (or one file) as described in ``docs/content-format.md``.

    Everything is validated before the first write, and all writes plus one ``AuditLog`` row are
    committed together; on any error the session is rolled back, so either the whole folder is
    stored or nothing is. Records are upserted by natural key, so importing the same folder
    again changes nothing. Raises :class:`ImportFailure` for invalid content.

    ``session`` defaults to Flask-SQLAlchemy's ``db.session`` (needs an app context); ``tz``
    defaults to the app's ``TIMEZONE`` setting, else Asia/Shanghai, and is the zone in which the
    files' datetimes are read.

    Materials' 空表 / 样表 files are copied into the upload store of ``data_dir`` (default: the
    app's ``DATA_DIR``) under their content hash, staged until the commit and deleted on any
    failure, so a refused import leaves no file behind and a repeated one finds the same names.
    """
    session = session if session is not None else db.session
    source = Path(path)
    staged = StagedUploads(data_dir if data_dir is not None else current_app.config["DATA_DIR"])
    try:
        root, files, skipped = discover(source)
        ctx = Context(root=root, tz=_zone(tz), files=Attachments(root, staged))
        plan = Plan()
        for file in files:
            _parse(file, ctx, plan)
        plan.check_refs(session)
        _check_disclosure_pairs(plan, session)
        summary = ImportSummary(source=str(source), files=[f.rel for f in files], skipped=skipped)
        Writer(session, plan, summary, actor=actor[:100]).write()
        # after the writes: an import can itself clear a report's override (new figures)
        check_playlist_reports(plan, session)
        session.add(
            m.AuditLog(
                actor=actor[:100],
                action="import",
                object_type="content",
                object_id=str(source)[-100:],
                after=summary.as_dict(),
            )
        )
        session.commit()
    except BaseException:
        session.rollback()
        staged.discard()
        raise
    staged.keep()
    return summary


def _zone(tz: str | tzinfo | None) -> tzinfo:
    if isinstance(tz, tzinfo):
        return tz
    if tz is None and has_app_context():
        tz = current_app.config.get("TIMEZONE")
    return ZoneInfo(tz or DEFAULT_TIMEZONE)


def _parse(file: SourceFile, ctx: Context, plan: Plan) -> None:
    if file.kind == "evaluations":
        parse_evaluations(list(load_csv(file.path, file.rel, EVALUATION_COLUMNS)), file.rel, ctx, plan)
    elif file.kind == "disclosure":
        parse_disclosure(load_json(file.path, file.rel), file.rel, ctx, plan)
    else:
        _YAML_PARSERS[file.kind](load_yaml(file.path, file.rel), file.rel, ctx, plan)


def _check_disclosure_pairs(plan: Plan, session: Session) -> None:
    """One report per agency and year: the table says so, and a clash is the author's mistake."""
    specs = plan.specs["disclosure"]
    if not specs:
        return
    seen: dict[tuple[str, int], str] = {}
    for code, spec in specs.items():
        pair = (spec.values["agency"], spec.values["year"])
        if pair in seen:
            spec.where.at("year").fail(
                f"{pair[0]} {pair[1]} 年的报告已由 {seen[pair]} 导入 (one report per agency and year)"
            )
        seen[pair] = code
    report = m.DisclosureReport
    agencies = {agency for agency, _ in seen}
    for stored in session.scalars(select(report).where(report.agency.in_(agencies))):
        other = seen.get((stored.agency, stored.year))
        if other is not None and other != stored.code:
            specs[other].where.at("year").fail(
                f"{stored.agency} {stored.year} 年的报告已存在，编码为 {stored.code}"
                " (one report per agency and year)"
            )
