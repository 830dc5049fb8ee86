"""The small content folder (``mini``) the import tests write, and their helpers.

Each bad-input case changes one line of a known file of this folder, so the expected error
can name that file, row and field exactly.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import func, select

from kiosk import models as m
from kiosk.extensions import db

CONTENT = Path(__file__).resolve().parent.parent / "content"
SFZ_PDF = b"%PDF-1.4\n"  # forms/sfz-sample.pdf of the mini folder: the PDF signature is enough
SFZ_SAMPLE = f"uploads/{hashlib.sha256(SFZ_PDF).hexdigest()}.pdf"  # where the import stores it

MINI = {
    "departments.yaml": """\
- code: gongan
  name: 洛阳市公安局老城分局
  short_name: 公安分局
  phone: "0379-63231110"
- code: minzheng
  name: 老城区民政局
""",
    "guides/gongan.yaml": """\
# 公安
- code: "G-SFZ-HL"
  name: 居民身份证换领
  item_type: 公共服务
  department: gongan
  basis: 《中华人民共和国居民身份证法》第十一条
  materials:
    - name: 居民户口簿
      form: 原件
      copies: 1
      necessity: 必要
    - name: 原居民身份证
      form: 原件
      necessity: 容缺
      sample_form: forms/sfz-sample.pdf
  process: [申请, 受理, 审核, 办结]
  legal_limit_days: 60
  promised_limit_days: 15
  case_type: 承诺件
  visits: 1
  online: false
  scope: 全市通办
  audience: [自然人]
  themes: [户籍身份]
  faq:
    - q: 身份证丢了怎么办？
      a: 携带户口簿到户政窗口申请补领。
- code: "G-HK-QR"
  name: 户口迁入
  item_type: 行政确认
  department: gongan
  case_type: 即办件
  online: true
  online_url: https://www.hnzwfw.gov.cn/hk
  audience: [自然人]
""",
    "guides/minzheng.yaml": """\
- code: "M-JH"
  name: 内地居民婚姻登记
  item_type: 行政确认
  department: minzheng
  case_type: 即办件
  materials:
    - {name: 居民户口簿, form: 原件, necessity: 必要}
    - {name: 居民身份证, form: 原件/复印件, copies: 2, necessity: 必要}
""",
    "bundles.yaml": """\
- code: move-in
  name: 迁户一件事
  description: 户口迁入与婚姻登记一次办
  guides: ["G-HK-QR", "M-JH"]
  visits: 0
""",
    "evaluations.csv": """\
period,window,department,very_satisfied,satisfied,basic,dissatisfied,very_dissatisfied
2024-05,A区1号窗口,gongan,120,10,2,1,0
2024-05,B区1号窗口,minzheng,80,5,0,0,0
2024-06,A区1号窗口,gongan,130,12,1,0,1
""",
    "notices.yaml": """\
- code: holiday
  kind: notice
  title: 国庆节放假通知
  body: |
    <p onclick="steal()">10月1日至7日<strong>闭厅</strong>。</p>
    <script>alert('x')</script>
    <img src="images/holiday.png" alt="放假" onerror="alert(1)">
    <img src="javascript:alert(1)">
    <a href="https://evil.example">链接</a>
  publish_from: "2024-09-25 08:00"
  expire_at: "2024-10-08 00:00"
- code: promo
  kind: publicity
  title: 帮办代办
  image: https://example.org/promo.png
""",
    "ticker.yaml": """\
- code: welcome
  text: 欢迎来到老城区政务服务中心
- code: lobby-only
  text: 大厅屏专用
  groups: [lobby]
""",
    "screens.yaml": """\
playlists:
  - name: lobby-day
    title: 大厅日间轮播
    items:
      - {ref: "guide:G-SFZ-HL", duration: 15}
      - {ref: "bundle:move-in", duration: 20}
      - {ref: "evaluation:hall"}
      - {ref: "evaluation:department:gongan", duration: 15}
      - {ref: "disclosure:mini-2023", duration: 25}
      - {ref: "notice:holiday", duration: 15}
  - name: lunch
    items:
      - {ref: "notice:promo", duration: 10}
groups:
  - {name: lobby, title: 大厅LED大屏, default_playlist: lobby-day}
  - {name: windows, title: 窗口条屏}
schedule:
  - name: lunch-break
    playlist: lunch
    groups: [lobby, windows]
    start_date: 2024-01-01
    weekdays: [1, 2, 3, 4, 5]
    start: "12:00"
    end: "13:30"
    priority: 10
screens:
  - {name: 大厅主屏, group: lobby, kind: led_wall}
  - {name: A区1号窗口条屏, group: windows, kind: led_strip}
  - {name: 大厅副屏, group: lobby, kind: led_wall, layout: custom_wall}
""",
}


def disclosure_json(code: str = "mini-2023", year: int = 2023) -> str:
    zeros = "[0, 0, 0, 0, 0, 0, 0]"
    docs = '{"issued": 0, "repealed": 0, "in_force": 0}'
    outcome = '{"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0}'
    rows = lambda *keys: "{" + ", ".join(f'"{k}": {zeros}' for k in keys) + "}"  # noqa: E731
    return f"""{{
  "code": "{code}", "agency": "老城区政务服务和大数据管理局", "year": {year}, "template": "2021",
  "proactive": {{"regulations": {docs}, "normative_documents": {docs},
                 "licensing": 0, "penalty": 0, "enforcement": 0, "fees_10k_yuan": 0}},
  "applications": {{
    "new": {zeros}, "carried_over": {zeros}, "granted": {zeros}, "partially_granted": {zeros},
    "withheld": {rows("state_secret", "prohibited_by_law", "three_securities_one_stability",
                      "third_party_rights", "internal_affairs", "process_information",
                      "enforcement_files", "query_matters")},
    "unable": {rows("not_held", "needs_creation", "still_unclear")},
    "not_processed": {rows("petition_complaint", "repeated", "publications", "massive_repeated",
                           "confirm_reissue")},
    "other": {rows("overdue_correction", "overdue_fee", "other")},
    "total": {zeros}, "carried_forward": {zeros}}},
  "reviews_and_litigation": {{"review": {outcome}, "litigation_direct": {outcome},
                              "litigation_after_review": {outcome}}},
  "checks": [{{"rule": "total_column", "ok": true, "message": "总计列正确"}}]
}}
"""


def write_folder(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def make_mini(tmp_path: Path) -> Path:
    """Write the small content folder (the ``mini`` fixture of conftest.py)."""
    root = write_folder(tmp_path / "content", {**MINI, "disclosure/mini-2023.json": disclosure_json()})
    (root / "forms").mkdir()
    (root / "forms" / "sfz-sample.pdf").write_bytes(SFZ_PDF)
    return root


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def table_counts() -> dict[str, int]:
    models = (
        m.Department, m.Guide, m.Material, m.Bundle, m.BundleGuide, m.EvaluationStat,
        m.DisclosureReport, m.Notice, m.TickerLine, m.Playlist, m.PlaylistItem, m.ScreenGroup,
        m.ScheduleEntry, m.Screen,
    )
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in models}


