"""Reading an uploaded workbook: refuse what is not a filled-in template, then rows as text.

The checks run before openpyxl parses anything, because an xlsx is a zip of XML: a small
upload can unpack to gigabytes, and XML may declare entities (billion laughs, external
files). Template parts never contain a DOCTYPE, so any part that has one is refused.

Cells come back as the text a person would have typed (numbers without ``.0``, dates as
``YYYY-MM-DD``), so that the guide rules of the form apply to them unchanged.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from ..security.archives import ArchiveTooLarge, ZipLimits, check_archive
from .columns import KINDS, TITLES, Sheet
from .errors import ExcelFileError, Limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
SCAN_SUFFIXES = (".xml", ".rels", ".vml")
MAX_ENTRIES = 2000  # a filled-in template has a dozen parts; embedded images add a few
Progress = Callable[[int, int | None], None]


@dataclass
class SheetRows:
    """The data rows of one sheet: ``(row number as Excel shows it, {column key: text})``."""

    sheet: Sheet
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def check_file(path: Path, limits: Limits) -> None:
    """Raise :class:`ExcelFileError` unless ``path`` is a plain xlsx within the limits."""
    size = path.stat().st_size
    if size == 0:
        raise ExcelFileError("文件是空的（0 字节），请重新选择文件。")
    if size > limits.max_bytes:
        raise ExcelFileError(f"文件超过 {limits.max_bytes // (1024 * 1024)} MB，请分成几个文件上传。")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head == OLE_MAGIC:
        raise ExcelFileError("这是旧版 Excel（.xls）文件或设置了打开密码的文件。请在 Excel 中去掉密码，"
                             "“另存为” .xlsx 格式后再上传。")
    if not zipfile.is_zipfile(path):
        raise ExcelFileError("这不是 Excel 文件（.xlsx）。请上传用本页模板填写的 .xlsx 文件"
                             "（CSV、WPS 表格等请先另存为 .xlsx）。")
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                infos = check_archive(archive, ZipLimits(limits.max_unzipped, MAX_ENTRIES))
            except ArchiveTooLarge:
                raise ExcelFileError("文件解压后过大，无法导入。请只保留模板中的工作表后再上传。") from None
            names = {info.filename for info in infos}
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise ExcelFileError("这不是 Excel 工作簿（.xlsx）。请上传用本页模板填写的文件。")
            if any(info.flag_bits & 0x1 for info in infos):
                raise ExcelFileError("文件已加密，请去掉密码后再上传。")
            for info in infos:
                if info.filename.lower().endswith(SCAN_SUFFIXES) and _declares_dtd(archive, info):
                    raise ExcelFileError("文件包含不允许的内容（XML 文档类型声明），无法导入。")
    # zlib.error: a member whose compressed bytes are damaged (the central directory is
    # fine, so the file opens, and reading the member fails)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise ExcelFileError("文件已损坏，无法读取。请在 Excel 中打开后重新保存为 .xlsx 再上传。") from exc


def _declares_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(1 << 16):
            window = tail + chunk
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                return True
            tail = window[-16:]
    return False


def cell_text(value: Any, kind: str = "text") -> str:
    """A cell's value as the text a person typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        if kind == "period":
            return value.strftime("%Y-%m")
        if kind != "datetime" and value.time() == time(0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m" if kind == "period" else "%Y-%m-%d")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def _header(ws, sheet: Sheet) -> dict[str, int]:
    """{column key: 0-based index}; refuses a sheet whose first row is not the template's."""
    first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
    found: dict[str, int] = {}
    unknown, doubled = [], []
    by_header = {c.header: c.key for c in sheet.columns}
    for index, value in enumerate(first):
        text = cell_text(value).strip().rstrip("*＊").strip()
        if not text:
            continue
        key = by_header.get(text)
        if key is None:
            unknown.append(text)
        elif key in found:
            doubled.append(text)
        else:
            found[key] = index
    missing = [c.header for c in sheet.columns if c.key not in found]
    hint = "请使用本页下载的模板（或导出的文件）填写，不要修改第 1 行的表头。"
    if missing:
        raise ExcelFileError(f"“{sheet.name}”工作表第 1 行缺少这些列：{'、'.join(missing)}。{hint}")
    if unknown or doubled:
        extra = "、".join(unknown + doubled)
        raise ExcelFileError(f"“{sheet.name}”工作表第 1 行有模板以外或重复的列：{extra[:200]}。{hint}")
    return found


def read(path: Path, kind: str, limits: Limits, progress: Progress | None = None) -> list[SheetRows]:
    """Every data row of the template's sheets (empty rows skipped); raises ExcelFileError."""
    check_file(path, limits)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise ExcelFileError("无法读取这个 Excel 文件，文件可能已损坏。请在 Excel 中打开后重新保存为"
                             " .xlsx 再上传。") from exc
    try:
        return _read_sheets(wb, kind, limits, progress)
    finally:
        wb.close()


def _read_sheets(wb, kind: str, limits: Limits, progress: Progress | None) -> list[SheetRows]:
    sheets = KINDS[kind]
    for other, other_sheets in KINDS.items():
        if other != kind and other_sheets[0].name in wb.sheetnames and sheets[0].name not in wb.sheetnames:
            raise ExcelFileError(f"这是“{TITLES[other]}”的文件，请到“{TITLES[other]}”处上传。")
    for sheet in sheets:
        if sheet.name not in wb.sheetnames:
            raise ExcelFileError(f"文件中没有“{sheet.name}”工作表。请使用本页下载的模板（或导出的文件）填写。")
    # the sheets' declared size (their <dimension>): good enough for a progress bar
    estimate = sum(min(max((wb[s.name].max_row or 1) - 1, 0), limits.rows_for(s.row_factor) + 1)
                   for s in sheets) or None
    done = 0
    out = []
    for sheet in sheets:
        ws = wb[sheet.name]
        columns = _header(ws, sheet)
        kinds = {c.key: c.kind for c in sheet.columns}
        limit = limits.rows_for(sheet.row_factor)
        result = SheetRows(sheet)
        for number, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
            done += 1
            if progress is not None and done % 100 == 0:
                progress(done, estimate)
            row = {key: cell_text(values[i] if i < len(values) else None, kinds[key])
                   for key, i in columns.items()}
            if not any(v.strip() for v in row.values()):
                continue
            if len(result.rows) >= limit:
                raise ExcelFileError(f"“{sheet.name}”工作表超过 {limit} 行数据，请分成几个文件导入。")
            result.rows.append((number, row))
        out.append(result)
    if not out[0].rows:
        raise ExcelFileError(f"“{sheets[0].name}”工作表中没有数据：请从第 2 行起逐行填写。")
    if progress is not None:
        progress(done, done)
    return out
