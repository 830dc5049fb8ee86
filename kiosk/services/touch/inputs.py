"""What the touch services share: their input error and the checks of the fields that
ratings and visit events have in common (a visit id, a published guide or bundle code).

A kiosk is a public device anyone can touch, and its endpoints are reachable by anyone who
reads a token off one; so every value is checked for type and length before anything is
stored, and a wrong one names its field (``events[3].guide``) so the page's author sees at
once what to fix.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import PUBLISHED, Bundle, Guide

VISIT_ID = re.compile(r"[0-9a-f]{8,32}")
MAX_CODE = 64  # Guide.code, Bundle.code


class TouchInputError(ValueError):
    """Bad input from a kiosk page; ``field`` names what is wrong (``level``,
    ``reasons[1]``, ``events[3].kind`` …). The message is Chinese with English in brackets."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def visit_id(value: Any, field: str = "visit", *, required: bool = False) -> str:
    """The page's random id of a visit (8–32 lower-case hex digits); "" when absent and not
    ``required``."""
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not VISIT_ID.fullmatch(value):
        raise TouchInputError(field, "访问标识应为 8 到 32 位十六进制小写字符 "
                                     "(visit must be 8-32 characters 0-9a-f)")
    return value


def _code(value: Any, field: str, what: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_CODE:
        raise TouchInputError(field, f"{what}编码应为文字 ({field} must be a code string)")
    return value


def published_guide(session: Session, value: Any, field: str = "guide") -> Guide:
    """The published guide whose code this is; anything else (a draft, an expired guide, a
    made-up code) is refused, so that nothing stored points at what a citizen cannot see."""
    code = _code(value, field, "办事指南")
    guide = session.scalar(select(Guide).where(Guide.code == code, Guide.status == PUBLISHED))
    if guide is None:
        raise TouchInputError(field, f"没有已发布的办事指南 {code} ({field}: no such published guide)")
    return guide


def published_bundle(session: Session, value: Any, field: str = "bundle") -> Bundle:
    """The published 一件事 whose code this is (see :func:`published_guide`)."""
    code = _code(value, field, "一件事")
    bundle = session.scalar(select(Bundle).where(Bundle.code == code, Bundle.status == PUBLISHED))
    if bundle is None:
        raise TouchInputError(field, f"没有已发布的一件事 {code} ({field}: no such published bundle)")
    return bundle
