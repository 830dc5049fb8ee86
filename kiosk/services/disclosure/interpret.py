"""Read the 2021 template out of a :class:`~.readers.Document`'s rows.

Rows are recognised by their labels, never by their position: copied tables lose and move
cells (the seed's ``3.其他`` row lost its leading tab, ``(七) 总计`` sits one cell left of
its neighbours), so a row is identified by its words and its numbers are then found in the
cells after its last label — by their position, as :mod:`.columns` explains, never by which
reading adds up. Anything that cannot be read without guessing raises
:class:`DisclosureError`; a missing row is named rather than filled with zeros.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from . import template as t
from .cells import clean, is_label, is_number, key, stray_digits
from .columns import SEED_LAYOUT, Slot, place, read_values
from .errors import DisclosureError
from .readers import Document, Row

_TITLE = re.compile(r"((?:19|20)\d{2})\s*年\s*(?:度\s*)?政\s*府\s*信\s*息\s*公\s*开\s*工\s*作\s*"
                    r"年\s*度\s*报\s*告")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_DIGIT_ENUM = re.compile(r"^(\d+)\s*[.、．]")


def interpret(doc: Document, filename: str = "") -> dict[str, Any]:
    """The report dict (without ``checks``) read from ``doc``."""
    _reject_other_templates(doc)
    agency, year = find_title(doc.lines, filename)
    walker = _Walker(doc)
    for row in doc.rows:
        walker.feed(row)
    return walker.result(agency, year)


_TEMPLATE_2019 = (
    "该报告使用 2019 年版年度报告格式（含“本年新制作数量/本年新公开数量/对外公开总数量”栏目、"
    "第二十条第（九）项或不分小项的“（六）其他处理”），本工具只支持 2021 年版格式"
    "（国办公开办函〔2021〕30号）/ this report uses the older 2019 template (columns "
    "本年新制作数量/本年新公开数量/对外公开总数量, row 第二十条第（九）项, or an undivided "
    "（六）其他处理 row); only the 2021 template is supported"
)


def _reject_other_templates(doc: Document) -> None:
    """The 2019 template has other columns (本年新制作数量 …) and a 第二十条第（九）项 row;
    reading it as 2021 would produce plausible but wrong numbers, so it is refused."""
    places = [(key(c), row.where) for row in doc.rows for c in row.cells]
    places += [(key(line), None) for line in doc.lines]
    for text, where in places:
        for marker in t.TEMPLATE_2019_MARKERS:
            if marker in text and len(text) <= 60:
                raise DisclosureError(_TEMPLATE_2019, f"{where}: {marker}" if where else marker)


def find_title(lines: Sequence[str], filename: str = "") -> tuple[str, int | None]:
    """Agency and year from the title line ``XXX 2023 年政府信息公开工作年度报告``; when the
    agency sits on the line before (a wrapped title) it is taken from there. Without a
    title the year falls back to a year in the file name and the agency to ``""``."""
    fallback: tuple[str, int | None] | None = None
    for i, line in enumerate(lines):
        m = _TITLE.search(line.translate(_FULLWIDTH_DIGITS))
        if not m or len(line) > 120:
            continue
        agency = _tidy_agency(line[: m.start()])
        if not agency and i > 0 and len(lines[i - 1]) <= 40 and not _TITLE.search(lines[i - 1]):
            agency = _tidy_agency(lines[i - 1])
        if agency:
            return agency, int(m.group(1))
        fallback = fallback or ("", int(m.group(1)))
    if fallback:
        return fallback
    m = re.search(r"(?<!\d)(20\d{2})(?!\d)", filename)
    return "", int(m.group(1)) if m else None


def _tidy_agency(text: str) -> str:
    """The agency name before the year: breadcrumbs (``首页 > 政务公开 > …``), quotes and
    typesetting spaces removed."""
    text = re.split(r"[>»|_／/]", text)[-1]
    text = re.sub(r"\s+", " ", text.replace("\u3000", " ")).strip(" “”\"'《》:：")
    # spaces between two Chinese characters are typesetting, not part of the name
    return re.sub(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])", "", text)


class _Walker:
    """Walks the rows once, switching section on the tables' header rows. Each data row's
    number cells become a :class:`~.columns.Slot`; they are placed in their columns once the
    whole document is read, so rows can tell each other where their columns are."""

    def __init__(self, doc: Document) -> None:
        self.text = doc.form == "text"
        self.collapsed, self.open_end = doc.collapsed, doc.open_end
        self.section: str | None = None
        self.group: str | None = None
        self.slots: list[Slot] = []
        self.proactive: dict[str, int] = {}  # field → index into slots
        self.apps: dict[t.AppPath, int] = {}
        self.review: int | None = None
        self.misplaced: list[str] = []  # number cells of the current row left of its labels

    def _slot(self, row: Row, tail: list[str], n: int, label: str, shape: tuple[Any, ...],
              *, expected: int | None = 0, decimal: bool = False,
              columns: Sequence[str] = ()) -> int:
        """Queue ``tail`` as the cells of a row of ``n`` numbers. Grid rows (HTML, Word) were
        cut where their number columns begin, so their numbers start at the first cell; text
        rows learn their layout from the rows of the same ``shape``."""
        values = read_values(tail, n, row.where, decimal=decimal, truncated=row.last)
        if not self.text or row.split is not None:
            slot = Slot(values, n, row.where, label, None, 0, len(values) < n)
        elif self.collapsed:
            slot = Slot(values, n, row.where, label, None, None, collapsed=True)
        else:
            slot = Slot(values, n, row.where, label,
                        (*shape, None if self.open_end else len(tail)), expected,
                        self.open_end or len(values) < n)
        slot.columns = columns
        self.slots.append(slot)
        return len(self.slots) - 1

    # sections ------------------------------------------------------------------------
    def feed(self, row: Row) -> None:
        keys = [key(c) for c in row.cells]
        if not any(keys) and len(row.cells) < 2:
            return
        if any(k in ("行政复议", "行政诉讼") for k in keys):
            self.section = "review"
        elif any(w in k for k in keys for w in ("申请人情况", "自然人", "法人或其他组织")):
            self.section = "applications"
        elif any(k.startswith("第二十条") or k == "信息内容" for k in keys):
            self.section = "proactive"
        labels, tail, last_label = self._split(row)
        self.misplaced = [c for c in row.cells[: len(row.cells) - len(tail)] if is_number(c)]
        if self.section is None and any("本年新收" in key(lab) for lab in labels):
            self.section = "applications"
        if self.section == "applications":
            self._application(row, labels, tail, last_label)
        elif self.section == "review":
            self._review(row, labels, tail)
        else:
            self._proactive(row, labels, tail)

    @staticmethod
    def _split(row: Row) -> tuple[list[str], list[str], int]:
        """Labels and the cells after them; the grid's split when it holds only numbers."""
        if row.split is not None and not any(is_label(c) for c in row.cells[row.split :]):
            labels = [c for c in row.cells[: row.split] if is_label(c)]
            return labels, row.cells[row.split :], -1
        last = max((i for i, c in enumerate(row.cells) if is_label(c)), default=-1)
        return [c for c in row.cells[: last + 1] if is_label(c)], row.cells[last + 1 :], last

    def _no_stray(self, row: Row, labels: list[str]) -> None:
        """Labels that are really mistyped numbers, or numbers followed by more text (a
        remark column), must not silently shift or drop the numbers of a data row."""
        if self.misplaced:
            raise DisclosureError(
                f"数字“{clean(self.misplaced[0])}”之后还有文字，无法确定各列 / text after the "
                f"number {clean(self.misplaced[0])!r}: the columns cannot be told apart",
                row.where)
        for lab in labels:
            if stray_digits(lab):
                raise DisclosureError(f"无法识别的数字“{clean(lab)}” / not a number: "
                                      f"{clean(lab)!r}", row.where)

    # 主动公开 ---------------------------------------------------------------------------
    def _proactive(self, row: Row, labels: list[str], tail: list[str]) -> None:
        if not labels:
            return
        k = key(labels[0])
        field = next((f for f, lab in t.PROACTIVE_LABELS.items()
                      if k == lab or (f == "fees_10k_yuan" and k.startswith(lab))), None)
        if field is None:
            return
        self._no_stray(row, labels[1:])
        if field in self.proactive:
            raise DisclosureError(f"“{t.PROACTIVE_LABELS[field]}”行重复 / duplicate row", row.where)
        n = 3 if field in ("regulations", "normative_documents") else 1
        self.proactive[field] = self._slot(
            row, tail, n, t.PROACTIVE_LABELS[field], ("proactive", n, len(labels)),
            decimal=field == "fees_10k_yuan",
            columns=t.PROACTIVE_COUNT_LABELS if n == 3 else ())

    # 依申请公开 --------------------------------------------------------------------------
    def _application(self, row: Row, labels: list[str], tail: list[str], last_label: int) -> None:
        if any(w in key(lab) for lab in labels for w in t.APPLICATION_HEADER_WORDS):
            return
        path: t.AppPath | None = None
        group_here: t.Group | None = None  # a group label in this very row
        unknown: list[str] = []
        for lab in labels:
            k = key(lab)
            top = next((name for word, name in t.TOP_KEYWORDS if word in k), None)
            if top:
                self.group = None
                path = (top,) if top != "results" else path
                continue
            group = None if _DIGIT_ENUM.match(k) else next(
                (g for g in t.GROUPS if g.keyword in k), None)
            if group:
                self.group, group_here = group.key, group
                path = None if group.subs else (group.key,)
                continue
            sub = self._sub(k)
            if sub:
                path = sub
            else:
                unknown.append(lab)
        if path is None:
            group = group_here
            if group and group.subs and not unknown and any(is_number(c) for c in tail):
                if group.key == "other":  # 2019 had one 其他处理 row, 2021 has three
                    raise DisclosureError(_TEMPLATE_2019, row.where)
                raise DisclosureError(
                    f"“{group.label}”本行不应填数字，应填在其下各小项 / the group row "
                    f"{group.label} carries numbers; they belong on its numbered sub-rows",
                    row.where)
            if not labels and any(is_number(c) for c in tail):
                raise DisclosureError("申请情况表中有一行数字没有行名 / a row of numbers without "
                                      "a label in the application table", row.where)
            if unknown and any(is_number(c) for c in tail):
                raise DisclosureError(
                    f"无法识别的行“{clean(unknown[0])}” / unrecognised row in the application "
                    f"table: {clean(unknown[0])!r}", row.where)
            return
        self._no_stray(row, unknown)
        if path in self.apps:
            raise DisclosureError(f"“{t.row_label(path)}”行重复 / duplicate row", row.where)
        total = path == ("total",)
        self.apps[path] = self._slot(
            row, tail, 7, t.row_label(path), ("applications", total, last_label),
            # a stripped copy's rows lost their padding: only its own pinned rows can tell
            expected=None if self.open_end else SEED_LAYOUT.get((total, last_label, len(tail))),
            columns=t.COLUMN_LABELS)
        if path == ("carried_forward",):
            self.section = None

    def _sub(self, k: str) -> t.AppPath | None:
        """A numbered sub-row: by its words inside the current group, then in any group,
        then by its number inside the current group."""
        current = t.GROUP_BY_KEY.get(self.group or "")
        groups = ([current] if current and current.subs else []) + [
            g for g in t.GROUPS if g.subs and g is not current]
        for group in groups:
            for sub in group.subs:
                if any(word in k for word in sub.keywords):
                    self.group = group.key
                    return group.key, sub.key
        m = _DIGIT_ENUM.match(k)
        if current and current.subs and m and 1 <= int(m.group(1)) <= len(current.subs):
            return current.key, current.subs[int(m.group(1)) - 1].key
        return None

    # 行政复议、行政诉讼 ---------------------------------------------------------------------
    def _review(self, row: Row, labels: list[str], tail: list[str]) -> None:
        if self.review is not None:
            return
        if any(w in key(lab) for lab in labels for w in t.REVIEW_HEADER_WORDS):
            return
        if not any(is_number(c) for c in tail) and (labels or len(tail) < 15):
            return  # a stray line, not the (all-blank) data row
        self._no_stray(row, labels)
        self.review = self._slot(row, tail, 15, "行政复议、行政诉讼数据行", ("review", len(labels)))
        self.section = None

    # result ----------------------------------------------------------------------------
    def result(self, agency: str, year: int | None) -> dict[str, Any]:
        if not self.proactive and not self.apps and self.review is None:
            raise DisclosureError(
                "未找到 2021 年版政府信息公开工作年度报告的表格（格式无法识别）/ no table of the "
                "2021 annual-report template found (unknown template, or not an annual report)")
        missing = [(f"proactive.{f}", lab) for f, lab in t.PROACTIVE_LABELS.items()
                   if f not in self.proactive]
        missing += [(t.path_name(p), t.row_label(p)) for p in t.APPLICATION_PATHS
                    if p not in self.apps]
        if self.review is None:
            missing.append(("reviews_and_litigation", "行政复议、行政诉讼数据行"))
        if missing:
            names = "、".join(f"“{label}”" for _, label in missing)
            # without its trailing tabs, a row of blank cells is a bare label (or nothing)
            hint = ("；这份文字的行尾制表符已被删除，全空的行也随之丢失，请在空白单元格中填 0 "
                    "或上传网页、.docx 文件" if self.open_end else "")
            raise DisclosureError(
                f"表格不完整（可能被截断），缺少 {len(missing)} 行：{names}{hint} / the tables "
                f"are incomplete (truncated?): {len(missing)} row(s) missing: "
                + ", ".join(path for path, _ in missing),
                missing[0][0],
            )
        return self._assemble(agency, year)

    def _assemble(self, agency: str, year: int | None) -> dict[str, Any]:
        from .cells import whole_or_float

        values = place(self.slots)
        p = {f: values[i] for f, i in self.proactive.items()}
        proactive: dict[str, Any] = {
            f: dict(zip(t.PROACTIVE_COUNT_FIELDS, p[f], strict=True))
            for f in ("regulations", "normative_documents")
        }
        proactive.update(licensing=p["licensing"][0], penalty=p["penalty"][0],
                         enforcement=p["enforcement"][0],
                         fees_10k_yuan=whole_or_float(p["fees_10k_yuan"][0]))
        apps: dict[str, Any] = {}
        for path in t.APPLICATION_PATHS:
            row = [int(v) for v in values[self.apps[path]]]
            if len(path) == 1:
                apps[path[0]] = row
            else:
                apps.setdefault(path[0], {})[path[1]] = row
        review = [int(v) for v in values[self.review]] if self.review is not None else []
        reviews = {g: dict(zip(t.REVIEW_PARTS, review[5 * i : 5 * i + 5], strict=True))
                   for i, g in enumerate(t.REVIEW_GROUPS)}
        return {"agency": agency, "year": year, "template": "2021", "proactive": proactive,
                "applications": apps, "reviews_and_litigation": reviews}
