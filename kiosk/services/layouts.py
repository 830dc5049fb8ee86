"""Declarative screen layouts: ``display_layouts/<name>/layout.yaml`` (+ style.css, slides/).

Layouts are data, not code: a designer adds a folder and the server picks it up. They are
read once per process and cached; ``reload()`` drops the cache (tests, the staff panel).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
REGION_NAMES = {"header", "clock", "main", "ticker"}


class LayoutError(ValueError):
    pass


@lru_cache(maxsize=64)
def _load(root: str, name: str) -> dict[str, Any]:
    if not NAME_RE.match(name):
        raise LayoutError(f"layout name {name!r} is not a valid folder name")
    folder = Path(root) / name
    path = folder / "layout.yaml"
    if not path.is_file():
        raise LayoutError(f"layout {name!r} not found ({path})")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for key in ("width", "height", "regions"):
        if key not in data:
            raise LayoutError(f"{path}: missing field {key!r}")
    regions = []
    for i, region in enumerate(data["regions"], 1):
        missing = [k for k in ("name", "x", "y", "w", "h") if k not in region]
        if missing:
            raise LayoutError(f"{path}: region {i} misses {', '.join(missing)}")
        if region["name"] not in REGION_NAMES:
            raise LayoutError(f"{path}: region {i} has unknown name {region['name']!r}")
        regions.append({k: region[k] for k in ("name", "x", "y", "w", "h")})
    if not any(r["name"] == "main" for r in regions):
        raise LayoutError(f"{path}: a layout needs a 'main' region")
    stylesheet = data.get("stylesheet")
    limits = data.get("limits") or {}
    if not isinstance(limits, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v > 1
        for k, v in limits.items()
    ):
        raise LayoutError(f"{path}: limits must map list names to whole numbers above 1")
    return {
        "name": name,
        "title": str(data.get("title") or name),
        "kind": data.get("kind"),
        "width": int(data["width"]),
        "height": int(data["height"]),
        "regions": regions,
        "stylesheet": f"/layouts/{name}/{stylesheet}" if stylesheet else None,
        # list cuts for the slide templates (docs/layouts.md), e.g. {materials: 7}
        "limits": dict(limits),
        "folder": str(folder),
    }


def load_layout(root: str | Path, name: str) -> dict[str, Any]:
    return dict(_load(str(root), name))


def public(layout: dict[str, Any]) -> dict[str, Any]:
    """The part of a layout that goes to screens (no server paths)."""
    return {k: v for k, v in layout.items() if k != "folder"}


def available(root: str | Path) -> list[str]:
    base = Path(root)
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / "layout.yaml").is_file())


def reload() -> None:
    _load.cache_clear()
