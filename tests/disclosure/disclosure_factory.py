"""Build consistent annual reports, break single cells, and write them as .docx.

Reports are composed from their free parts (the six applicant columns of every outcome
row, 结转下年度, the four review results) and every total is computed, so a generated report
passes every check by construction and any single changed cell is the only error.
"""

from __future__ import annotations

import copy
import io
import random
import re
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from kiosk.services.disclosure import template as t
from kiosk.services.disclosure.cells import whole_or_float
from kiosk.services.disclosure.render import flatten_layout, table_layout

SEED_PATH = str(Path(__file__).resolve().parent.parent / "data" / "laocheng-2023-annual-report.txt")


def assemble(*, agency: str, year: int, proactive: dict[str, Any],
             outcomes: dict[tuple[str, ...], list[int]], carried_forward: list[int],
             carried_over: list[int], reviews: dict[str, list[int]]) -> dict[str, Any]:
    """A consistent report from its free parts (lists of six applicant counts)."""

    def row(parts: list[int]) -> list[int]:
        assert len(parts) == 6 and min(parts) >= 0
        return list(parts) + [sum(parts)]

    total6 = [sum(outcomes[p][c] for p in t.OUTCOME_PATHS) for c in range(6)]
    new6 = [total6[c] + carried_forward[c] - carried_over[c] for c in range(6)]
    apps: dict[str, Any] = {"new": row(new6), "carried_over": row(carried_over)}
    for path in t.OUTCOME_PATHS:
        if len(path) == 1:
            apps[path[0]] = row(outcomes[path])
        else:
            apps.setdefault(path[0], {})[path[1]] = row(outcomes[path])
    apps["total"] = row(total6)
    apps["carried_forward"] = row(carried_forward)
    proactive = copy.deepcopy(proactive)
    proactive["fees_10k_yuan"] = whole_or_float(proactive["fees_10k_yuan"])
    return {
        "agency": agency, "year": year, "template": "2021", "proactive": proactive,
        "applications": apps,
        "reviews_and_litigation": {
            g: dict(zip(t.REVIEW_PARTS, reviews[g] + [sum(reviews[g])], strict=True))
            for g in t.REVIEW_GROUPS},
    }


def zero_report(agency: str = "测试局", year: int = 2023) -> dict[str, Any]:
    return assemble(
        agency=agency, year=year,
        proactive={"regulations": dict.fromkeys(t.PROACTIVE_COUNT_FIELDS, 0),
                   "normative_documents": dict.fromkeys(t.PROACTIVE_COUNT_FIELDS, 0),
                   "licensing": 0, "penalty": 0, "enforcement": 0, "fees_10k_yuan": 0},
        outcomes={p: [0] * 6 for p in t.OUTCOME_PATHS}, carried_forward=[0] * 6,
        carried_over=[0] * 6, reviews={g: [0] * 4 for g in t.REVIEW_GROUPS})


def city_report(seed: int = 2023, year: int = 2023, carried_over: list[int] | None = None):
    """A city-scale report: every cell non-zero, totals in the thousands."""
    rng = random.Random(seed)
    outcomes = {p: [rng.randint(40, 900), rng.randint(5, 120), rng.randint(1, 30),
                    rng.randint(1, 40), rng.randint(1, 60), rng.randint(1, 50)]
                for p in t.OUTCOME_PATHS}
    forward = [rng.randint(100, 400) for _ in range(6)]
    over = carried_over or [rng.randint(1, 90) for _ in range(6)]
    return assemble(
        agency="示范市人民政府办公厅", year=year,
        proactive={"regulations": {"issued": 12, "repealed": 3, "in_force": 1268},
                   "normative_documents": {"issued": 157, "repealed": 41, "in_force": 2310},
                   "licensing": 1_284_503, "penalty": 23_871, "enforcement": 4_126,
                   "fees_10k_yuan": 12_345.67},
        outcomes=outcomes, carried_forward=forward, carried_over=over,
        reviews={g: [rng.randint(1, 300) for _ in range(4)] for g in t.REVIEW_GROUPS})


def without_checks(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k != "checks"}


# --- cells -----------------------------------------------------------------------------


def cells(report: dict[str, Any] | None = None) -> list[str]:
    """Every numeric cell as the path used in check ``cells`` (the same for every report)."""
    out = [f"proactive.{f}.{k}" for f in ("regulations", "normative_documents")
           for k in t.PROACTIVE_COUNT_FIELDS]
    out += [f"proactive.{f}" for f in ("licensing", "penalty", "enforcement", "fees_10k_yuan")]
    out += [f"{t.path_name(p)}[{c}]" for p in t.APPLICATION_PATHS for c in range(7)]
    out += [f"reviews_and_litigation.{g}.{k}" for g in t.REVIEW_GROUPS for k in t.REVIEW_PARTS]
    return out


def _locate(report: dict[str, Any], cell: str) -> tuple[Any, Any]:
    path, _, index = cell.partition("[")
    node = report
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[part]
    if index:
        return node[parts[-1]], int(index.rstrip("]"))
    return node, parts[-1]


