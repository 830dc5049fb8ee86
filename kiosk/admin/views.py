"""The dashboard: screens online/offline, guides, active alerts, guides due for review.

The page is rendered once; the screen counts and the status column then follow the
``/staff`` Socket.IO namespace (``static/admin/dashboard.js``), so staff watching the
dashboard see a screen drop out without reloading."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template, request
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import PUBLISHED, Alert, Bundle, Department, Guide, Notice, Screen
from ..services import accounts
from ..services.publish import get_publisher
from ..services.review import stale_guide_rows
from . import bp, nav_item
from .auth import STAFF, role_required

STALE_DAYS = 180
SCREEN_LIMIT = 300  # rows shown at once; the counts above the table cover every screen
STALE_LIMIT = 50
KIND_LABELS = {"led_wall": "LED 大屏", "led_strip": "LED 条屏", "window": "窗口屏", "kiosk": "自助终端"}
LEVEL_LABELS = {"info": "提示", "warning": "注意", "critical": "紧急"}


@dataclass
class ScreenRow:
    screen: Screen
    online: bool
    showing: str  # what a person can read: the guide/bundle/notice name when known


def is_online(screen: Screen, connected: bool, now: datetime, fresh: timedelta) -> bool:
    """Connected to this process, or reported online by another one and heard from lately
    (a crashed process leaves ``online`` set, so the last heartbeat must be recent too)."""
    if connected:
        return True
    return bool(screen.online and screen.last_seen_at and now - screen.last_seen_at <= fresh)


def active_alerts(now: datetime) -> list[Alert]:
    return list(db.session.scalars(
        select(Alert)
        .where(Alert.cancelled_at.is_(None), Alert.starts_at <= now,
               or_(Alert.expires_at.is_(None), Alert.expires_at > now))
        .order_by(Alert.starts_at.desc())
    ))


def readable_items(refs: set[str]) -> dict[str, str]:
    """``guide:CODE#2`` → the guide's name, for the refs the screens report showing."""
    by_kind: dict[str, set[str]] = {}
    for ref in refs:
        kind, _, code = ref.split("#", 1)[0].partition(":")
        by_kind.setdefault(kind, set()).add(code)
    names: dict[str, str] = {}
    for kind, model, title in (("guide", Guide, Guide.name), ("bundle", Bundle, Bundle.name),
                               ("notice", Notice, Notice.title)):
        codes = by_kind.get(kind)
        if codes:
            for code, name in db.session.execute(select(model.code, title).where(model.code.in_(codes))):
                names[f"{kind}:{code}"] = name
    evaluations = by_kind.get("evaluation", set())
    departments = {c.split(":", 1)[1] for c in evaluations if c.startswith("department:")}
    dept_names = {code: name for code, name in db.session.execute(
        select(Department.code, func.coalesce(Department.short_name, Department.name))
        .where(Department.code.in_(departments)))} if departments else {}
    for code in evaluations:
        what = "全大厅" if code == "hall" else dept_names.get(code.split(":", 1)[-1], code)
        names[f"evaluation:{code}"] = f"好差评 · {what}"
    for code in by_kind.get("disclosure", ()):
        names[f"disclosure:{code}"] = f"政务公开年报 · {code}"
    return names


@bp.get("/")
@role_required(*STAFF)
def dashboard():
    now = accounts.current_time()
    presence = get_publisher(current_app).presence
    fresh = timedelta(seconds=max(60, 3 * int(current_app.config.get("HEARTBEAT_SECONDS", 15))))
    screens = db.session.scalars(
        select(Screen).where(Screen.revoked_at.is_(None)).options(selectinload(Screen.group))
        .order_by(Screen.name)
    ).all()
    rows = [ScreenRow(s, is_online(s, presence.is_connected(s.id), now, fresh), s.showing or "")
            for s in screens]
    online = sum(1 for r in rows if r.online)
    # every screen's state for static/admin/dashboard.js, which keeps the counts live
    screen_states = " ".join(f"{r.screen.id}:{int(r.online)}" for r in rows)
    status = request.args.get("status", "")
    if status in ("online", "offline"):
        rows = [r for r in rows if r.online == (status == "online")]
    rows.sort(key=lambda r: (r.online, r.screen.name))  # offline first: they need attention
    shown = rows[:SCREEN_LIMIT]
    names = readable_items({r.showing for r in shown if r.showing})
    for r in shown:
        base = r.showing.split("#", 1)[0]
        if base in names:
            r.showing = names[base] if base == r.showing else f"{names[base]}（{r.showing.split('#', 1)[1]}）"

    guides_total = db.session.scalar(select(func.count()).select_from(Guide)) or 0
    guides_published = db.session.scalar(
        select(func.count()).select_from(Guide).where(Guide.status == PUBLISHED)) or 0
    # "reviewed" = the last approval of a published version (imports count by updated_at)
    stale_all = stale_guide_rows(db.session, now, STALE_DAYS)
    stale_total, stale = len(stale_all), stale_all[:STALE_LIMIT]
    return render_template(
        "admin/dashboard.html",
        now=now, rows=shown, rows_total=len(rows), status=status,
        screens_total=len(screens), screens_online=online, screens_offline=len(screens) - online,
        screen_states=screen_states,
        guides_total=guides_total, guides_published=guides_published,
        alerts=active_alerts(now), stale=stale, stale_total=stale_total, stale_days=STALE_DAYS,
        kind_labels=KIND_LABELS, level_labels=LEVEL_LABELS, screen_limit=SCREEN_LIMIT,
    )


nav_item("admin.dashboard", "概览", STAFF, order=10)
