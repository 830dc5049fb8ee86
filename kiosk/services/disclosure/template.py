"""The 2021 annual-report template (国办公开办函〔2021〕30号) as data.

Everything that knows the template's rows, their order, their printed labels and the words
that identify them lives here, so the parser, the checker and the renderers agree on one
description and a wording change in some agency's copy is fixed in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

COLUMNS = (
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_services",
    "other",
    "total",
)
COLUMN_LABELS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
TOTAL = 6  # index of the 总计 column in every application row

REVIEW_PARTS = ("upheld", "corrected", "other", "pending", "total")
REVIEW_PART_LABELS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
REVIEW_GROUPS = ("review", "litigation_direct", "litigation_after_review")
REVIEW_GROUP_LABELS = ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")


@dataclass(frozen=True)
class SubRow:
    """A numbered sub-row (``1.属于国家秘密``) inside an outcome group."""

    key: str
    label: str  # as printed, numbered
    keywords: tuple[str, ...]  # any of these identifies the row inside its group


@dataclass(frozen=True)
class Group:
    """An outcome group of 三、本年度办理结果: a single row, or a group of numbered sub-rows."""

    key: str
    label: str  # official wording, full-width brackets
    keyword: str
    subs: tuple[SubRow, ...] = ()


GROUPS: tuple[Group, ...] = (
    Group("granted", "（一）予以公开", "予以公开"),
    Group("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "部分公开"),
    Group(
        "withheld",
        "（三）不予公开",
        "不予公开",
        (
            SubRow("state_secret", "1.属于国家秘密", ("国家秘密",)),
            SubRow("prohibited_by_law", "2.其他法律行政法规禁止公开", ("禁止公开",)),
            SubRow("three_securities_one_stability", "3.危及“三安全一稳定”", ("三安全", "一稳定")),
            SubRow("third_party_rights", "4.保护第三方合法权益", ("第三方",)),
            SubRow("internal_affairs", "5.属于三类内部事务信息", ("内部事务",)),
            SubRow("process_information", "6.属于四类过程性信息", ("过程性",)),
            SubRow("enforcement_files", "7.属于行政执法案卷", ("执法案卷",)),
            SubRow("query_matters", "8.属于行政查询事项", ("查询事项",)),
        ),
    ),
    Group(
        "unable",
        "（四）无法提供",
        "无法提供",
        (
            SubRow("not_held", "1.本机关不掌握相关政府信息", ("不掌握",)),
            SubRow("needs_creation", "2.没有现成信息需要另行制作", ("另行制作", "没有现成")),
            SubRow("still_unclear", "3.补正后申请内容仍不明确", ("不明确",)),
        ),
    ),
    Group(
        "not_processed",
        "（五）不予处理",
        "不予处理",
        (
            SubRow("petition_complaint", "1.信访举报投诉类申请", ("信访", "举报", "投诉")),
            SubRow("repeated", "2.重复申请", ("重复申请",)),
            SubRow("publications", "3.要求提供公开出版物", ("出版物",)),
            SubRow("massive_repeated", "4.无正当理由大量反复申请", ("大量反复", "反复申请")),
            SubRow("confirm_reissue", "5.要求行政机关确认或重新出具已获取信息", ("确认", "重新出具")),
        ),
    ),
    Group(
        "other",
        "（六）其他处理",
        "其他处理",
        (
            SubRow(
                "overdue_correction",
                "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                ("不补正",),
            ),
            SubRow(
                "overdue_fee",
                "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                ("缴纳", "收费"),
            ),
            SubRow("other", "3.其他", ("其他",)),
        ),
    ),
    Group("total", "（七）总计", "总计"),
)
GROUP_BY_KEY = {g.key: g for g in GROUPS}

TOP_ROWS = {
    "new": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "results": "三、本年度办理结果",
    "carried_forward": "四、结转下年度继续办理",
}
TOP_KEYWORDS = (("本年新收", "new"), ("上年结转", "carried_over"), ("办理结果", "results"),
                ("结转下年", "carried_forward"))

AppPath = tuple[str, ...]  # ("new",) or ("withheld", "state_secret")


def application_paths() -> list[AppPath]:
    """Every application row in the template's order (25 rows)."""
    paths: list[AppPath] = [("new",), ("carried_over",)]
    for group in GROUPS:
        if group.subs:
            paths.extend((group.key, sub.key) for sub in group.subs)
        else:
            paths.append((group.key,))
    paths.append(("carried_forward",))
    return paths


APPLICATION_PATHS: tuple[AppPath, ...] = tuple(application_paths())
# the rows that （七）总计 adds up: every outcome row except the total itself
OUTCOME_PATHS: tuple[AppPath, ...] = tuple(
    p for p in APPLICATION_PATHS if p[0] not in ("new", "carried_over", "carried_forward", "total")
)


def row_label(path: AppPath) -> str:
    """The printed name of an application row, e.g. ``三、（三）不予公开 1.属于国家秘密``."""
    if path[0] in TOP_ROWS:
        return TOP_ROWS[path[0]]
    group = GROUP_BY_KEY[path[0]]
    if len(path) == 1:
        return f"三、{group.label}"
    sub = next(s for s in group.subs if s.key == path[1])
    return f"三、{group.label} {sub.label}"


def path_name(path: AppPath) -> str:
    """Dotted field path of an application row, as used in check ``cells``."""
    return "applications." + ".".join(path)


# 主动公开 (第二十条第（一）（五）（六）（八）项)
PROACTIVE_LABELS = {
    "regulations": "规章",
    "normative_documents": "行政规范性文件",
    "licensing": "行政许可",
    "penalty": "行政处罚",
    "enforcement": "行政强制",
    "fees_10k_yuan": "行政事业性收费",
}
PROACTIVE_COUNT_FIELDS = ("issued", "repealed", "in_force")
PROACTIVE_COUNT_LABELS = ("本年制发件数", "本年废止件数", "现行有效件数")

# Words that only the 2019 template prints; finding one means the numbers would be misread.
TEMPLATE_2019_MARKERS = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "第二十条第(九)项")

# Header cells of the application table (never data rows).
APPLICATION_HEADER_WORDS = ("申请人情况", "自然人", "法人或其他组织", "商业企业", "科研机构",
                            "社会公益组织", "法律服务机构", "勾稽关系")
REVIEW_HEADER_WORDS = ("行政复议", "行政诉讼", "维持", "纠正", "其他结果", "审结", "起诉", "总计",
                       "结果")