def get_cell(report: dict[str, Any], cell: str) -> Any:
    container, slot = _locate(report, cell)
    return container[slot]


def bumped(report: dict[str, Any], cell: str, delta: int) -> dict[str, Any]:
    """A copy of ``report`` with one cell increased by ``delta``."""
    broken = copy.deepcopy(without_checks(report))
    container, slot = _locate(broken, cell)
    container[slot] = whole_or_float(container[slot] + delta)
    return broken


def changed(report: dict[str, Any], cell: str, value: Any) -> dict[str, Any]:
    """A copy of ``report`` with one cell set to ``value`` (0 renders as a blank cell)."""
    broken = copy.deepcopy(without_checks(report))
    container, slot = _locate(broken, cell)
    container[slot] = whole_or_float(value)
    return broken


# --- which checks a broken cell must fail, from the template's rules -------------------
# Derived from the cell's row and column alone — never from the checker's own ``cells`` —
# so a checker that lists the wrong cells, or a parser that moves a number to another
# column, shows up as a difference.

CheckId = tuple[str, Any]  # ("row_total", path) / ("grand_total", col) / ("review_total", group)


def check_ids(with_previous: bool) -> list[CheckId]:
    """Which check is which, in the order ``check_report`` documents."""
    ids: list[CheckId] = [("row_total", p) for p in t.APPLICATION_PATHS]
    ids += [("grand_total", c) for c in range(7)] + [("balance", c) for c in range(7)]
    ids += [("review_total" if g == "review" else "litigation_total", g) for g in t.REVIEW_GROUPS]
    if with_previous:
        ids += [("carry_over", c) for c in range(7)]
    return ids


def parse_cell(cell: str) -> tuple[str, Any, Any]:
    """``("applications", path, col)``, ``("reviews", group, part)`` or ``("proactive", …)``."""
    if cell.startswith("applications."):
        path, _, col = cell.removeprefix("applications.").partition("[")
        return "applications", tuple(path.split(".")), int(col.rstrip("]"))
    if cell.startswith("reviews_and_litigation."):
        group, part = cell.removeprefix("reviews_and_litigation.").split(".")
        return "reviews", group, part
    return "proactive", cell, None


def equations(cell: str, with_previous: bool) -> dict[CheckId, int]:
    """The template's equations that contain ``cell``, each with the cell's coefficient
    (the equation reads "sum of coefficient × cell = 0"):

    * every application row: its six columns − its 总计 (``row_total``);
    * per column: （一）…（六） − （七）总计 (``grand_total``);
    * per column: 一 + 二 − 三（七） − 四 (``balance``);
    * per column: last year's 结转下年度 − this 二、上年结转 (``carry_over``);
    * each review or litigation group: its four results − its 总计;
    * 主动公开 figures are in no equation.
    """
    kind, where, col = parse_cell(cell)
    if kind == "proactive":
        return {}
    if kind == "reviews":
        rule = "review_total" if where == "review" else "litigation_total"
        return {(rule, where): -1 if col == "total" else 1}
    out: dict[CheckId, int] = {("row_total", where): -1 if col == 6 else 1}
    if where in t.OUTCOME_PATHS:
        out[("grand_total", col)] = 1
    if where == ("total",):
        out[("grand_total", col)] = -1
    if where[0] in ("new", "carried_over"):
        out[("balance", col)] = 1
    if where[0] in ("total", "carried_forward"):
        out[("balance", col)] = -1
    if where == ("carried_over",) and with_previous:
        out[("carry_over", col)] = -1
    return out


def rules_broken_by(cell: str, with_previous: bool) -> set[CheckId]:
    """The checks a change of ``cell`` by any non-zero amount must fail in a report that was
    consistent: every equation that contains the cell."""
    return set(equations(cell, with_previous))


def broken_by(changes: dict[str, int], with_previous: bool = False) -> set[CheckId]:
    """The checks several cell changes (cell → delta) fail together in a report that was
    consistent: the equations whose changes do not cancel out."""
    net: dict[CheckId, int] = {}
    for cell, delta in changes.items():
        for check, coefficient in equations(cell, with_previous).items():
            net[check] = net.get(check, 0) + coefficient * delta
    return {check for check, value in net.items() if value}


def failing(checks: list[dict], with_previous: bool) -> set[CheckId]:
    """The failing checks by identity. Each check's message must name its own row, column or
    group (the issue asks for that), which also proves the identities line up."""
    ids = check_ids(with_previous)
    assert [c["rule"] for c in checks] == [rule for rule, _ in ids]
    for check, (rule, what) in zip(checks, ids, strict=True):
        if rule == "row_total":
            assert t.row_label(what) in check["message"], check
        elif rule in ("grand_total", "balance", "carry_over"):
            assert f"「{t.COLUMN_LABELS[what]}」" in check["message"], check
        else:
            label = t.REVIEW_GROUP_LABELS[t.REVIEW_GROUPS.index(what)]
            assert f"「{label}」" in check["message"], check
    return {i for check, i in zip(checks, ids, strict=True) if not check["ok"]}


