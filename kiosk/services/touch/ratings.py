"""好差评 from a kiosk: the five national levels, the reasons offered for each, and storing
one rating as an individual :class:`~kiosk.models.Evaluation`.

The reasons follow the offline indicators of the national 政务服务“好差评” scheme (国办发
〔2019〕51号): 整体满意度, 服务效率, 服务水平, 服务态度, 办事指南精确度, 办事便捷度 — put as
a citizen would say them, with a few hall-specific ones (equipment, fees, the premises). Good
ratings get what went well, 基本满意 a short mixed list, bad ratings what went wrong, so that
a tap says *why* without anyone having to type.

A kiosk is unattended: one person (or a script holding a kiosk's token) could post ratings
in a loop and skew a window's figures. Each kiosk may therefore store at most ``limit``
ratings in ``window_seconds``; the count is read from the ``evaluation`` table itself, so it
holds across server processes and restarts. (Two processes accepting the very last slot at
the same instant may let one extra through; on PostgreSQL the kiosk's row is locked first,
which closes even that.)
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import LEVEL_LABELS, Evaluation, Screen, VisitEvent
from ..clock import SKEW
from .inputs import TouchInputError, published_bundle, published_guide, visit_id

CHANNEL = "kiosk"
DEFAULT_LIMIT = 6
DEFAULT_WINDOW_SECONDS = 300
MAX_REASONS = 8
MAX_COMMENT = 300

_GOOD = (
    "办事指南清楚准确",      # 办事指南精确度
    "材料一次说清楚",        # 办事指南精确度
    "跑一次就办成了",        # 办事便捷度
    "排队等候时间短",        # 服务效率
    "办理速度快",            # 服务效率
    "工作人员业务熟练",      # 服务水平
    "工作人员热情耐心",      # 服务态度
    "环境舒适、设施方便",    # 整体满意度
)
REASONS: dict[int, tuple[str, ...]] = {
    5: _GOOD,
    4: _GOOD,
    3: (
        "事情办成了",
        "工作人员态度还可以",
        "等候时间有点长",
        "办事指南有些地方不清楚",
        "材料或手续还可以再简化",
        "解答不够耐心细致",
    ),
    2: (
        "办事指南与实际要求不一致",
        "材料要求不清楚或繁琐",
        "需要多次跑动",
        "等待时间过长",
        "办理时间过长",
        "服务态度差",
        "业务不熟练",
        "设备或系统故障",
    ),
    1: (
        "办事指南与实际要求不一致",
        "材料要求不清楚或繁琐",
        "需要多次跑动",
        "等待时间过长",
        "服务态度差",
        "推诿扯皮，不给办理",
        "收费不合理",
        "环境设施不便",
    ),
}
LABELS = {5 - i: label for i, label in enumerate(LEVEL_LABELS)}  # 5 非常满意 … 1 非常不满意

# after removing spaces and dashes: a mobile number, or a landline with optional area code
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"(0\d{2,3})?[2-9]\d{6,7}")


class RateLimited(Exception):
    """This kiosk has stored as many ratings as it may for now; try again in
    ``retry_after`` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def rating_levels() -> list[dict[str, Any]]:
    """The catalogue's ``rating.levels``: best first, each with its label and reasons."""
    return [{"level": level, "label": LABELS[level], "reasons": list(REASONS[level])}
            for level in (5, 4, 3, 2, 1)]


def _level(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise TouchInputError("level", "评价等级应为 1 到 5 的整数 (level must be an integer from 1 to 5)")
    return value


def _reasons(value: Any, level: int) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TouchInputError("reasons", "评价原因应为列表 (reasons must be a list)")
    if len(value) > MAX_REASONS:
        raise TouchInputError("reasons", f"评价原因最多选 {MAX_REASONS} 项 (at most {MAX_REASONS} reasons)")
    allowed = REASONS[level]
    seen: list[str] = []
    for i, reason in enumerate(value):
        field = f"reasons[{i}]"
        if not isinstance(reason, str) or reason not in allowed:
            raise TouchInputError(field, f"该原因不属于“{LABELS[level]}”的可选原因 "
                                         f"(not a reason offered for level {level})")
        if reason in seen:
            raise TouchInputError(field, "评价原因重复 (reason given twice)")
        seen.append(reason)
    return seen


def contact_phone(value: Any) -> str | None:
    """A call-back number as digits (spaces and dashes dropped), or None when not given."""
    if value is None or value == "":
        return None
    digits = re.sub(r"[\s\-]", "", value) if isinstance(value, str) else None
    if not digits or not (_MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits)):
        raise TouchInputError("contact", "联系电话应为 11 位手机号或带区号的固定电话 "
                                         "(contact must be a mobile or landline phone number)")
    return digits


