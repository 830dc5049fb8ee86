"""Hypothesis on the Excel import (services/excel): an exported workbook of guides or 好差评
figures with one thing spoilt — a cell of the wrong type, huge, negative, odd text or a date,
a row dropped or doubled, a header renamed or cleared, a sheet renamed or removed, the file
cut off or garbled — is refused as a file (:class:`ExcelFileError`), or checked into errors
that each name the sheet, the row and the column, or imported; never another exception, and
a refused file leaves every table as it was (issue 10, "hypothesis for every importer")."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import func, select

from kiosk import models as m
from kiosk.extensions import db
from kiosk.services.excel import ExcelFileError, Limits, evaluations, guides, workbook
from kiosk.services.excel.columns import KINDS
from kiosk.services.excel.reader import read
from kiosk.services.excel.refs import Departments

from .conftest import dispose, make_app
from .mutations import SETTINGS, scalars

SETTING = settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                            HealthCheck.too_slow], **SETTINGS)
TZ = ZoneInfo("Asia/Shanghai")
TABLES = (m.Guide, m.Material, m.ContentVersion, m.EvaluationStat, m.AuditLog)


def counts() -> dict[str, int]:
    return {t.__name__: db.session.scalar(select(func.count()).select_from(t)) for t in TABLES}


class Hall:
    """The demo content, reset from a copy before each example; and an export of each kind
    (a few guides, to keep an example fast) as the valid file that gets spoilt."""

    def __init__(self, folder: Path, demo_db: Path):
        self.folder, self.db = folder, folder / "hall.db"
        shutil.copy(demo_db, folder / "start.db")
        shutil.copy(demo_db, self.db)
        self.app = make_app(folder, self.db, create=False)
        with self.app.app_context():
            depts = Departments(db.session).listing()
            rows = guides.export_rows(db.session)
            sheet, materials = (s.name for s in KINDS["guides"])
            keep = {row[0] for row in rows[sheet][:4]}
            rows = {sheet: rows[sheet][:4], materials: [r for r in rows[materials] if r[0] in keep]}
            self.files = {"guides": workbook.build("guides", depts, rows),
                          "evaluations": workbook.build("evaluations", depts,
                                                        evaluations.export_rows(db.session))}

    def reset(self) -> None:
        dispose(self.app)
        for suffix in ("-wal", "-shm"):
            Path(f"{self.db}{suffix}").unlink(missing_ok=True)
        shutil.copy(self.folder / "start.db", self.db)


@pytest.fixture(scope="module")
def hall(tmp_path_factory, demo_db):
    hall = Hall(tmp_path_factory.mktemp("excel-property"), demo_db)
    yield hall
    dispose(hall.app)


def _cell_value(value):
    """What openpyxl can write in a cell: text without the control characters it refuses."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


cells = st.one_of(scalars.map(_cell_value),
                  st.sampled_from([date(2024, 2, 29), datetime(1900, 1, 1, 0, 0),
                                   datetime(2099, 12, 31, 23, 59), date(1, 1, 1)]))


@st.composite
def spoilt_workbook(draw, raw: bytes, kind: str) -> tuple[bytes, str]:
    how = draw(st.sampled_from(["cell", "cell", "cell", "row", "header", "sheet", "bytes"]),
               label="how")
    if how == "bytes":
        return draw(garbled_xlsx(raw), label="bytes"), how
    wb = load_workbook(BytesIO(raw))
    ws = wb[draw(st.sampled_from([s.name for s in KINDS[kind]]), label="sheet")]
    rows, columns = max(ws.max_row, 2), max(ws.max_column, 1)
    if how == "cell":
        row = draw(st.integers(2, rows + 1), label="row")
        ws.cell(row=row, column=draw(st.integers(1, columns + 1), label="column"),
                value=draw(cells, label="value"))
    elif how == "row":
        row = draw(st.integers(2, rows), label="row")
        if draw(st.booleans(), label="drop"):
            ws.delete_rows(row)
        else:
            ws.append([c.value for c in ws[row]])
    elif how == "header":
        ws.cell(row=1, column=draw(st.integers(1, columns + 1), label="column"),
                value=draw(st.sampled_from([None, "", "实施编码", "备注", "未知列", "份数＊"]),
                           label="header"))
    else:
        if draw(st.booleans(), label="remove"):
            wb.remove(ws)
        else:
            ws.title = draw(st.sampled_from(["Sheet1", "办事指南 ", "好差评统计", "申请材料"]),
                            label="title")[:31]
    out = BytesIO()
    wb.save(out)
    return out.getvalue(), how


