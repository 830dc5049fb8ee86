"""Cell text: normalising labels and reading numbers as agencies actually type them.

Published tables mix full-width digits (１２３), thousands separators (1,234 or １，２３４),
non-breaking spaces from ``&nbsp;`` and dashes for "nothing". Normalising once here keeps
the matching code free of those variants.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .errors import DisclosureError

Number = int | float

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
# A cell holding one of these means "none", exactly like a blank cell.
_NOTHING = {"-", "—", "–", "--", "——", "/", "\\"}
_NUMBER = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_ENUMERATOR = re.compile(r"^(?:\d+\s*[.、．]|\(\s*[一二三四五六七八九十]+\s*\)|[一二三四五六七八九十]+\s*、)")


@lru_cache(maxsize=65536)  # the same few hundred cell texts recur in every report
def clean(text: str) -> str:
    """NFKC (full-width digits and brackets to ASCII), invisible characters dropped,
    whitespace runs collapsed to one space and trimmed."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=65536)
def key(text: str) -> str:
    """A label reduced for matching: normalised and without any whitespace, so
    ``结果 维持``, ``结果\\n维持`` and ``结果维持`` compare equal."""
    return re.sub(r"\s+", "", clean(text))


def is_blank(text: str) -> bool:
    """Blank cells (and dash-only cells) mean 0 in the published tables."""
    return key(text) in _NOTHING or key(text) == ""


def is_number(text: str) -> bool:
    """True when the cell holds a number in any accepted spelling (blank is not a number)."""
    return bool(_NUMBER.match(key(text)))


def is_label(text: str) -> bool:
    """A label is any non-blank cell that is not a number."""
    return not is_blank(text) and not is_number(text)


def stray_digits(label: str) -> bool:
    """A label with digits beyond its enumerator (``5件``, ``1,2345``) is a mistyped number,
    not a label; guessing would shift every column after it."""
    rest = _ENUMERATOR.sub("", key(label), count=1)
    return bool(re.search(r"\d", rest))


def parse_number(text: str, where: str, *, decimal: bool = False) -> Number | None:
    """The cell's value: ``None`` for blank, an ``int`` for whole numbers, a ``float`` only
    when ``decimal`` (万元 amounts). Anything else raises, naming the cell."""
    if is_blank(text):
        return None
    raw = key(text)
    if not _NUMBER.match(raw):
        raise DisclosureError(
            f"无法识别的数字“{clean(text)}” / not a number: {clean(text)!r}", where
        )
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex already rules this out
        raise DisclosureError(f"无法识别的数字“{raw}” / not a number: {raw!r}", where) from exc
    if value == value.to_integral_value():
        return int(value)
    if not decimal:
        raise DisclosureError(
            f"此处应为整数，却是“{raw}” / expected a whole number, got {raw!r}", where
        )
    return float(value)


def format_number(value: Number) -> str:
    """Shortest plain spelling: ``3``, ``0.5``, ``1234.56`` (never exponent notation)."""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return format(value, "f").rstrip("0").rstrip(".")


def whole_or_float(value: Number) -> Number:
    """``int`` when whole (``2.0`` → ``2``), so JSON shows ``2`` rather than ``2.0``."""
    return int(value) if float(value).is_integer() else float(value)
