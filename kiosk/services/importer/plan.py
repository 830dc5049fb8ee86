"""What an import is about to write, fully validated before the first row is touched.

Reading all files into a :class:`Plan` first (instead of writing while reading) is what makes the
import all-or-nothing in practice: duplicates and references are checked across every file of the
import — a ticker line may name a screen group that ``screens.yaml`` defines later — and the
database sees writes only once nothing can fail any more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ... import models as m
from .attachments import Attachments
from .errors import Where

# Spec kinds in write order, with the label used in messages and the summary.
LABELS: dict[str, tuple[str, str]] = {
    "departments": ("部门", "departments"),
    "guides": ("办事指南", "guides"),
    "bundles": ("一件事", "bundles"),
    "evaluations": ("好差评", "evaluations"),
    "disclosure": ("公开年报", "disclosure reports"),
    "notices": ("公告", "notices"),
    "ticker": ("走马灯", "ticker lines"),
    "playlists": ("播放列表", "playlists"),
    "groups": ("屏幕分组", "screen groups"),
    "schedule": ("排期", "schedule entries"),
    "screens": ("屏幕", "screens"),
}

# The natural key column of each referable kind, to look up what the database already holds.
_DB_KEYS: dict[str, Any] = {
    "departments": m.Department.code,
    "guides": m.Guide.code,
    "bundles": m.Bundle.code,
    "disclosure": m.DisclosureReport.code,
    "notices": m.Notice.code,
    "playlists": m.Playlist.name,
    "groups": m.ScreenGroup.name,
}


@dataclass
class Context:
    """What parsers need besides the data: the import root, the zone, and where the folder's
    空表 / 样表 files are staged for the upload store."""

    root: Path
    tz: tzinfo
    files: Attachments


@dataclass
class Spec:
    """One record to upsert: its natural key, column values and child rows."""

    key: Any
    where: Where
    values: dict[str, Any]
    children: list[Any] = field(default_factory=list)
    refs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Ref:
    """A reference from one entry to a record of ``kind`` with natural key ``key``."""

    kind: str
    key: str
    where: Where


@dataclass
class Plan:
    specs: dict[str, dict[Any, Spec]] = field(
        default_factory=lambda: {kind: {} for kind in LABELS}
    )
    refs: list[Ref] = field(default_factory=list)

    def add(self, kind: str, spec: Spec, key_label: str = "编码") -> None:
        """Register a record; the same key twice in one import is an error naming both places."""
        seen = self.specs[kind].get(spec.key)
        if seen is not None:
            first = seen.where
            spec.where.fail(
                f"重复的{key_label} {_show(spec.key)}，已在 {first.file}"
                + (f" 第{first.row}条" if first.row else "")
                + (f" (line {first.line})" if first.line else "")
                + " 定义 (duplicate key)"
            )
        self.specs[kind][spec.key] = spec

    def ref(self, kind: str, key: str, where: Where) -> None:
        self.refs.append(Ref(kind, key, where))

    def check_refs(self, session: Session) -> None:
        """Every reference must name a record of this import or one already stored."""
        known: dict[str, set[Any]] = {}
        for ref in self.refs:
            if ref.key in self.specs[ref.kind]:
                continue
            if ref.kind not in known:
                column = _DB_KEYS[ref.kind]
                known[ref.kind] = set(session.scalars(select(column)))
            if ref.key not in known[ref.kind]:
                ref.where.fail(f"引用了不存在的{LABELS[ref.kind][0]} {_show(ref.key)}")

    def count(self) -> int:
        return sum(len(v) for v in self.specs.values())


def _show(key: Any) -> str:
    if isinstance(key, tuple):
        return "(" + ", ".join(str(k) for k in key) + ")"
    return f'"{key}"'
