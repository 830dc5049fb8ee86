"""The workbook format: sheet names, Chinese column headers, help text and allowed values.

Headers follow the national 办事指南 element list as the guide form labels them
(:data:`kiosk.services.review_validate.GUIDE_LABELS`), so a column reads like the field it
fills. Materials — a guide has several — sit on their own sheet, one material per row, tied
to their guide by 实施编码; their order on that sheet is their order in the guide.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..importer.parsers import CASE_TYPES, ITEM_TYPES, MATERIAL_FORMS, NECESSITIES, SCOPES
from ..review_validate import GUIDE_LABELS

YES, NO = "是", "否"
BOTH_AUDIENCES = "自然人、法人"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    help: str
    required: bool = False
    options: str | None = None  # name of a drop-down list (see OPTIONS / "department")
    kind: str = "text"  # text | int | lines | datetime | period
    width: int = 16


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    row_factor: int = 1  # rows allowed = Limits.max_rows × this
    freeze: str = "A2"

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def _g(key: str, help: str, **kw) -> Column:
    return Column(key, GUIDE_LABELS[key], help, **kw)


GUIDES = Sheet("办事指南", (
    _g("code", "事项的实施编码，全表唯一；已有的编码表示修改该指南，新编码表示新建。字母、数字、点、横线、下划线，最多 64 个字符。", required=True, width=34),
    _g("name", "事项名称，最多 200 个字符。", required=True, width=28),
    _g("item_type", "从下拉列表选择。", required=True, options="item_type", width=14),
    _g("department", "实施部门：从下拉列表选择部门名称（也可填部门编码，见“选项”工作表）。", required=True, options="department", width=24),
    _g("basis", "法律法规依据，纯文本。", width=30),
    _g("conditions", "受理条件，纯文本。", width=30),
    _g("process", "每一步写一行（单元格内换行：Alt+Enter）。", kind="lines", width=30),
    _g("legal_limit_days", "工作日数，0 或正整数；没有法定时限则留空。", kind="int", width=10),
    _g("promised_limit_days", "工作日数，0 或正整数，不能超过法定时限。", kind="int", width=10),
    _g("case_type", "从下拉列表选择。", required=True, options="case_type", width=10),
    _g("fee", "收费标准及依据；留空表示“不收费”。", width=20),
    _g("location", "办理地点。", width=24),
    _g("window", "办理窗口，最多 100 个字符。", width=18),
    _g("hours", "办理时间。", width=24),
    _g("phone", "咨询电话，最多 60 个字符（请按文本填写，保留区号前的 0）。", width=16),
    _g("complaint_phone", "监督投诉电话，最多 60 个字符。", width=14),
    _g("visits", "0 或正整数；留空表示 1 次。", kind="int", width=10),
    _g("online", "“是”或“否”；留空表示否。", options="online", width=8),
    _g("online_url", "http:// 或 https:// 开头的网址；是否网办为“是”时必填。", width=30),
    _g("scope", "从下拉列表选择，可留空。", options="scope", width=12),
    _g("audience", "自然人、法人，或两者（用顿号分隔）。", options="audience", width=14),
    _g("themes", "主题分类，多个用顿号“、”或逗号分隔。", width=16),
    _g("aliases", "事项俗称／关键词：群众对本事项的叫法（例如：补结婚证、结婚证丢了），多个用顿号“、”分隔，搜索时与事项名称同等看待。", width=20),
    _g("faq", "每行一个问答，写成“问题 | 回答”。", kind="lines", width=30),
    _g("publish_from", "可留空（审核通过即发布）；格式 YYYY-MM-DD HH:MM。", kind="datetime", width=17),
    _g("expire_at", "可留空；格式 YYYY-MM-DD HH:MM，须晚于生效时间。", kind="datetime", width=17),
), freeze="C2")

MATERIALS = Sheet("申请材料", (
    Column("code", "实施编码", "这份材料所属指南的实施编码，须在“办事指南”表中出现。一个指南的全部材料按本表中的先后顺序排列。", required=True, width=34),
    Column("name", "材料名称", "最多 300 个字符；同一指南内不能重复。", required=True, width=30),
    Column("form", "材料形式", "从下拉列表选择。", required=True, options="form", width=12),
    Column("copies", "份数", "0 或正整数；留空表示 1 份。", kind="int", width=8),
    Column("necessity", "必要性", "从下拉列表选择：必要 或 容缺。", required=True, options="necessity", width=10),
    Column("note", "备注", "可留空。", width=30),
), row_factor=10)

EVALUATIONS = Sheet("好差评统计", (
    Column("period", "统计月份", "YYYY-MM，例如 2026-05。", required=True, kind="period", width=12),
    Column("window", "窗口", "窗口名称，最多 100 个字符；同一月份内不能重复。", required=True, width=28),
    Column("department", "部门", "从下拉列表选择部门名称（也可填部门编码）。", required=True, options="department", width=24),
    Column("very_satisfied", "非常满意", "评价次数，0 或正整数。", required=True, kind="int", width=10),
    Column("satisfied", "满意", "评价次数，0 或正整数。", required=True, kind="int", width=10),
    Column("basic", "基本满意", "评价次数，0 或正整数。", required=True, kind="int", width=10),
    Column("dissatisfied", "不满意", "评价次数，0 或正整数。", required=True, kind="int", width=10),
    Column("very_dissatisfied", "非常不满意", "评价次数，0 或正整数。", required=True, kind="int", width=10),
))

OPTIONS: dict[str, tuple[str, ...]] = {
    "item_type": ITEM_TYPES,
    "case_type": CASE_TYPES,
    "scope": SCOPES,
    "online": (YES, NO),
    "audience": ("自然人", "法人", BOTH_AUDIENCES),
    "form": MATERIAL_FORMS,
    "necessity": NECESSITIES,
}

HELP_SHEET = "说明"
OPTIONS_SHEET = "选项"
KINDS = {"guides": (GUIDES, MATERIALS), "evaluations": (EVALUATIONS,)}
TITLES = {"guides": "办事指南", "evaluations": "好差评统计"}