def _comment(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TouchInputError("comment", "意见应为文字 (comment must be a string)")
    text = value.strip()
    if len(text) > MAX_COMMENT:
        raise TouchInputError("comment", f"意见最多 {MAX_COMMENT} 个字 (comment too long)")
    return text or None


def check_limit(session: Session, screen: Screen, now: datetime, *, limit: int,
                window_seconds: int) -> None:
    """Raise :class:`RateLimited` when ``screen`` already stored ``limit`` ratings in the last
    ``window_seconds``; ``retry_after`` is when the oldest of them leaves the window."""
    # PostgreSQL: concurrent ratings of one kiosk queue here (SQLite ignores FOR UPDATE and
    # serialises writers anyway).
    session.execute(select(Screen.id).where(Screen.id == screen.id).with_for_update())
    since = now - timedelta(seconds=window_seconds)
    # ratings stamped after now + SKEW were made before the clock went back: they do not
    # count, or one backward jump would hold a kiosk's window shut for the whole jump
    recent = session.scalars(
        select(Evaluation.rated_at)
        .where(Evaluation.screen_id == screen.id, Evaluation.rated_at > since,
               Evaluation.rated_at <= now + SKEW)
        .order_by(Evaluation.rated_at.desc()).limit(limit)
    ).all()
    if len(recent) >= limit:
        free_at = recent[-1] + timedelta(seconds=window_seconds)
        raise RateLimited(max(1, math.ceil((free_at - now).total_seconds())))


def record_rating(session: Session, screen: Screen, payload: Any, now: datetime, *,
                  limit: int = DEFAULT_LIMIT,
                  window_seconds: int = DEFAULT_WINDOW_SECONDS) -> Evaluation:
    """Validate the body of ``POST …/kiosk/evaluations`` and add the rating and its ``rating``
    visit event to ``session`` (the caller commits; on any error nothing has been added).

    The department and window come from the guide (a bundle has its own window and no single
    department), so a rating counts for whoever served the citizen. The contact number is
    stored on the rating only, never on the visit event.
    """
    if not isinstance(payload, dict):
        raise TouchInputError("body", "请求体应为 JSON 对象 (body must be a JSON object)")
    level = _level(payload.get("level"))
    guide_code, bundle_code = payload.get("guide"), payload.get("bundle")
    if guide_code is not None and bundle_code is not None:
        raise TouchInputError("bundle", "办事指南和一件事只能评价其中一项 "
                                        "(give a guide or a bundle, not both)")
    guide = published_guide(session, guide_code) if guide_code is not None else None
    bundle = published_bundle(session, bundle_code) if bundle_code is not None else None
    reasons = _reasons(payload.get("reasons"), level)
    contact = contact_phone(payload.get("contact"))
    comment = _comment(payload.get("comment"))
    visit = visit_id(payload.get("visit"))
    check_limit(session, screen, now, limit=limit, window_seconds=window_seconds)

    rating = Evaluation(
        rated_at=now, channel=CHANNEL, screen_id=screen.id,
        guide_id=guide.id if guide else None, bundle_id=bundle.id if bundle else None,
        department_id=guide.department_id if guide else None,
        window=(guide.window if guide else bundle.window if bundle else "") or "",
        level=level, reasons=reasons, comment=comment, contact_phone=contact, created_at=now,
    )
    ref = guide.code if guide else bundle.code if bundle else None
    session.add(rating)
    session.add(VisitEvent(at=now, screen_id=screen.id, visit=visit, kind="rating", ref=ref,
                           level=level))
    session.flush()
    return rating
