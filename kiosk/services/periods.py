"""Periods of local days in the hall's time zone, for every statistic staff read.

A period is a run of whole local days (a day, a Monday–Sunday week, a calendar month, or an
explicit range); :meth:`Period.bounds` turns it into the UTC instants of local midnight, so a
query over ``[start, end)`` counts exactly what happened on those days in the hall, whatever
the server's clock zone. The demand page uses it today; 好差评 statistics (issue 12) extend
the kinds with quarters and years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

PERIOD_KINDS = ("day", "week", "month", "range")
PERIOD_LABELS = {"day": "日", "week": "周", "month": "月", "range": "自定义"}
MAX_DAYS = 366  # an explicit range longer than a year is refused (and not what a table shows)


@dataclass(frozen=True)
class Period:
    """Local days ``first`` … ``last`` (both inclusive)."""

    kind: str
    first: date
    last: date

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    def bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """UTC ``[start, end)`` of the period's local days."""
        return day_start(self.first, tz), day_start(self.last + timedelta(days=1), tz)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.first.year}年{self.first.month}月"
        if self.first == self.last:
            return f"{self.first.year}年{self.first.month}月{self.first.day}日"
        return f"{self.first.isoformat()} 至 {self.last.isoformat()}"


def day_start(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def period_of(kind: str, day: date) -> Period:
    """The day, the week (Monday–Sunday) or the calendar month that contains ``day``."""
    if kind == "day":
        return Period("day", day, day)
    if kind == "week":
        monday = day - timedelta(days=day.weekday())
        return Period("week", monday, monday + timedelta(days=6))
    if kind == "month":
        return month_period(day.year, day.month)
    raise ValueError(f"unknown period kind {kind!r}; use day, week or month")


def month_period(year: int, month: int) -> Period:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return Period("month", first, following - timedelta(days=1))


def between(first: date, last: date) -> Period:
    """An explicit range of local days; raises ValueError (Chinese message) when it is empty
    or longer than :data:`MAX_DAYS`."""
    if last < first:
        raise ValueError("结束日期不能早于开始日期")
    if (last - first).days + 1 > MAX_DAYS:
        raise ValueError(f"时间范围最长 {MAX_DAYS} 天")
    return Period("range", first, last)


def parse_month(text: str) -> Period:
    """``YYYY-MM`` as its month; raises ValueError with a message for staff."""
    raw = (text or "").strip()
    year, dash, month = raw.partition("-")
    if not (dash and len(year) == 4 and year.isdigit() and month.isdigit() and 1 <= len(month) <= 2):
        raise ValueError(f"无法识别的月份“{raw[:20]}”，格式：年-月，例如 2026-11")
    if not 1 <= int(month) <= 12 or int(year) < 2000:
        raise ValueError(f"没有这个月份“{raw[:20]}”：月份应为 01 到 12，例如 2026-11")
    return month_period(int(year), int(month))
