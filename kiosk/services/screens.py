"""Screens and groups: creating them (CLI, API, importer) and finding one by token."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import DEFAULT_LAYOUTS, KINDS, AuditLog, Screen, ScreenGroup
from . import layouts


class ScreenError(ValueError):
    """Bad input for a screen; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


@dataclass
class NewScreen:
    name: str
    group: str
    kind: str
    layout: str | None = None


def by_token(session: Session, token: str) -> Screen | None:
    if not token or len(token) > 64:
        return None
    return session.scalar(select(Screen).where(Screen.token == token))


def get_or_create_group(session: Session, name: str) -> ScreenGroup:
    group = session.scalar(select(ScreenGroup).where(ScreenGroup.name == name))
    if group is None:
        group = ScreenGroup(name=name, title=name)
        session.add(group)
        session.flush()
    return group


def add_screens(
    session: Session, spec: NewScreen, *, count: int = 1, layouts_dir: str, actor: str
) -> list[Screen]:
    """Add ``count`` screens in one transaction (``name``, ``name-2`` … when count > 1)."""
    name = (spec.name or "").strip()
    if not name:
        raise ScreenError("name", "屏幕名称不能为空 (name is required)")
    if len(name) > 90:
        raise ScreenError("name", "屏幕名称过长，最多 90 个字符 (name too long)")
    if spec.kind not in KINDS:
        raise ScreenError("kind", f"屏幕类型应为 {' / '.join(KINDS)} (unknown kind {spec.kind!r})")
    group_name = (spec.group or "").strip()
    if not group_name or len(group_name) > 64:
        raise ScreenError("group", "分组名称不能为空，最多 64 个字符 (group is required)")
    layout = spec.layout or DEFAULT_LAYOUTS[spec.kind]
    if layout not in layouts.available(layouts_dir):
        raise ScreenError("layout", f"版式 {layout!r} 不存在 (unknown layout)")
    if not 1 <= count <= 20000:
        raise ScreenError("count", "数量应在 1 到 20000 之间 (count out of range)")
    names = [name] if count == 1 else [f"{name}-{i}" for i in range(1, count + 1)]
    taken = set(session.scalars(select(Screen.name).where(Screen.name.in_(names))))
    if taken:
        raise ScreenError("name", f"屏幕名称已存在: {', '.join(sorted(taken)[:5])} (name taken)")
    group = get_or_create_group(session, group_name)
    screens = [Screen(name=n, kind=spec.kind, layout=layout, group=group) for n in names]
    session.add_all(screens)
    session.flush()
    session.add(
        AuditLog(
            actor=actor,
            action="create",
            object_type="screen",
            object_id=",".join(str(s.id) for s in screens[:50]),
            after={"names": names[:50], "count": count, "group": group_name, "kind": spec.kind, "layout": layout},
        )
    )
    return screens


def screen_json(screen: Screen, *, with_token: bool = False) -> dict:
    out = {
        "id": screen.id,
        "name": screen.name,
        "kind": screen.kind,
        "layout": screen.layout,
        "group": screen.group.name,
        "revoked": screen.revoked_at is not None,
        "online": bool(screen.online),
        "last_seen_at": screen.last_seen_at.isoformat() if screen.last_seen_at else None,
        "version": screen.last_version,
        "showing": screen.showing,
    }
    if with_token:
        out["token"] = screen.token
    return out


def count_screens(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Screen)) or 0