@st.composite
def garbled_xlsx(draw, raw: bytes) -> bytes:
    """An xlsx is a zip: cut off, bytes flipped or inserted, emptied, or noise."""
    how = draw(st.sampled_from(["cut", "flip", "insert", "empty", "noise"]), label="how")
    at = draw(st.integers(0, len(raw) - 1), label="at")
    noise = draw(st.binary(min_size=1, max_size=64), label="noise")
    return {"cut": raw[:at], "flip": raw[:at] + noise + raw[at + len(noise):],
            "insert": raw[:at] + noise + raw[at:], "empty": b"", "noise": noise}[how]


def import_workbook(hall: Hall, kind: str, data: bytes):
    """Read, check and (when clean) apply ``data`` as the panel does: the file's error, the
    check's outcome, and the table counts before and after."""
    hall.reset()
    with tempfile.TemporaryDirectory(dir=hall.folder) as tmp, hall.app.app_context():
        path = Path(tmp) / "upload.xlsx"
        path.write_bytes(data)
        before = counts()
        try:
            sheets = read(path, kind, Limits())
        except ExcelFileError as err:
            return err, None, before, counts()
        if kind == "guides":
            out = guides.check(db.session, sheets, TZ, "tester")
        else:
            out = evaluations.check(db.session, sheets)
        db.session.rollback()
        if out.ok:
            if kind == "guides":
                guides.apply(db.session, out, "tester", datetime.now(UTC), "upload.xlsx")
            else:
                evaluations.apply(db.session, out, "tester", "upload.xlsx")
            db.session.commit()
        return None, out, before, counts()


@SETTING
@given(kind=st.sampled_from(["guides", "evaluations"]), data=st.data())
@pytest.mark.reliability("Spoilt Excel workbooks", "hypothesis: an exported guides / 好差评 workbook with a cell mistyped, huge, negative or odd, a row dropped or doubled, a header or sheet renamed, cut off or garbled",
                         "ExcelFileError, or errors naming sheet, row and column with nothing stored, or imported")
def test_a_spoilt_workbook_is_refused_naming_the_cell_or_imported(hall, kind, data):
    raw, how = data.draw(spoilt_workbook(hall.files[kind], kind), label="workbook")
    err, out, before, after = import_workbook(hall, kind, raw)
    if err is not None:
        assert err.message and isinstance(err.message, str), how
        assert after == before
        return
    if not out.ok:
        sheets = {s.name for s in KINDS[kind]}
        for e in out.errors:
            assert e.sheet in sheets and e.column and e.message, (e, how)
            assert e.row is None or e.row >= 2, (e, how)
        assert after == before, f"refused ({out.errors[:3]}) but stored: {before} -> {after}"


def damaged_member(raw: bytes) -> bytes:
    """``raw`` with the compressed bytes of its biggest member overwritten: the zip's
    directory is intact (so it opens), reading that member fails inside zlib."""
    with zipfile.ZipFile(BytesIO(raw)) as archive:
        info = max((i for i in archive.infolist() if i.compress_type == zipfile.ZIP_DEFLATED),
                   key=lambda i: i.compress_size)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = bytearray(raw)
    data[start:start + 16] = b"\xff" * 16
    return bytes(data)


@pytest.mark.reliability(".xlsx with a damaged member", "Excel import of a workbook whose largest part's compressed bytes are overwritten",
                         "ExcelFileError (damaged), not a zlib.error")
def test_a_workbook_with_a_damaged_part_is_refused_as_damaged(hall, tmp_path):
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(damaged_member(hall.files["guides"]))
    with pytest.raises(ExcelFileError) as info:
        read(path, "guides", Limits())
    assert "损坏" in info.value.message
