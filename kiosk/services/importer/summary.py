"""The result of an import: how many records of each kind were created, updated or unchanged."""

from __future__ import annotations

from dataclasses import dataclass, field

from .plan import LABELS


@dataclass
class Count:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportSummary:
    """Counts per content kind (keys of :data:`LABELS`, in import order), plus what was skipped.

    ``str()`` is the one line the CLI prints, each word in Chinese then English, e.g.
    ``导入完成 imported: 新建 created 57, 更新 updated 1, 未变 unchanged 3 (部门 departments +8, 办事指南 guides +49/~1)``.
    """

    source: str = ""
    counts: dict[str, Count] = field(default_factory=lambda: {kind: Count() for kind in LABELS})
    files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def count(self, kind: str, *, created: bool = False, changed: bool = False) -> None:
        entry = self.counts[kind]
        if created:
            entry.created += 1
        elif changed:
            entry.updated += 1
        else:
            entry.unchanged += 1

    @property
    def created(self) -> int:
        return sum(c.created for c in self.counts.values())

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.counts.values())

    @property
    def unchanged(self) -> int:
        return sum(c.unchanged for c in self.counts.values())

    @property
    def changed(self) -> bool:
        """Whether anything was written (screens showing this content need a new state)."""
        return bool(self.created or self.updated)

    def as_dict(self) -> dict[str, dict[str, int]]:
        """Counts of the kinds that occurred, for the audit log and JSON output."""
        return {
            kind: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged}
            for kind, c in self.counts.items()
            if c.created or c.updated or c.unchanged
        }

    def __str__(self) -> str:
        line = (
            f"导入完成 imported: 新建 created {self.created}, 更新 updated {self.updated}, "
            f"未变 unchanged {self.unchanged}"
        )
        parts = []
        for kind, c in self.counts.items():
            if c.created or c.updated:
                numbers = "/".join(
                    f"{sign}{n}" for sign, n in (("+", c.created), ("~", c.updated)) if n
                )
                parts.append(f"{LABELS[kind][0]} {LABELS[kind][1]} {numbers}")
        if parts:
            line += " (" + ", ".join(parts) + ")"
        if self.skipped:
            line += f"; 跳过 skipped: {', '.join(self.skipped)}"
        return line
