"""Helpers shared by the Excel import tests (test_excel.py, test_excel_jobs.py)."""

from __future__ import annotations

import re
from html import unescape
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.services.excel.columns import GUIDES

from .conftest import login, page_token

PAYLOAD = '<img src=x onerror=alert(1)><script>alert(2)</script>'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def signed_in(app, name: str):
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def download(client, path: str):
    r = client.get(path)
    assert r.status_code == 200, r.status_code
    assert r.mimetype == XLSX
    return load_workbook(BytesIO(r.data))


def rows_of(wb, sheet: str) -> list[list]:
    return [list(r) for r in wb[sheet].iter_rows(min_row=2, values_only=True)]


def to_bytes(wb) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, kind: str, data: bytes, name: str = "file.xlsx", **kw):
    token = page_token(client, "/admin/import")
    return client.post(f"/admin/import/{kind}", data={"csrf_token": token, "file": (BytesIO(data), name)},
                       content_type="multipart/form-data", **kw)


def job_page(client, kind: str, data: bytes, name: str = "file.xlsx"):
    """Upload; returns (job key, the job page)."""
    r = upload(client, kind, data, name)
    assert r.status_code == 302, r.status_code
    assert "/admin/import/job/" in r.location, r.location
    return r.location.rsplit("/", 1)[1], client.get(r.location)


def error_rows(page) -> list[tuple[str, ...]]:
    """The error table as (sheet, row, column, message) tuples of plain text."""
    html = page.get_data(as_text=True)
    out = []
    for row in re.findall(r'<tr data-testid="error-row">(.*?)</tr>', html, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        out.append(tuple(unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells))
    return out


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def set_row(wb, sheet: str, row: int, **values) -> None:
    """Write ``values`` (keyed by column header) into ``row`` of ``sheet``."""
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    for header, value in values.items():
        ws.cell(row=row, column=headers.index(header) + 1, value=value)


def exported_guides(client):
    return download(client, "/admin/import/guides/export.xlsx")


def new_guide(wb, row: int, code: str, name: str = "新导入的事项", **extra) -> None:
    values = {"实施编码": code, "事项名称": name, "事项类型": "公共服务", "实施部门": "gongan",
              "办件类型": "即办件", "办理流程": "提交材料\n当场办结", **extra}
    set_row(wb, GUIDES.name, row, **values)


def counted(page, action: str) -> int:
    match = re.search(rf'data-testid="count-{action}">(\d+)<', page.get_data(as_text=True))
    assert match, action
    return int(match.group(1))
