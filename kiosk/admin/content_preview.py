"""The layout preview of a version: what a screen of the chosen layout would show once it is
approved, in a scaled iframe. Nothing of it is ever written or sent to a screen.

* guides, notices, bundles: the version's own slide, rendered from an unsaved object with the
  templates the screens use (``slides/*.html``);
* a ticker line: the ticker region scrolling the line among the lines a screen of the chosen
  group shows now (in their order), with the same CSS animation as ``screen.js`` — the
  preview frame runs no script, so the run's width is estimated from the text instead of
  measured;
* a playlist: every item in order, each as the layout shows it (all pages of a deck), from
  the published content the screens would play — an item whose content is not on screens
  now is listed as such.
"""

from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path
from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select

from ..extensions import db
from ..models import PUBLISHED, ScreenGroup, TickerLine
from ..services import accounts, layouts, review
from ..services.qr import guide_url, qr_svg
from ..services.review_apply import build_transient
from ..services.slides import SlideRenderer, slide_env
from . import bp
from .auth import role_required
from .content import EDIT_ROLES
from .content_versions import version_or_redirect

PREVIEW_KINDS = ("guide", "notice", "bundle", "ticker", "playlist")
PREVIEW_WIDTH = 960  # CSS pixels the preview frame takes on the panel page
PLAYLIST_WIDTH = 640  # one frame per playlist item: smaller, several fit on the page
SLIDE_CSP = ("default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
             "img-src 'self' data: http: https:; font-src 'self'; object-src 'none'; "
             "base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
TICKER_SPEED, TICKER_FONT = 110.0, 36.0  # screen.css defaults (layout px per second, px)
TICKER_GAP_EM = 0.32 + 2 * 1.4  # the dot between two lines and its margins (screen.css)


def _layout():
    names = layouts.available(current_app.config["LAYOUTS_DIR"])
    name = request.args.get("layout") or ("led_wall" if "led_wall" in names else (names or [""])[0])
    if name not in names:
        abort(404)
    return names, layouts.load_layout(current_app.config["LAYOUTS_DIR"], name)


def _common(layout) -> dict[str, Any]:
    return {"layout": layout, "hall_name": current_app.config.get("HALL_NAME", "政务服务中心"),
            "page": 1, "pages": 1}


def render_preview_slide(v, layout) -> str:
    """The version's slide exactly as ``SlideRenderer`` would render it, from an unsaved object."""
    if v.object_type not in ("guide", "notice", "bundle"):
        return ""
    app = current_app._get_current_object()
    env = slide_env(app, layout)
    obj = build_transient(db.session, v.object_type, v.data)
    try:
        if v.object_type == "guide":
            url = guide_url(app.config["PUBLIC_BASE_URL"], obj.code)
            return env.get_template("slides/guide.html").render(
                guide=obj, url=url, qr_svg=Markup(qr_svg(url)), **_common(layout))
        if v.object_type == "notice":
            return env.get_template("slides/notice.html").render(notice=obj, **_common(layout))
        return env.get_template("slides/bundle.html").render(
            bundle=obj, materials=obj.merged_materials(), **_common(layout))
    finally:
        db.session.rollback()  # nothing of the preview is ever written


# -- ticker ------------------------------------------------------------------------------------
def _ticker_metrics(layout) -> tuple[float, float]:
    """(font size px, speed px/s) of the layout's ticker region, read from its stylesheet
    (``.region-ticker { font-size: …px; --ticker-speed: … }``), else screen.css's defaults."""
    css = Path(layout["folder"]) / Path(layout.get("stylesheet") or "style.css").name
    try:
        text = css.read_text(encoding="utf-8")
    except OSError:
        return TICKER_FONT, TICKER_SPEED
    rule = re.search(r"\.region-ticker\s*\{([^}]*)\}", text)
    body = rule.group(1) if rule else ""
    font = re.search(r"font-size:\s*([\d.]+)px", body)
    speed = re.search(r"--ticker-speed:\s*([\d.]+)", body)
    return (float(font.group(1)) if font else TICKER_FONT, float(speed.group(1)) if speed else TICKER_SPEED)


def _text_em(text: str) -> float:
    """Estimated width in em: CJK and full-width characters ≈ 1 em, others ≈ 0.55 em."""
    return sum(1.0 if unicodedata.east_asian_width(c) in ("W", "F") else 0.55 for c in text)


def ticker_groups(v) -> list[str]:
    groups = list(v.data.get("groups") or [])
    return groups or list(db.session.scalars(select(ScreenGroup.name).order_by(ScreenGroup.name)))


def ticker_preview(v, layout, group: str | None) -> dict[str, Any] | None:
    """The ticker a screen of ``group`` would scroll with ``v`` approved: ``{lines, repeat,
    duration}`` (each line ``{text, this}``), or None when the layout has no ticker region."""
    region = next((r for r in layout["regions"] if r["name"] == "ticker"), None)
    if region is None:
        return None
    now = accounts.current_time()
    others = [line for line in db.session.scalars(
        select(TickerLine).where(TickerLine.status == PUBLISHED, TickerLine.code != v.object_key)
        .order_by(TickerLine.position, TickerLine.id))
        if (not line.groups or (group and group in line.groups))
        and (line.publish_from is None or line.publish_from <= now)
        and (line.expire_at is None or now < line.expire_at)]
    rows = [(line.position or 0, line.text, False) for line in others]
    rows.append((v.data.get("position") or 0, v.data.get("text") or "", True))
    rows.sort(key=lambda row: row[0])  # stable: the version goes after lines of equal position
    lines = [{"text": text, "this": this} for _, text, this in rows if text.strip()]
    font, speed = _ticker_metrics(layout)
    run = sum(_text_em(line["text"]) + TICKER_GAP_EM for line in lines) * font or 1.0
    repeat = max(1, math.ceil(region["w"] / run))  # one run at least as wide as the region
    return {"lines": lines, "repeat": repeat, "duration": round(max(5.0, run * repeat / speed), 1),
            "group": group}


# -- playlist ------------------------------------------------------------------------------------
def playlist_parts(v, layout) -> list[dict[str, Any]]:
    """Every item of the playlist version, each slide it makes on this layout:
    ``[{n, ref, label, duration, page, pages, html, title}]`` (``html`` None: nothing on
    screens). A ``popular:<n>`` item's pages are the guides its ranking shows now."""
    renderer = SlideRenderer(current_app._get_current_object(), db.session, layout)
    labels = review.ref_names(db.session, "playlist")
    parts = []
    for n, item in enumerate(v.data.get("items") or [], 1):
        ref = item.get("ref") or ""
        slides = renderer.render_all(ref)
        base = {"n": n, "ref": ref, "label": labels.get(ref, ref), "duration": item.get("duration")}
        if not slides:
            parts.append({**base, "page": 1, "pages": 1, "html": None})
        for page, (_, slide) in enumerate(slides, 1):
            parts.append({**base, "page": page, "pages": len(slides), "html": slide["html"],
                          "title": slide.get("title", "")})
    return parts


def _playlist_slide(v, layout) -> dict[str, Any]:
    """The one slide a playlist preview frame shows (only that item is rendered)."""
    items = v.data.get("items") or []
    n, page = request.args.get("item", "1"), request.args.get("page", "1")
    if not (n.isdigit() and page.isdigit() and 1 <= int(n) <= len(items)):
        abort(404)
    ref = items[int(n) - 1].get("ref") or ""
    slides = SlideRenderer(current_app._get_current_object(), db.session, layout).render_all(ref)
    if slides and not 1 <= int(page) <= len(slides):
        abort(404)
    html = slides[int(page) - 1][1]["html"] if slides else None
    return {"n": int(n), "ref": ref, "page": int(page), "pages": len(slides) or 1, "html": html}


# -- routes --------------------------------------------------------------------------------------
def _scaled(layout, width: int) -> tuple[float, int, int]:
    scale = min(1.0, width / layout["width"])
    return scale, round(layout["width"] * scale), round(layout["height"] * scale)


@bp.get("/content/versions/<int:version_id>/preview")
@role_required(*EDIT_ROLES)
def content_version_preview(version_id: int):
    v = version_or_redirect(version_id)
    if v is None:
        return redirect(url_for("admin.content_guides"))
    if v.object_type not in PREVIEW_KINDS:
        abort(404)
    names, layout = _layout()
    context: dict[str, Any] = {}
    if v.object_type == "playlist":
        parts = playlist_parts(v, layout)
        context["parts"] = parts
        context["total_seconds"] = sum(int(i.get("duration") or 0) for i in v.data.get("items") or [])
        _, width, height = _scaled(layout, PLAYLIST_WIDTH)
    else:
        _, width, height = _scaled(layout, PREVIEW_WIDTH)
    if v.object_type == "ticker":
        groups = ticker_groups(v)
        group = request.args.get("group") or (groups[0] if groups else "")
        if groups and group not in groups:
            abort(404)
        context.update(groups=groups, group=group, ticker=ticker_preview(v, layout, group))
    return render_template("admin/content_preview.html", v=v, names=names, layout=layout,
                           width=width, height=height, type_label=review.TYPE_LABELS[v.object_type],
                           states=review.STATE_LABELS, **context)


@bp.get("/content/versions/<int:version_id>/slide")
@role_required(*EDIT_ROLES)
def content_version_slide(version_id: int):
    """The framed document: the stage at the layout's pixel size, scaled to the frame.
    A playlist's frame shows one slide: page ``page`` of item ``item`` (both from 1)."""
    v = version_or_redirect(version_id)
    if v is None:
        return redirect(url_for("admin.content_guides"))
    if v.object_type not in PREVIEW_KINDS:
        abort(404)
    _, layout = _layout()
    ticker, item = None, None
    if v.object_type == "playlist":
        item = _playlist_slide(v, layout)
        html, scale = item["html"] or "", _scaled(layout, PLAYLIST_WIDTH)[0]
    else:
        html, scale = render_preview_slide(v, layout), _scaled(layout, PREVIEW_WIDTH)[0]
    if v.object_type == "ticker":
        group = request.args.get("group") or next(iter(ticker_groups(v)), "")
        ticker = ticker_preview(v, layout, group)
    body = render_template("admin/content_slide.html", v=v, layout=layout, html=Markup(html),
                           scale=scale, ticker=ticker, item=item,
                           hall_name=current_app.config.get("HALL_NAME", "政务服务中心"))
    response = current_app.make_response(body)
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = SLIDE_CSP
    return response
