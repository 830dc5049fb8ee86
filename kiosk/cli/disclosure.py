"""``kiosk disclosure parse FILE`` and ``kiosk disclosure import FILE``.

Staff check a report before it goes on a hall screen, so ``parse`` needs nothing but the
file: no Flask app, no database. Exit codes: 0 read (and, with ``--strict``, every check
passed), 1 some check failed under ``--strict``, 2 the file could not be read.

``import`` parses and stores the report in one transaction (one per agency and year; an
existing one is replaced only with ``--replace``). Exit codes: 0 stored (even when checks
fail: such a report stays off the screens until a reviewer overrides), 1 a report for that
agency and year exists (or the code is taken), 2 the file cannot be read or stored — nothing
is stored then.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, NoReturn

import click

from kiosk.services.disclosure import DisclosureError, parse_report
from kiosk.services.disclosure.checks import validate_shape

log = logging.getLogger(__name__)

_OUTCOMES = (("granted", "予以公开"), ("partially_granted", "部分公开"), ("withheld", "不予公开"),
             ("unable", "无法提供"), ("not_processed", "不予处理"), ("other", "其他处理"))


def _total(value: Any) -> int:
    """The 总计 column of a row, or of all sub-rows of a group."""
    if isinstance(value, dict):
        return sum(row[6] for row in value.values())
    return value[6]


def summary(report: dict[str, Any]) -> str:
    """A short Chinese summary of a parsed report and its checks."""
    p, a = report["proactive"], report["applications"]
    r = report["reviews_and_litigation"]
    regs, docs = p["regulations"], p["normative_documents"]
    failed = [c for c in report["checks"] if not c["ok"]]
    outcomes = "，".join(f"{label} {_total(a[key])}" for key, label in _OUTCOMES)
    lines = [
        f"{report['agency'] or '（未识别机关）'} {report['year'] or '？'} 年政府信息公开工作年度报告"
        f"（{report['template']} 年版格式）",
        f"主动公开：规章 制发 {regs['issued']}、废止 {regs['repealed']}、现行有效 "
        f"{regs['in_force']}；行政规范性文件 制发 {docs['issued']}、废止 {docs['repealed']}、"
        f"现行有效 {docs['in_force']}；行政许可 {p['licensing']}；行政处罚 {p['penalty']}；"
        f"行政强制 {p['enforcement']}；行政事业性收费 {p['fees_10k_yuan']} 万元",
        f"依申请公开：本年新收 {a['new'][6]}，上年结转 {a['carried_over'][6]}，"
        f"办理结果合计 {a['total'][6]}（{outcomes}），结转下年度 {a['carried_forward'][6]}",
        f"行政复议 {r['review']['total']} 件，行政诉讼 "
        f"{r['litigation_direct']['total'] + r['litigation_after_review']['total']} 件"
        f"（未经复议直接起诉 {r['litigation_direct']['total']}，复议后起诉 "
        f"{r['litigation_after_review']['total']}）",
    ]
    if failed:
        lines.append(f"校验：共 {len(report['checks'])} 项，{len(failed)} 项未通过：")
        lines += [f"  ✗ [{c['rule']}] {c['message']}" for c in failed]
    else:
        lines.append(f"校验：共 {len(report['checks'])} 项，全部通过")
    return "\n".join(lines)


@click.group("disclosure", help="Parse and check 政府信息公开工作年度报告 (2021 template).")
def disclosure_group() -> None:
    pass


@disclosure_group.command("parse")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the parsed report as JSON.")
@click.option("--strict", is_flag=True, help="Exit with status 1 when any check fails.")
@click.option("--previous", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Last year's report (any supported form, or its JSON) for the carry_over "
                   "checks.")
def parse_command(file: Path, as_json: bool, strict: bool, previous: Path | None) -> None:
    """Read FILE (text copied from the page, the page's HTML, or .docx) and check it.

    Exit status: 0 read, 1 a check failed (with --strict), 2 the file cannot be read.
    """
    try:
        last_year = _load_previous(previous) if previous else None
    except DisclosureError as exc:
        click.echo(f"{previous}: 上年报告无法读取 / cannot read last year's report: {exc}",
                   err=True)
        raise SystemExit(2) from None
    except Exception as exc:
        _unexpected(previous, exc)
    try:
        report = parse_report(file.read_bytes(), file.name, previous=last_year)
    except DisclosureError as exc:
        click.echo(f"{file}: 无法读取 / cannot read: {exc}", err=True)
        raise SystemExit(2) from None
    except Exception as exc:
        _unexpected(file, exc)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(summary(report))
    if strict and not all(c["ok"] for c in report["checks"]):
        raise SystemExit(1)


@disclosure_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True,
              help="Replace the stored report of the same agency and year.")
@click.option("--code", default=None,
              help="The report's code for playlists (disclosure:CODE); default: kept when "
                   "replacing, else made from the agency's pinyin initials and the year.")
@click.pass_context
def import_command(ctx: click.Context, file: Path, replace: bool, code: str | None) -> None:
    """Parse FILE and store it as the report of its agency and year, in one transaction.

    Exit status: 0 stored, 1 a report for that agency and year exists (use --replace) or the
    code is taken, 2 the file cannot be read or stored (nothing is stored).
    """
    from sqlalchemy import select

    from kiosk.cli.common import app_from
    from kiosk.extensions import db
    from kiosk.models import DisclosureReport
    from kiosk.services.disclosure import store
    from kiosk.services.publish import get_publisher

    try:
        report = parse_report(file.read_bytes(), file.name)
    except DisclosureError as exc:
        click.echo(f"{file}: 无法读取，未保存 / cannot read, nothing stored: {exc}", err=True)
        raise SystemExit(2) from None
    except Exception as exc:
        _unexpected(file, exc, stored=False)
    app = app_from(ctx)
    with app.app_context():
        agency, year = str(report.get("agency") or "").strip(), report.get("year")
        existed = db.session.scalar(select(DisclosureReport.id).where(
            DisclosureReport.agency == agency, DisclosureReport.year == year)) is not None
        try:
            row = store.store_report(db.session, report, code=code, source_filename=file.name,
                                     replace=replace, actor="cli")
        except store.StoreError as err:
            db.session.rollback()
            click.echo(f"{file}: 未保存 / nothing stored: {err.message}", err=True)
            raise SystemExit(1 if err.status == 409 else 2) from None
        except DisclosureError as exc:
            db.session.rollback()
            click.echo(f"{file}: 未保存 / nothing stored: {exc}", err=True)
            raise SystemExit(2) from None
        click.echo(summary({**row.data, "checks": row.checks}))
        db.session.commit()
        click.echo(f"已保存 / stored: 编号 {row.id}，编码 {row.code}（播放列表引用 "
                   f"disclosure:{row.code}）{'，已替换原报告 / replaced' if existed else ''}")
        if not row.checks_ok:
            click.echo("注意：校验未通过，审核人员填写放行理由之前不会在屏幕上显示 / checks fail: "
                       "not shown on screens until a reviewer overrides")
        get_publisher(app).changed()
        db.session.remove()


def _unexpected(path: Path | None, exc: Exception, *, stored: bool | None = None) -> NoReturn:
    """A failure the parser did not foresee (a malformed .docx python-docx chokes on, …):
    the traceback goes to the log for a developer, the person gets the file's name and exit
    status 2 like any other unreadable file — never a bare traceback."""
    log.error("disclosure parser failed on %s", path, exc_info=exc)
    nothing = "，未保存 / nothing stored" if stored is False else ""
    click.echo(f"{path}: 无法读取：文件内容不符合预期（{type(exc).__name__}），可能已损坏{nothing} / "
               f"cannot read: unexpected content ({type(exc).__name__}: {exc})", err=True)
    raise SystemExit(2) from None


def _load_previous(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    if path.suffix.lower() == ".json":
        try:
            report = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise DisclosureError(f"上年报告 JSON 无法解析 / bad JSON: {exc}", str(path)) from exc
        validate_shape(report, "previous", (("carried_forward",),))
        return report
    return parse_report(data, path.name)