def checked_cells() -> list[str]:
    """Every cell that some equation of the template contains (all but 主动公开)."""
    return [c for c in cells({}) if not c.startswith("proactive.")]


# --- number spellings ------------------------------------------------------------------

_FULLWIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


def thousands(value: Any, where: str) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def mixed_format(value: Any, where: str) -> str:
    """Thousands separators everywhere, full-width digits in every third cell (by name)."""
    text = thousands(value, where)
    return text.translate(_FULLWIDTH) if sum(map(ord, where)) % 3 == 0 else text


# --- .docx -----------------------------------------------------------------------------


def build_docx(report: dict[str, Any], *, merged: bool = True, blanks_for_zero: bool = False,
               fmt=None, title_text: str | None = None) -> bytes:
    """The report as a Word file made with python-docx, spans as real merged cells."""
    import docx
    from docx.table import _Cell

    document = docx.Document()
    document.add_paragraph(title_text or f"{report['agency']}{report['year']}年政府信息公开工作年度报告")
    document.add_paragraph("一、总体情况")
    document.add_paragraph("本机关依法做好政府信息公开工作，自然人申请较上年有所增加。")
    for heading, layout in table_layout(report, blanks_for_zero, fmt):
        document.add_paragraph(heading)
        rows = layout if merged else flatten_layout(layout)
        width = sum(c.colspan for c in rows[0])
        table = document.add_table(rows=len(rows), cols=width)
        # table.cell() recomputes the whole grid on every call; address the <w:tc>s directly
        tcs = [tr.tc_lst for tr in table._tbl.tr_lst]
        taken: set[tuple[int, int]] = set()
        spans = []
        for r, row in enumerate(rows):
            c = 0
            for cell in row:
                while (r, c) in taken:
                    c += 1
                _Cell(tcs[r][c], table).text = cell.text
                taken.update((r + dr, c + dc) for dr in range(cell.rowspan)
                             for dc in range(cell.colspan))
                if cell.rowspan > 1 or cell.colspan > 1:
                    spans.append((tcs[r][c], tcs[r + cell.rowspan - 1][c + cell.colspan - 1]))
                c += cell.colspan
        for first, last in spans:
            _Cell(first, table).merge(_Cell(last, table))
    document.add_paragraph("五、存在的主要问题及改进情况")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- hypothesis ------------------------------------------------------------------------

counts = st.one_of(st.just(0), st.integers(0, 9), st.integers(0, 4000))


@st.composite
def reports(draw) -> dict[str, Any]:
    """Consistent reports, sparse or dense, with occasional thousands.

    Some are drawn with *trap rows*: rows whose 其他 column equals the sum of the five before
    it, so the row read one column to the right ([blank, p0 … p5]) also adds up. A parser that
    places numbers by arithmetic instead of position misreads exactly these rows once their
    总计 is blank."""
    sparse = draw(st.booleans())
    traps = draw(st.booleans())
    part = st.one_of(st.just(0), st.just(0), st.integers(1, 5)) if sparse else counts

    def parts() -> list[int]:
        row = [draw(part) for _ in range(6)]
        if traps and draw(st.booleans()):
            row[5] = sum(row[:5])
        return row

    outcomes = {p: parts() for p in t.OUTCOME_PATHS}
    forward = parts()
    total6 = [sum(outcomes[p][c] for p in t.OUTCOME_PATHS) for c in range(6)]
    over = [draw(st.integers(0, total6[c] + forward[c])) for c in range(6)]
    if traps and sum(over[:5]) <= total6[5] + forward[5]:
        over[5] = sum(over[:5])
    three = st.fixed_dictionaries({k: counts for k in t.PROACTIVE_COUNT_FIELDS})
    fees = st.one_of(st.integers(0, 10**6), st.integers(0, 10**7).map(lambda n: n / 100))
    return assemble(
        agency=draw(st.sampled_from(["示范市人民政府办公厅", "老城区政务服务和大数据管理局",
                                     "某县自然资源局"])),
        year=draw(st.integers(2021, 2030)),
        proactive={"regulations": draw(three), "normative_documents": draw(three),
                   "licensing": draw(counts), "penalty": draw(counts),
                   "enforcement": draw(counts), "fees_10k_yuan": draw(fees)},
        outcomes=outcomes, carried_forward=forward, carried_over=over,
        reviews={g: [draw(part) for _ in range(4)] for g in t.REVIEW_GROUPS})


def malformed_docx(report: dict[str, Any]) -> bytes:
    """A real .docx whose first merged cell says ``<w:gridSpan w:val="x"/>``: python-docx
    opens the file, then raises a bare ``ValueError`` reading the span. A file like this
    (written by a broken converter) is the kind of input no parser check foresees."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(build_docx(report))) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                assert b'<w:gridSpan w:val="' in data
                data = re.sub(rb'<w:gridSpan w:val="\d+"', b'<w:gridSpan w:val="x"', data,
                              count=1)
            target.writestr(item, data)
    return out.getvalue()
