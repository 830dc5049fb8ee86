"""Turn uploaded bytes into rows of cells, whatever form the report came in.

Three forms reach us: text copied from a web page (tab-separated cells), the agency's HTML
page and a Word ``.docx``. All become the same :class:`Document` — table rows of cell texts
plus the loose text lines (for the title) — so the interpretation of the template is
written once. HTML and Word tables are laid out on their real grid (rowspan/colspan,
gridSpan/vMerge), which lets us cut each row exactly where the number columns begin.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..security.archives import DOCX_LIMITS, ArchiveTooLarge, check_archive
from .cells import clean, key
from .errors import DisclosureError

HTML_SUFFIXES = (".htm", ".html", ".shtml", ".xhtml")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


@dataclass
class Row:
    """One table row. ``split`` is where the number columns begin when the table grid told
    us (HTML/Word); text rows leave it ``None`` and the interpreter finds the numbers."""

    cells: list[str]
    where: str
    split: int | None = None
    short: bool = False  # the row stops before the table's last column
    last: bool = False  # the final row of the document (a short one means truncation)


@dataclass
class Document:
    """What the interpreter reads. For text, ``collapsed`` means the copy has no tabs (its
    blank cells are lost) and ``open_end`` that no line ends with a tab — trailing tabs were
    stripped by an editor, so a row's last blank cells may be missing."""

    form: str  # "text", "html" or "docx"
    rows: list[Row] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # text outside tables, in order
    collapsed: bool = False
    open_end: bool = False


def read(data: bytes, filename: str = "") -> Document:
    """Detect the form of ``data`` and read it; :class:`DisclosureError` for unusable files."""
    if not data or not data.strip():
        raise DisclosureError("文件为空 / the file is empty", filename or None)
    name = filename.lower()
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x7fELF")):
        raise DisclosureError(
            "文件是图片或程序，不是年度报告 / an image or program file (binary data)",
            filename or None,
        )
    if data.startswith(b"PK\x03\x04"):
        return read_docx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DisclosureError(
            "这是旧版 Word（.doc）或 Excel 文件，请另存为 .docx 后再上传 / "
            "an old binary Word .doc (or Excel) file: save it as .docx first",
            filename or None,
        )
    if data.startswith(b"%PDF"):
        raise DisclosureError(
            "暂不支持 PDF，请复制网页文字或上传 .docx / PDF is not supported: paste the page "
            "text or upload the .docx",
            filename or None,
        )
    if name.endswith(".docx"):
        raise DisclosureError("文件不是有效的 .docx / not a valid .docx file", filename)
    text = decode(data, filename)
    tags = re.search(r"<\s*(?:!doctype|html|body|table)\b", text[:4000], re.I)
    if tags or (name.endswith(HTML_SUFFIXES) and re.search(r"<\s*t[dr]\b", text, re.I)):
        return read_html(text)
    return read_text(text)


