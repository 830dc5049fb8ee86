"""Excel import/export in the panel: templates, every error listed with nothing stored,
imported guides become submitted versions a reviewer approves, round trip, 好差评 import,
escaping (kiosk/admin/excel.py, kiosk/services/excel/). Files and jobs: test_excel_jobs.py."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.models import AuditLog, ContentVersion, EvaluationStat, Guide
from kiosk.services.excel.columns import EVALUATIONS, GUIDES, MATERIALS

from .conftest import page_token, text_of
from .excel_util import (
    PAYLOAD,
    count,
    counted,
    download,
    error_rows,
    exported_guides,
    job_page,
    new_guide,
    rows_of,
    set_row,
    signed_in,
    to_bytes,
    upload,
)


# -- templates ---------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["viewer", "editor", "admin"])
def test_templates_download_and_open(demo_app, demo_staff, role):
    client = signed_in(demo_app, role)
    wb = download(client, "/admin/import/guides/template.xlsx")
    assert wb.sheetnames[:3] == [GUIDES.name, MATERIALS.name, "说明"]
    assert [c.value for c in wb[GUIDES.name][1]] == GUIDES.headers
    assert [c.value for c in wb[MATERIALS.name][1]] == MATERIALS.headers
    assert wb[GUIDES.name].freeze_panes == "C2" and wb[MATERIALS.name].freeze_panes == "A2"
    assert rows_of(wb, GUIDES.name) == [] and rows_of(wb, MATERIALS.name) == []
    lists = {str(dv.sqref).split(":")[0][:-1]: dv.formula1
             for dv in wb[GUIDES.name].data_validations.dataValidation if dv.type == "list"}
    letter = {h: chr(ord("A") + i) for i, h in enumerate(GUIDES.headers)}
    for header in ("事项类型", "办件类型", "服务对象", "实施部门", "通办范围", "是否网办"):
        assert "选项" in lists[letter[header]], header
    options = wb["选项"]
    column = [c.value for c in options[1]].index("item_type") + 1
    assert [options.cell(row=r, column=column).value for r in range(2, 10)][:2] == ["行政许可", "行政确认"]
    column = [c.value for c in options[1]].index("department") + 1
    assert "洛阳市公安局老城分局" in [options.cell(row=r, column=column).value for r in range(2, 30)]
    assert options.sheet_state == "hidden"
    help_text = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    for header in GUIDES.headers + MATERIALS.headers:
        assert header in help_text
    assert "必要、容缺" in help_text and "审核" in help_text

    wb = download(client, "/admin/import/evaluations/template.xlsx")
    assert [c.value for c in wb[EVALUATIONS.name][1]] == [
        "统计月份", "窗口", "部门", "非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert wb[EVALUATIONS.name].freeze_panes == "A2"


def test_export_keeps_formula_like_text_as_text(demo_app, demo_staff):
    with demo_app.app_context():
        guide = db.session.scalar(select(Guide).order_by(Guide.code))
        guide.name = '=HYPERLINK("http://evil.example","点我")'
        code = guide.code
        db.session.commit()
    wb = load_workbook(BytesIO(signed_in(demo_app, "viewer").get("/admin/import/guides/export.xlsx").data))
    cell = next(r[1] for r in wb[GUIDES.name].iter_rows(min_row=2) if r[0].value == code)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


# -- errors ------------------------------------------------------------------------------------
def test_errors_in_several_rows_are_all_listed_and_nothing_is_stored(demo_app, demo_staff):
    client = signed_in(demo_app, "editor")
    wb = download(client, "/admin/import/guides/template.xlsx")
    new_guide(wb, 2, "XL-0001", 事项类型="行政审批")                       # not an allowed type
    new_guide(wb, 3, "XL-0002", **{"法定时限（工作日）": 5, "承诺时限（工作日）": 9})   # promised > legal
    new_guide(wb, 4, "XL-0003", 事项名称=None, 实施部门="不存在的局")        # two mistakes, one row
    new_guide(wb, 5, "XL-0001")                                             # duplicate code
    new_guide(wb, 6, "XL-0004", 是否网办="是")                             # online without URL
    set_row(wb, MATERIALS.name, 2, 实施编码="XL-0002", 材料名称="身份证", 材料形式="原件", 必要性="可选")
    set_row(wb, MATERIALS.name, 3, 实施编码="XL-9999", 材料名称="户口簿", 材料形式="原件", 必要性="必要")
    set_row(wb, MATERIALS.name, 4, 实施编码="XL-0004", 材料名称="照片", 材料形式="原件", 份数="两份", 必要性="必要")
    guides_before, audits_before = count(demo_app, Guide), count(demo_app, AuditLog)

    key, page = job_page(client, "guides", to_bytes(wb), "有错误.xlsx")
    assert page.status_code == 200
    rows = error_rows(page)
    where = {(s, r, c) for s, r, c, _ in rows}
    assert where == {
        ("办事指南", "2", "事项类型"), ("办事指南", "3", "承诺时限（工作日）"), ("办事指南", "4", "事项名称"),
        ("办事指南", "4", "实施部门"), ("办事指南", "5", "实施编码"), ("办事指南", "6", "网办地址"),
        ("申请材料", "2", "必要性"), ("申请材料", "3", "实施编码"), ("申请材料", "4", "份数"),
    }, rows
    messages = {(s, r, c): m for s, r, c, m in rows}
    assert "行政审批" in messages[("办事指南", "2", "事项类型")]
    assert "不能超过法定时限" in messages[("办事指南", "3", "承诺时限（工作日）")]
    assert "与第 2 行重复" in messages[("办事指南", "5", "实施编码")]
    assert "XL-9999" in messages[("申请材料", "3", "实施编码")]
    assert f"发现 {len(rows)} 处错误" in text_of(page)
    assert 'data-testid="confirm-import"' not in page.get_data(as_text=True)

    # confirming anyway stores nothing
    token = page_token(client, f"/admin/import/job/{key}")
    r = client.post(f"/admin/import/job/{key}/confirm", data={"csrf_token": token})
    assert r.status_code == 302
    assert "没有导入" in text_of(client.get(r.location))
    assert count(demo_app, Guide) == guides_before
    assert count(demo_app, ContentVersion) == 0
    assert count(demo_app, AuditLog) == audits_before


# -- guides through review ---------------------------------------------------------------------
def test_clean_file_creates_submitted_versions_that_a_reviewer_approves(demo_app, demo_staff):
    editor = signed_in(demo_app, "editor")
    wb = exported_guides(editor)
    ws = wb[GUIDES.name]
    changed_code = ws["A2"].value
    set_row(wb, GUIDES.name, 2, 办理时间="周一至周日 8:30-18:00")
    new_row = ws.max_row + 1
    new_guide(wb, new_row, "XL-NEW-1", 服务对象="自然人、法人", 常见问题="能代办吗？ | 可以，带委托书。")
    m = wb[MATERIALS.name].max_row + 1
    set_row(wb, MATERIALS.name, m, 实施编码="XL-NEW-1", 材料名称="居民身份证", 材料形式="原件/复印件", 份数=2, 必要性="必要")
    total = ws.max_row - 1

    key, page = job_page(editor, "guides", to_bytes(wb), "指南.xlsx")
    html = page.get_data(as_text=True)
    assert (counted(page, "new"), counted(page, "changed"), counted(page, "unchanged")) == (1, 1, total - 2)
    assert "办理时间" in text_of(page) and "XL-NEW-1" in html
    token = page_token(editor, f"/admin/import/job/{key}")
    r = editor.post(f"/admin/import/job/{key}/confirm", data={"csrf_token": token})
    assert r.status_code == 302 and r.location.endswith("/admin/content/guides")
    assert "均已提交审核" in text_of(editor.get(r.location))

    with demo_app.app_context():
        versions = db.session.scalars(select(ContentVersion).order_by(ContentVersion.object_key)).all()
        assert {(v.object_key, v.state, v.author, v.kind) for v in versions} == {
            (changed_code, "submitted", "editor", "edit"), ("XL-NEW-1", "submitted", "editor", "create")}
        assert db.session.scalar(select(Guide).where(Guide.code == "XL-NEW-1")) is None  # not live
        live = db.session.scalar(select(Guide).where(Guide.code == changed_code))
        assert live.hours != "周一至周日 8:30-18:00"
        new = next(v for v in versions if v.object_key == "XL-NEW-1")
        assert new.data["audience"] == ["自然人", "法人"]
        assert new.data["faq"] == [{"q": "能代办吗？", "a": "可以，带委托书。"}]
        assert new.data["materials"][0]["copies"] == 2 and new.data["materials"][0]["form"] == "原件/复印件"
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "excel_import")).after["new"] == 1
        ids = {v.object_key: v.id for v in versions}
    assert not (Path(demo_app.config["DATA_DIR"]) / "excel-imports" / f"{key}.xlsx").exists()

    # the same file again: both are already waiting for review, nothing to import
    _, again = job_page(editor, "guides", to_bytes(wb))
    assert 'data-testid="nothing-to-import"' in again.get_data(as_text=True)

    # the editor cannot approve; a reviewer can, and then the guide is live
    token = page_token(editor, "/admin/")
    assert editor.post(f"/admin/review/{ids['XL-NEW-1']}/approve", data={"csrf_token": token}).status_code == 403
    reviewer = signed_in(demo_app, "reviewer")
    token = page_token(reviewer, "/admin/review")
    for vid in ids.values():
        assert reviewer.post(f"/admin/review/{vid}/approve", data={"csrf_token": token}).status_code == 302
    with demo_app.app_context():
        guide = db.session.scalar(select(Guide).where(Guide.code == "XL-NEW-1"))
        assert guide is not None and guide.status == "published" and guide.materials[0].name == "居民身份证"
        assert db.session.scalar(select(Guide).where(Guide.code == changed_code)).hours == "周一至周日 8:30-18:00"


def test_round_trip_export_then_import_changes_nothing(demo_app, demo_staff):
    with demo_app.app_context():  # a material with a sample form: attachments stay out of the file
        guide = db.session.scalar(select(Guide).where(Guide.materials.any()).order_by(Guide.code))
        guide.materials[0].sample_form = "uploads/sample.pdf"
        db.session.commit()
    editor = signed_in(demo_app, "editor")
    _, page = job_page(editor, "guides", to_bytes(exported_guides(editor)))
    html = page.get_data(as_text=True)
    assert 'data-testid="nothing-to-import"' in html, text_of(page)[:2000]
    assert (counted(page, "new"), counted(page, "changed"), counted(page, "unchanged")) == (0, 0, count(demo_app, Guide))

    reviewer = signed_in(demo_app, "reviewer")
    data = reviewer.get("/admin/import/evaluations/export.xlsx").data
    _, page = job_page(reviewer, "evaluations", data)
    html = page.get_data(as_text=True)
    assert 'data-testid="nothing-to-import"' in html
    assert (counted(page, "new"), counted(page, "changed"), counted(page, "unchanged")) == (
        0, 0, count(demo_app, EvaluationStat))


def test_changed_material_keeps_its_sample_form(demo_app, demo_staff):
    with demo_app.app_context():
        guide = db.session.scalar(select(Guide).where(Guide.materials.any()).order_by(Guide.code))
        guide.materials[0].sample_form = "uploads/sample.pdf"
        code, first = guide.code, guide.materials[0].name
        db.session.commit()
    editor = signed_in(demo_app, "editor")
    wb = exported_guides(editor)
    row = next(r for r in range(2, wb[MATERIALS.name].max_row + 1)
               if wb[MATERIALS.name].cell(row=r, column=1).value == code)
    set_row(wb, MATERIALS.name, row, 备注="新的备注")
    key, page = job_page(editor, "guides", to_bytes(wb))
    assert counted(page, "changed") == 1
    editor.post(f"/admin/import/job/{key}/confirm", data={"csrf_token": page_token(editor, "/admin/import")})
    with demo_app.app_context():
        v = db.session.scalar(select(ContentVersion).where(ContentVersion.object_key == code))
        material = v.data["materials"][0]
        assert material["name"] == first and material["note"] == "新的备注"
        assert material["sample_form"] == "uploads/sample.pdf"


# -- 好差评 -------------------------------------------------------------------------------------
def test_evaluation_import_changes_the_stats_audits_and_republishes(demo_app, demo_staff, monkeypatch):
    calls = []

    class FakePublisher:
        def changed(self, groups=None):
            calls.append(groups)
            return 0

    monkeypatch.setattr("kiosk.admin.excel.get_publisher", lambda app: FakePublisher())
    reviewer = signed_in(demo_app, "reviewer")
    wb = load_workbook(BytesIO(reviewer.get("/admin/import/evaluations/export.xlsx").data))
    ws = wb[EVALUATIONS.name]
    period, window = ws["A2"].value, ws["B2"].value
    ws["D2"] = 999
    ws.append(["2031-01", "新窗口" + PAYLOAD, "gongan", 10, 5, 1, 0, 0])
    key, page = job_page(reviewer, "evaluations", to_bytes(wb))
    html = page.get_data(as_text=True)
    assert (counted(page, "new"), counted(page, "changed")) == (1, 1)
    assert PAYLOAD not in html and "新窗口&lt;img" in html
    r = reviewer.post(f"/admin/import/job/{key}/confirm", data={"csrf_token": page_token(reviewer, "/admin/import")})
    assert r.status_code == 302 and "屏幕已更新" in text_of(reviewer.get(r.location))
    assert calls == [None]
    with demo_app.app_context():
        year, month = map(int, period.split("-"))
        row = db.session.scalar(select(EvaluationStat).where(EvaluationStat.window == window,
                                                             func.strftime("%Y-%m", EvaluationStat.period) == period))
        assert row.very_satisfied == 999
        added = db.session.scalar(select(EvaluationStat).where(EvaluationStat.window.startswith("新窗口")))
        assert (added.period.year, added.period.month, added.satisfied, added.department.code) == (2031, 1, 5, "gongan")
        audits = db.session.scalars(select(AuditLog).where(AuditLog.action == "evaluation_import")).all()
        assert len(audits) == 2 and all(a.actor == "reviewer" for a in audits)
        changed = next(a for a in audits if a.before is not None)
        assert changed.after["very_satisfied"] == 999 and changed.before["very_satisfied"] != 999


def test_evaluation_errors_are_listed(demo_app, demo_staff):
    reviewer = signed_in(demo_app, "reviewer")
    wb = download(reviewer, "/admin/import/evaluations/template.xlsx")
    ws = wb[EVALUATIONS.name]
    ws.append(["2026-13", "A1", "gongan", 1, 1, 1, 1, 1])
    ws.append(["2026-05", "A1", "没有的部门", -1, "多", 1, None, 1])
    ws.append(["2026-05", "A1", "gongan", 1, 1, 1, 1, 1])
    ws.append(["2026-05", "A1", "gongan", 1, 1, 1, 1, 1])
    _, page = job_page(reviewer, "evaluations", to_bytes(wb))
    where = {(s, r, c) for s, r, c, _ in error_rows(page)}
    assert where == {("好差评统计", "2", "统计月份"), ("好差评统计", "3", "部门"), ("好差评统计", "3", "非常满意"),
                     ("好差评统计", "3", "满意"), ("好差评统计", "3", "不满意"), ("好差评统计", "5", "窗口")}


def test_editors_cannot_import_evaluations(demo_app, demo_staff):
    editor = signed_in(demo_app, "editor")
    data = editor.get("/admin/import/evaluations/export.xlsx").data
    assert upload(editor, "evaluations", data).status_code == 403
    assert 'action="/admin/import/evaluations"' not in editor.get("/admin/import").get_data(as_text=True)


# -- escaping ----------------------------------------------------------------------------------
def test_xss_payload_in_cells_is_escaped_in_the_preview(demo_app, demo_staff):
    client = signed_in(demo_app, "editor")
    wb = download(client, "/admin/import/guides/template.xlsx")
    new_guide(wb, 2, "XL-X1", 事项名称="好名字" + PAYLOAD)           # valid row: shown in the summary
    new_guide(wb, 3, "XL-X2", 事项类型=PAYLOAD)                      # invalid: echoed in the message
    _, page = job_page(client, "guides", to_bytes(wb), PAYLOAD + ".xlsx")
    html = page.get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    wb = download(client, "/admin/import/guides/template.xlsx")
    new_guide(wb, 2, "XL-X1", 事项名称="好名字" + PAYLOAD)
    _, page = job_page(client, "guides", to_bytes(wb), "ok.xlsx")
    html = page.get_data(as_text=True)
    assert "<script>alert" not in html and "好名字&lt;img src=x" in html


