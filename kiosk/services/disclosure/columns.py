"""Which cells of a row hold its numbers: placed by position, never by arithmetic.

A row's ``n`` numbers are consecutive cells somewhere after its labels. Blank cells mean 0,
so when a row has more cells after its labels than it has numbers (a colspan echo before
them, padding after them), blank cells at either end could be numbers or layout. An earlier
rule took the window whose 总计 equalled the sum of its parts; for a row whose 总计 is blank
that "finds" a passing total among the parts and moves every number one column — hiding the
very arithmetic error the checks exist to catch. So the sums never decide here:

1. a row whose non-blank cells fit one window only is placed there, and teaches the layout
   of its *shape* (same section, same label cells, same cell count) to the other rows;
2. otherwise it is placed where the rows of its shape in this document were pinned, or,
   failing that, where the copy layout we know (the Laocheng seed, which ``render_text``
   reproduces) puts that shape — a tab-separated copy keeps its cell count, so a blank cell
   keeps its column;
3. otherwise the row is ambiguous and :class:`DisclosureError` names it, asking for the
   blank cells to be filled with 0, rather than returning numbers that might be shifted.

Text without tabs (copied from a PDF viewer) has lost its blank cells altogether: a row
there must show all its numbers, or it is refused.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from .cells import Number, format_number, parse_number
from .errors import DisclosureError

Values = list[Number | None]

#: Where the numbers of a text row begin (offset into the cells after its last label) in the
#: copy layout of the Laocheng seed, keyed by (is the （七）总计 row, index of the last label
#: cell, number of cells after it). Rows whose only label is in the first cell are followed
#: by an empty echo of the label's colspan — except （七）总计, which lost its leading tab.
SEED_LAYOUT: dict[tuple[bool, int, int], int] = {
    (False, 0, 9): 1,  # 一、 二、 四、 and 3.其他
    (True, 0, 9): 0,  # (七) 总计
    (False, 1, 8): 0,  # 三、本年度办理结果 (一)…, (二)…
    (False, 2, 7): 0,  # the numbered sub-rows
}


@dataclass
class Slot:
    """One row's candidate number cells, waiting for the whole table to be read.

    ``shape`` groups rows that share a layout (``None``: learn nothing from this row);
    ``expected`` is the known layout's offset for the shape; ``open_end`` means cells may be
    missing at the end (trailing tabs stripped), so a window may run past the last cell.
    """

    values: Values
    n: int
    where: str
    label: str
    shape: Hashable | None = None
    expected: int | None = 0
    open_end: bool = False
    collapsed: bool = False
    columns: Sequence[str] = ()


def read_values(tail: Sequence[str], n: int, where: str, *, decimal: bool = False,
                truncated: bool = False) -> Values:
    """The row's cells as numbers (``None`` for blank); a bad number or a last row that
    stops short (a truncated table) raises here, at the row, before anything is placed."""
    values: Values = [parse_number(c, where, decimal=decimal) for c in tail]
    if len(values) < n and truncated:
        raise DisclosureError(
            f"表格在此行中断（应有 {n} 个数字，只有 {len(values)} 个单元格）/ the table stops "
            f"inside this row, truncated? ({n} numbers expected, {len(values)} cells found)",
            where,
        )
    return values


def windows(slot: Slot) -> range | None:
    """Offsets of the ``n``-cell windows that hold every non-blank cell (``None``: the row is
    all blank). Windows stay inside the row unless its end may have been cut off."""
    filled = [i for i, v in enumerate(slot.values) if v is not None]
    if not filled:
        return None
    first, last = filled[0], filled[-1]
    if slot.collapsed and len(slot.values) < slot.n:
        raise DisclosureError(
            f"“{slot.label}”行只有 {len(slot.values)} 个数字（应有 {slot.n} 个）：复制的文字不含"
            "制表符，空白单元格已丢失，无法确定各数字所在的列。请复制带表格的网页文字、上传网页或 "
            f".docx，或在空白单元格中填 0 / only {len(slot.values)} of {slot.n} numbers: the "
            "copy has no tabs, so its blank cells are lost and the columns cannot be told",
            slot.where,
        )
    end = first if slot.open_end or len(slot.values) < slot.n else min(
        first, len(slot.values) - slot.n)
    found = range(max(0, last - slot.n + 1), end + 1)
    if not found:
        raise DisclosureError(
            f"此行的数字多于 {slot.n} 个，或分散在 {slot.n} 列以外 / more than {slot.n} numbers "
            "in this row",
            slot.where,
        )
    return found


def place(slots: Sequence[Slot]) -> list[list[Number]]:
    """The ``n`` numbers of every slot, in order (see the module docstring for the rules)."""
    found = [windows(s) for s in slots]
    pinned: dict[Hashable, set[int]] = {}
    for slot, offsets in zip(slots, found, strict=True):
        if slot.shape is not None and offsets is not None and len(offsets) == 1:
            pinned.setdefault(slot.shape, set()).add(offsets[0])
    out: list[list[Number]] = []
    for slot, offsets in zip(slots, found, strict=True):
        if offsets is None:
            out.append([0] * slot.n)
            continue
        learnt = pinned.get(slot.shape, set()) if slot.shape is not None else set()
        expected = next(iter(learnt)) if len(learnt) == 1 else (
            None if learnt else slot.expected)
        if expected is not None and expected in offsets:
            start = expected
        elif len(offsets) == 1:
            start = offsets[0]
        else:
            raise _ambiguous(slot, offsets)
        window = slot.values[start : start + slot.n]
        window += [None] * (slot.n - len(window))
        out.append([v if v is not None else 0 for v in window])
    return out


def _ambiguous(slot: Slot, offsets: range) -> DisclosureError:
    readings = []
    for start in offsets:
        window = slot.values[start : start + slot.n]
        window += [None] * (slot.n - len(window))
        readings.append("[" + ", ".join(format_number(v or 0) for v in window) + "]")
    order = f"（按 {'、'.join(slot.columns)} 的顺序）" if slot.columns else ""
    return DisclosureError(
        f"“{slot.label}”行的数字无法确定各自所在的列：此行的空白单元格可能是数字也可能只是排版，"
        f"可读作 {' 或 '.join(readings)}{order}。请在原表格的空白单元格中填 0 后重新复制，或上传"
        f"网页、.docx 文件 / the numbers of row {slot.label!r} cannot be placed in their "
        f"columns: its blank cells allow {len(readings)} readings ({' or '.join(readings)}); "
        "fill the blank cells with 0, or upload the HTML page or the .docx",
        slot.where,
    )