def decode(data: bytes, filename: str = "") -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 — what Chinese office PCs
    save. Control characters beyond tab/newline mean the bytes are not text at all."""
    binary = DisclosureError(
        "文件不是文本、网页或 .docx（可能是二进制文件）/ not text, HTML or .docx "
        "(binary data)",
        filename or None,
    )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise binary from None
    else:
        if b"\x00" in data[:8192]:
            raise binary
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise binary
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 200):
        raise binary
    return text


def read_text(text: str) -> Document:
    """Text copied from a web page: one table row per line, cells separated by tabs. A text
    without any tab (copied from a PDF viewer) is split on runs of two or more spaces; such
    copies cannot show blank cells, so only fully written tables read correctly from it."""
    doc = Document("text", collapsed="\t" not in text)
    doc.open_end = not doc.collapsed and not any(
        line.endswith("\t") for line in text.splitlines())
    if "\t" in text:
        def split(line: str) -> list[str]:
            return line.split("\t") if "\t" in line else []
    else:
        def split(line: str) -> list[str]:
            cells = re.split(r"(?: {2,}|\u3000+)", line.strip())
            return cells if len(cells) > 1 else []
    last_content = -1
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            doc.lines.append(line.strip())
        cells = split(line)
        if cells:
            doc.rows.append(Row(cells, f"第 {number} 行 / line {number}"))
        if line.strip() or cells:
            last_content = number
    if doc.rows:
        doc.rows[-1].last = doc.rows[-1].where.startswith(f"第 {last_content} 行")
    return doc


# --- grids -----------------------------------------------------------------------------


@dataclass(eq=False)
class _Cell:
    text: str
    row: int
    col: int


class _Grid:
    """Cells placed on the table's real grid; spanned positions point at their origin."""

    def __init__(self) -> None:
        self.at: dict[tuple[int, int], _Cell] = {}
        self.rows = 0

    def place(self, r: int, c: int, cell: _Cell, rowspan: int = 1, colspan: int = 1) -> None:
        for dr in range(rowspan):
            for dc in range(colspan):
                self.at.setdefault((r + dr, c + dc), cell)
        self.rows = max(self.rows, r + 1)

    def free(self, r: int, c: int) -> int:
        while (r, c) in self.at:
            c += 1
        return c

    def to_rows(self, table: int) -> list[Row]:
        """One :class:`Row` per grid row. Left of the number columns each source cell gives
        one entry (a rowspan continuation gives ``""``, as a browser copy does); from the
        number columns on, every grid column gives exactly one entry."""
        width = 1 + max((c for _, c in self.at), default=-1)
        zone: int | None = None
        out: list[Row] = []
        for r in range(self.rows):
            starts = sorted((c, cell) for (rr, c), cell in self.at.items()
                            if rr == r and cell.row == r and cell.col == c)
            zone = _zone_start(starts, zone)
            cells: list[str] = []
            split = None
            used = [c for (rr, c) in self.at if rr == r]
            # a row whose cells stop early keeps its short length, so the interpreter can
            # tell a truncated last row from one whose trailing cells are merely blank
            end = max(used) + 1 if used else 0
            for c in range(end):
                cell = self.at.get((r, c))
                if zone is not None and c >= zone:
                    if c == zone:
                        split = len(cells)
                    origin = cell is not None and cell.row == r and cell.col == c
                    cells.append(cell.text if origin else "")
                elif cell is None:
                    cells.append("")
                elif cell.col == c:
                    cells.append(cell.text if cell.row == r else "")
            where = f"第 {table} 个表格第 {r + 1} 行 / table {table} row {r + 1}"
            out.append(Row(cells, where, split, end < width))
        return out


def _zone_start(starts: list[tuple[int, _Cell]], current: int | None) -> int | None:
    """The first number column, learnt from a header row: 自然人 (application table),
    本年制发件数/本年处理决定数量/本年收费金额 (主动公开), 行政复议 (review table)."""
    for c, cell in starts:
        k = key(cell.text)
        if k == "自然人" or k == "行政复议":
            return c
        if k.startswith(("本年制发件数", "本年处理决定数量", "本年收费金额")):
            return c
    return current


# --- HTML ------------------------------------------------------------------------------


def _span(value: str | None, limit: int) -> int:
    try:
        return max(1, min(int(str(value).strip() or 1), limit))
    except ValueError:
        return 1


def read_html(text: str) -> Document:
    """An agency page: leaf tables (layout tables wrap the article) on their real grid."""
    import lxml.etree
    import lxml.html

    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        root = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise DisclosureError(f"网页无法解析 / the HTML cannot be parsed: {exc}") from exc
    lxml.etree.strip_elements(root, "script", "style", lxml.etree.Comment, with_tail=False)
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    doc = Document("html")
    blocks = {"title", "h1", "h2", "h3", "h4", "h5", "h6", "p", "div", "span", "strong", "b",
              "font", "li", "td", "th", "center"}
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in blocks:
            line = clean(el.text_content())
            if line and len(line) <= 200:
                doc.lines.append(line)
    tables = [t for t in root.iter("table") if not t.xpath(".//table")]
    for index, table in enumerate(tables, 1):
        grid = _Grid()
        trs = table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
        for r, tr in enumerate(trs):
            c = 0
            for td in tr.xpath("./td|./th"):
                c = grid.free(r, c)
                rowspan = _span(td.get("rowspan"), len(trs) - r)
                colspan = _span(td.get("colspan"), 60)
                grid.place(r, c, _Cell(td.text_content(), r, c), rowspan, colspan)
                c += colspan
            grid.rows = max(grid.rows, r + 1)
        doc.rows.extend(grid.to_rows(index))
    if doc.rows:
        doc.rows[-1].last = True
    return doc


