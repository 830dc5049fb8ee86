"""Field validators for one entry of a content file.

Every reader goes through :class:`Entry` so that each mistake is reported the same way: with the
file, entry number, line and field path, and a Chinese message that says what was expected.
Values are checked for type, presence, enumeration and length (column sizes, because PostgreSQL
rejects what SQLite silently stores).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path, PurePosixPath
from typing import Any, NoReturn

from .errors import Where
from .loader import LineDict, LineList

_MISSING = object()
_DIGITS = re.compile(r"^[+-]?[0-9]+$")
# Every integer a content file holds (days, visits, copies, counts, seconds, priorities) is
# stored in a 32-bit column on PostgreSQL and a 64-bit one on SQLite: a larger one used to
# pass the checks and fail at the write with an OverflowError instead of naming its field.
MAX_INT = 2**31 - 1
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_DATETIME = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*(Z|[+-]\d{2}:\d{2})?$"
)
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def describe(value: Any) -> str:
    """A value as the author wrote it, quoted, for messages."""
    if isinstance(value, str):
        return f'"{value}"'
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "一个映射 (mapping)"
    if isinstance(value, list):
        return "一个列表 (list)"
    return str(value)


def is_http_url(value: str) -> bool:
    return bool(_URL.match(value))


def is_safe_relative(value: str) -> bool:
    """A relative POSIX path that stays inside its folder (no ``..``, no scheme, no ``//``)."""
    if not value or value.startswith(("/", "\\")) or "\\" in value or ":" in value:
        return False
    return ".." not in PurePosixPath(value).parts


class Entry:
    """One mapping (an entry of a list, or a nested mapping) being validated.

    ``prefix`` is the field path of the mapping itself (``materials[2]``), so nested failures
    read ``materials[2].form``.
    """

    def __init__(self, where: Where, data: Mapping[str, Any], *, prefix: str = "") -> None:
        self.where = where
        self.data = data
        self.prefix = prefix
        self.lines: dict[Any, int] = getattr(data, "lines", {})

    # -- reporting --------------------------------------------------------------------------
    def path(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def at(self, key: str | None) -> Where:
        if key is None:
            return self.where.at(self.prefix or None)
        return self.where.at(self.path(key), self.lines.get(key))

    def fail(self, key: str | None, message: str) -> NoReturn:
        self.at(key).fail(message)

    def at_item(self, key: str, index: int) -> Where:
        """The place of item ``index`` (1-based) of the list under ``key``, with its own line."""
        items = self.data.get(key)
        lines = getattr(items, "lines", [])
        line = lines[index - 1] if index <= len(lines) else self.lines.get(key)
        return self.where.at(self.path(f"{key}[{index}]"), line)

    def check_keys(self, allowed: Iterable[str]) -> None:
        """Unknown keys are errors: a misspelt optional field would otherwise vanish silently."""
        allowed = set(allowed)
        for key in self.data:
            if key not in allowed:
                self.fail(str(key), f"未知字段 {key!r}，可用字段: {'、'.join(sorted(allowed))}")

    def raw(self, key: str, required: bool) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.fail(key, "缺少必填字段 (required)")
            return _MISSING
        return value

    # -- scalars ----------------------------------------------------------------------------
    def text(self, key: str, *, required: bool = False, default: str = "", max_len: int | None = None) -> str:
        value = self.raw(key, required)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.fail(key, f"应为文本，实际为 {describe(value)}")
        text = str(value).strip()
        if required and not text:
            self.fail(key, "不能为空 (required)")
        if max_len is not None and len(text) > max_len:
            self.fail(key, f"过长: {len(text)} 个字符，最多 {max_len}")
        return text

    def opt_text(self, key: str, *, max_len: int | None = None) -> str | None:
        return self.text(key, max_len=max_len) or None

    def integer(
        self, key: str, *, required: bool = False, default: int | None = None, minimum: int | None = 0
    ) -> int | None:
        value = self.raw(key, required)
        if value is _MISSING:
            return default
        return self.to_int(key, value, minimum)

    def to_int(self, key: str, value: Any, minimum: int | None = 0) -> int:
        if isinstance(value, str) and _DIGITS.match(value.strip()):
            digits = value.strip()
            if len(digits.lstrip("+-")) > 19:
                self.fail(key, f"数值过大（最大 {MAX_INT}），实际为 {digits[:30]}…")
            value = int(digits)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"应为整数，实际为 {describe(value)}")
        if minimum is not None and value < minimum:
            self.fail(key, f"不能小于 {minimum}，实际为 {value}")
        if abs(value) > MAX_INT:
            self.fail(key, f"数值过大（最大 {MAX_INT}），实际为 {str(value)[:30]}")
        return value

    def boolean(self, key: str, *, default: bool = False) -> bool:
        value = self.raw(key, False)
        if value is _MISSING:
            return default
        if isinstance(value, bool):
            return value
        lowered = value.strip().lower() if isinstance(value, str) else value
        if lowered in ("yes", "是", "y"):
            return True
        if lowered in ("no", "否", "n"):
            return False
        self.fail(key, f"应为 true 或 false，实际为 {describe(value)}")

    def choice(self, key: str, choices: Iterable[str], label: str, *, required: bool = True,
               default: str | None = None) -> str | None:
        value = self.raw(key, required)
        if value is _MISSING:
            return default
        return self.check_choice(key, value, tuple(choices), label)

    def check_choice(self, key: str, value: Any, choices: tuple[str, ...], label: str) -> str:
        if not isinstance(value, str) or value.strip() not in choices:
            self.fail(key, f"不是有效的{label} {describe(value)}，应为 {'、'.join(choices)}")
        return value.strip()

    def url(self, key: str, *, required: bool = False, max_len: int = 500) -> str | None:
        value = self.opt_text(key, max_len=max_len)
        if value is None:
            if required:
                self.fail(key, "缺少必填字段 (required)")
            return None
        if not is_http_url(value):
            self.fail(key, f"应为 http:// 或 https:// 开头的网址，实际为 {describe(value)}")
        return value

    def attachment(self, key: str, root: Path | None, *, allow_url: bool = False) -> str | None:
        """A file path relative to the content folder (checked to exist), or an http(s) URL."""
        value = self.opt_text(key, max_len=300)
        if value is None:
            return None
        if allow_url and is_http_url(value):
            return value
        if not is_safe_relative(value):
            self.fail(key, f"应为内容文件夹内的相对路径{'或网址' if allow_url else ''}，实际为 {describe(value)}")
        if root is not None and not (root / value).is_file():
            self.fail(key, f"文件不存在: {value}")
        return value

    # -- dates and times --------------------------------------------------------------------
    def date_value(self, key: str, *, required: bool = False) -> date | None:
        value = self.raw(key, required)
        if value is _MISSING:
            return None
        return self.to_date(key, value)

    def to_date(self, key: str, value: Any) -> date:
        match = _DATE.match(value.strip()) if isinstance(value, str) else None
        if match:
            try:
                return date(*map(int, match.groups()))
            except ValueError:
                pass
        self.fail(key, f"不是有效的日期 {describe(value)}，应为 YYYY-MM-DD")

    def time_value(self, key: str, *, default: time) -> time:
        value = self.raw(key, False)
        if value is _MISSING:
            return default
        match = _TIME.match(value.strip()) if isinstance(value, str) else None
        if match and int(match[1]) < 24 and int(match[2]) < 60:
            return time(int(match[1]), int(match[2]))
        self.fail(key, f"不是有效的时间 {describe(value)}，应为 HH:MM (00:00–23:59)")

    def datetime_value(self, key: str, tz: tzinfo) -> datetime | None:
        """A local ``YYYY-MM-DD HH:MM`` in the hall's zone, returned as an aware UTC datetime.

        Seconds and an explicit offset (``+08:00``, ``Z``) are accepted too; a date without a
        time is not, because for ``expire_at`` it is unclear which end of the day is meant.
        """
        value = self.raw(key, False)
        if value is _MISSING:
            return None
        match = _DATETIME.match(value.strip()) if isinstance(value, str) else None
        parsed: datetime | None = None
        offset: str | None = None
        if match:
            y, mo, d, h, mi, s, offset = match.groups()
            try:
                parsed = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
            except ValueError:
                parsed = None
        if parsed is None:
            self.fail(key, f"不是有效的日期时间 {describe(value)}，应为 YYYY-MM-DD HH:MM")
        if offset:
            zone = datetime.fromisoformat("2000-01-01T00:00" + offset.replace("Z", "+00:00")).tzinfo
            return parsed.replace(tzinfo=zone).astimezone(UTC)
        return parsed.replace(tzinfo=tz).astimezone(UTC)

    # -- containers -------------------------------------------------------------------------
    def sequence(self, key: str, *, required: bool = False) -> LineList:
        value = self.raw(key, required)
        if value is _MISSING:
            return LineList()
        if not isinstance(value, list):
            self.fail(key, f"应为列表，实际为 {describe(value)}")
        if required and not value:
            self.fail(key, "列表不能为空 (required)")
        return value if isinstance(value, LineList) else LineList(value)

    def text_list(self, key: str, *, required: bool = False, choices: tuple[str, ...] | None = None,
                  label: str = "", max_len: int | None = None, unique: bool = True) -> list[str]:
        items = self.sequence(key, required=required)
        result: list[str] = []
        for index, item in enumerate(items, start=1):
            where = self.at_item(key, index)
            if choices is not None and (not isinstance(item, str) or item.strip() not in choices):
                where.fail(f"不是有效的{label} {describe(item)}，应为 {'、'.join(choices)}")
            if isinstance(item, bool) or not isinstance(item, str | int) or not str(item).strip():
                where.fail(f"应为非空文本，实际为 {describe(item)}")
            value = str(item).strip()
            if max_len is not None and len(value) > max_len:
                where.fail(f"过长: {len(value)} 个字符，最多 {max_len}")
            if unique and value in result:
                where.fail(f"重复的值 {describe(value)}")
            result.append(value)
        return result

    def entries(self, key: str, *, required: bool = False) -> list[Entry]:
        """Nested list of mappings (materials, faq, playlist items) as :class:`Entry` objects."""
        items = self.sequence(key, required=required)
        result = []
        for index, item in enumerate(items, start=1):
            prefix = self.path(f"{key}[{index}]")
            line = items.lines[index - 1] if index <= len(items.lines) else None
            where = Where(self.where.file, self.where.row, line or self.where.line, prefix)
            if not isinstance(item, Mapping):
                where.fail(f"应为映射 (key: value)，实际为 {describe(item)}")
            result.append(Entry(where, item, prefix=prefix))
        return result


def list_entries(data: Any, file: str, *, section: str | None = None,
                 line: int | None = None) -> list[Entry]:
    """Top-level entries of a YAML list (``section`` names the key in ``screens.yaml``)."""
    if data is None:
        return []
    if not isinstance(data, list):
        Where(file, line=line, field=section).fail(f"应为列表 (- 开头的条目)，实际为 {describe(data)}")
    lines = getattr(data, "lines", [])
    result = []
    for index, item in enumerate(data, start=1):
        item_line = lines[index - 1] if index <= len(lines) else None
        prefix = f"{section}[{index}]" if section else ""
        where = Where(file, index, item_line, prefix or None)
        if not isinstance(item, Mapping):
            where.fail(f"应为映射 (key: value)，实际为 {describe(item)}")
        result.append(Entry(where, item if isinstance(item, LineDict) else LineDict(item), prefix=prefix))
    return result
