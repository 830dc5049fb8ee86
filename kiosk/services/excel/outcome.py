"""The result of checking a file: every error, or what importing it would change."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import CellError

ACTIONS = ("new", "changed", "unchanged", "pending")
ACTION_LABELS = {"new": "新增", "changed": "修改", "unchanged": "无变化", "pending": "已在审核中"}


@dataclass
class Outcome:
    """``items`` are dicts: ``row``, ``key``, ``label``, ``action``, ``data``, ``changes``.

    Only a file with no ``errors`` may be applied. The whole object is stored as JSON between
    the check and the confirmation, so it holds plain values only.
    """

    kind: str
    errors: list[CellError] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)

    def error(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.errors.append(CellError(sheet, row, column, message))

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTIONS, 0)
        for item in self.items:
            counts[item["action"]] += 1
        return counts

    def to_apply(self) -> list[dict[str, Any]]:
        return [item for item in self.items if item["action"] in ("new", "changed")]

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "errors": [e.as_list() for e in self.errors], "items": self.items}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        return cls(data["kind"], [CellError.from_list(e) for e in data["errors"]], data["items"])