# --- Word ------------------------------------------------------------------------------


def read_docx(data: bytes) -> Document:
    """A Word document: paragraphs for the title, tables on their grid (gridSpan, vMerge)."""
    try:
        import docx  # python-docx
        from docx.oxml.ns import qn
    except ImportError as exc:  # pragma: no cover - python-docx is a dependency
        raise DisclosureError("读取 .docx 需要 python-docx / python-docx is required") from exc
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            is_word = any(i.filename == "word/document.xml" for i in check_archive(archive, DOCX_LIMITS))
    except ArchiveTooLarge as exc:
        raise DisclosureError(exc.message) from None
    except zipfile.BadZipFile as exc:
        raise DisclosureError(
            "无法打开 .docx（文件损坏或不完整）/ cannot open the .docx (damaged or truncated)"
        ) from exc
    if not is_word:
        raise DisclosureError("这是 ZIP 压缩包，不是 Word .docx / a ZIP archive, not a Word .docx")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for a broken package
        raise DisclosureError(
            f"无法打开 .docx（文件损坏或不完整）/ cannot open the .docx (damaged or "
            f"truncated): {type(exc).__name__}"
        ) from exc
    doc = Document("docx")
    tables: list[Any] = []

    def para_text(p: Any) -> str:
        return "".join(t.text or "" for t in p.iter(qn("w:t")))

    def walk(parent: Any) -> None:
        for child in parent.iterchildren():
            if child.tag == qn("w:p"):
                line = clean(para_text(child))
                if line:
                    doc.lines.append(line)
            elif child.tag == qn("w:tbl"):
                tables.append(child)
                doc.rows.extend(_docx_rows(child, len(tables), para_text, qn))
            elif child.tag in (qn("w:sdt"), qn("w:sdtContent")):
                walk(child)

    walk(document.element.body)
    if doc.rows:
        doc.rows[-1].last = True
    return doc


def _mark(element: Any, name: str, default: Any, table: int, row: int) -> Any:
    """A span or merge mark as python-docx reads it: it raises ``ValueError`` for a value
    such as ``gridSpan w:val="x"`` (a broken converter's), which is the file's fault."""
    try:
        return getattr(element, name, default)
    except (ValueError, TypeError):
        raise DisclosureError(
            f"表格 {table} 第 {row + 1} 行的单元格合并标记无效（文件损坏或转换有误）/ an invalid "
            f"cell span or merge mark in table {table}, row {row + 1} (a damaged or badly "
            "converted .docx)", f"table {table} row {row + 1}") from None


def _docx_rows(tbl: Any, index: int, para_text: Callable[[Any], str],
               qn: Callable[[str], str]) -> list[Row]:
    """Rows of one ``<w:tbl>``: ``gridSpan`` widens a cell, ``vMerge="continue"`` points
    the position at the cell above (python-docx's own ``row.cells`` repeats merged cells,
    which would read a merged label or number twice)."""
    grid = _Grid()
    for r, tr in enumerate(tbl.findall(qn("w:tr"))):
        # spans as in HTML (at most 60 columns): a bogus gridSpan="3000000" would otherwise
        # lay out millions of grid cells
        c = min(max(int(_mark(tr, "grid_before", 0, index, r) or 0), 0), 60)
        for tc in tr.findall(qn("w:tc")):
            span = max(1, min(int(_mark(tc, "grid_span", 1, index, r) or 1), 60))
            text = " ".join(para_text(p) for p in tc.findall(qn("w:p")))
            above = grid.at.get((r - 1, c))
            if _mark(tc, "vMerge", None, index, r) == "continue" and above is not None:
                grid.place(r, c, above, 1, span)
            else:
                grid.place(r, c, _Cell(text, r, c), 1, span)
            c += span
        grid.rows = max(grid.rows, r + 1)
    return grid.to_rows(index)
