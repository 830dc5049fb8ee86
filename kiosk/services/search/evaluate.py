"""Search quality measured on a set of citizens' phrasings (tests/data/search_eval.yaml).

Each case is a query and the names of the guides or bundles that would be a right answer; a
case is a top-1 hit when the first result is one of them and a top-3 hit when one of the first
three is. ``bench/search_quality.py`` prints the rates and the misses; the suite fails below
the target, so quality cannot silently regress.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

TARGET_TOP3 = 0.90


@dataclass(frozen=True)
class Case:
    query: str
    accept: tuple[str, ...]
    kind: str = "colloquial"


@dataclass
class Report:
    total: int = 0
    top1: int = 0
    top3: int = 0
    misses: list[tuple[Case, list[str]]] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind → [cases, top1, top3]

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total if self.total else 0.0


def load_cases(path: Path) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [Case(str(c["q"]), tuple(c["accept"]), str(c.get("kind") or "colloquial")) for c in data]


def evaluate(cases: Iterable[Case], names_for: Callable[[str], list[str]]) -> Report:
    """``names_for(query)`` returns the names of the results, best first."""
    report = Report()
    for case in cases:
        names = names_for(case.query)
        row = report.by_kind.setdefault(case.kind, [0, 0, 0])
        report.total += 1
        row[0] += 1
        if names[:1] and names[0] in case.accept:
            report.top1 += 1
            row[1] += 1
        if any(n in case.accept for n in names[:3]):
            report.top3 += 1
            row[2] += 1
        else:
            report.misses.append((case, names[:3]))
    return report
