"""Writing workbooks: the blank template and the export share one layout.

Every sheet has its header in row 1 (frozen, bold, required columns in red, each header cell
with a comment explaining it), drop-down lists for enumerations (kept on a hidden 选项 sheet,
so lists longer than Excel's 255-character inline limit work too), whole-number checks for
counts and days, and text format for the columns that hold codes and phone numbers, so Excel
does not turn ``0379…`` into a number. A 说明 sheet explains every column.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .columns import HELP_SHEET, KINDS, OPTIONS, OPTIONS_SHEET, TITLES, Sheet
from .errors import Limits

HEADER_FILL = PatternFill("solid", fgColor="FFE8EEF7")
REQUIRED_FONT = Font(bold=True, color="FFB91C1C")
HEADER_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")

Department = tuple[str, str]  # (code, the name shown in the file)

GENERAL_NOTES = {
    "guides": (
        "每行一个办事指南；申请材料写在“申请材料”工作表，每行一份材料，用实施编码对应到指南。",
        "表头（第 1 行）不要修改、删除或调换名称；红色表头为必填列。",
        "上传后系统先逐行检查，列出所有错误（工作表、行号、列名），文件完全正确并经您确认后才导入。",
        "导入的新建或修改的指南成为“待审核”版本，须由另一位审核员审核通过后才会上屏；与现有内容相同的行会被跳过。",
        "材料的空表、样表附件不在表格中：同名材料会保留原有附件，新附件请在指南编辑页上传。",
        "导出的文件与本模板格式相同，可以修改后再导入。",
    ),
    "evaluations": (
        "每行一个窗口一个月的好差评统计（来自全国一体化政务服务平台好差评系统）。",
        "表头（第 1 行）不要修改、删除或调换名称；全部列均为必填。",
        "同一月份、同一窗口已有数据的，导入会用本表的数字替换；数字相同的行会被跳过。",
        "上传后系统先逐行检查并列出所有错误，文件完全正确并经您确认后才导入；导入后屏幕自动更新。",
    ),
}


def safe(value: Any) -> Any:
    """Cell text without the control characters xlsx cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _option_lists(departments: Sequence[Department]) -> dict[str, tuple[str, ...]]:
    return {**OPTIONS, "department": tuple(name for _, name in departments)}


def _write_options(wb: Workbook, departments: Sequence[Department]) -> dict[str, str]:
    """The hidden 选项 sheet; returns {list name: absolute range formula}."""
    ws = wb.create_sheet(OPTIONS_SHEET)
    refs: dict[str, str] = {}
    lists = _option_lists(departments)
    for index, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        ws.cell(row=1, column=index, value=name)
        for row, value in enumerate(values, start=2):
            ws.cell(row=row, column=index, value=safe(value)).data_type = "s"
        last = max(len(values) + 1, 2)
        refs[name] = f"{quote_sheetname(OPTIONS_SHEET)}!${letter}$2:${letter}${last}"
    column = len(lists) + 1
    ws.cell(row=1, column=column, value="部门编码")
    for row, (code, _) in enumerate(departments, start=2):
        ws.cell(row=row, column=column, value=safe(code)).data_type = "s"
    ws.sheet_state = "hidden"
    return refs


def _validations(ws: Worksheet, sheet: Sheet, refs: dict[str, str], last_row: int) -> None:
    for index, col in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        area = f"{letter}2:{letter}{last_row}"
        if col.options:
            # formulas are stored without "=" in the file, as Excel itself writes them
            dv = DataValidation(type="list", formula1=refs[col.options], allow_blank=True,
                                showErrorMessage=True, errorTitle=col.header,
                                error=f"请从下拉列表中选择{col.header}")
        elif col.kind == "int":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0",
                                allow_blank=True, showErrorMessage=True, errorTitle=col.header,
                                error=f"{col.header}应为 0 或正整数")
        else:
            continue
        dv.promptTitle, dv.prompt, dv.showInputMessage = col.header, col.help[:255], True
        ws.add_data_validation(dv)
        dv.add(area)


def _write_sheet(ws: Worksheet, sheet: Sheet, rows: Iterable[Sequence[Any]], refs: dict[str, str],
                 limits: Limits) -> None:
    ws.title = sheet.name
    for index, col in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=index, value=col.header)
        cell.font = REQUIRED_FONT if col.required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.comment = Comment(("必填。" if col.required else "选填。") + col.help, "模板", 120, 320)
        dim = ws.column_dimensions[get_column_letter(index)]
        dim.width = col.width
        if col.kind not in ("int",):
            dim.number_format = "@"
    wrap = [i for i, col in enumerate(sheet.columns, start=1) if col.kind == "lines" or col.width >= 24]
    for row_index, values in enumerate(rows, start=2):
        for index, value in enumerate(values, start=1):
            if value is None or value == "":
                continue
            cell = ws.cell(row=row_index, column=index, value=safe(value))
            if isinstance(value, str):
                cell.data_type = "s"  # text that starts with "=" stays text, never a formula
            if index in wrap:
                cell.alignment = WRAP
    ws.freeze_panes = sheet.freeze
    _validations(ws, sheet, refs, limits.rows_for(sheet.row_factor) + 1)


def _write_help(wb: Workbook, kind: str, sheets: Sequence[Sheet], departments: Sequence[Department],
                limits: Limits) -> None:
    ws = wb.create_sheet(HELP_SHEET)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 20
    ws.column_dimensions["C"].width = 8
    ws.column_dimensions["D"].width = 70
    ws.column_dimensions["E"].width = 40
    ws.append([f"{TITLES[kind]}导入模板 填写说明"])
    ws["A1"].font = Font(bold=True, size=14)
    for note in GENERAL_NOTES[kind]:
        ws.append([f"· {note}"])
    ws.append([f"· 每个文件不超过 {limits.max_bytes // (1024 * 1024)} MB，"
               f"“{sheets[0].name}”表不超过 {limits.max_rows} 行。"])
    ws.append([])
    header_row = ws.max_row + 1
    ws.append(["工作表", "列名", "必填", "填写说明", "可选值"])
    for cell in ws[header_row]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    lists = _option_lists(departments)
    for sheet in sheets:
        for col in sheet.columns:
            allowed = "、".join(lists[col.options]) if col.options else ""
            ws.append([sheet.name, col.header, "是" if col.required else "", col.help, safe(allowed)])
            for cell in ws[ws.max_row]:
                cell.alignment = WRAP
    if departments:
        ws.append([])
        ws.append(["部门编码", "部门名称"])
        for cell in ws[ws.max_row]:
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        for code, name in departments:
            ws.append([safe(code), safe(name)])


def build(kind: str, departments: Sequence[Department], rows: dict[str, Iterable[Sequence[Any]]] | None = None,
          limits: Limits | None = None) -> bytes:
    """An xlsx of ``kind`` ("guides" / "evaluations"); ``rows`` per sheet name (None = template)."""
    limits = limits or Limits()
    sheets = KINDS[kind]
    wb = Workbook()
    first = wb.active
    refs = _write_options(wb, departments)
    for index, sheet in enumerate(sheets):
        ws = first if index == 0 else wb.create_sheet(sheet.name, index)
        _write_sheet(ws, sheet, (rows or {}).get(sheet.name, ()), refs, limits)
    _write_help(wb, kind, sheets, departments, limits)
    wb.move_sheet(HELP_SHEET, offset=-1)  # before the hidden 选项 sheet
    wb.active = 0
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
