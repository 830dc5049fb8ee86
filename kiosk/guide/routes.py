"""Mobile guide pages: server-rendered, no JavaScript, work on any phone."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template, url_for
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import PUBLISHED, Guide, utcnow
from ..services.demand.views import count_phone_view
from ..services.fontsubset import font_face_css
from ..services.qr import guide_url, qr_svg_for_request
from ..services.review_attachments import public_links
from . import bp


def _published(code: str) -> Guide | None:
    return db.session.scalar(
        select(Guide)
        .where(Guide.code == code, Guide.status == PUBLISHED)
        .options(selectinload(Guide.materials), selectinload(Guide.department))
    )


@bp.get("/g/<code>")
def mobile(code: str):
    guide = _published(code)
    if guide is None:
        return with_page_font(render_template("guide/not_found.html", code=code)), 404
    url = guide_url(current_app.config["PUBLIC_BASE_URL"], guide.code)
    # demand (services/demand): phone views count towards what the kiosks and walls rank
    count_phone_view(current_app, db.engine, f"guide:{guide.code}", utcnow())
    return with_page_font(render_template(
        "guide/mobile.html",
        guide=guide,
        files=public_links(current_app.config["DATA_DIR"], guide.materials),
        page_url=url,
        qr_svg=Markup(qr_svg_for_request(url)),
        hall_name=current_app.config.get("HALL_NAME", "政务服务中心"),
    ))


FONT_MARK = "/*font-faces*/"


def with_page_font(html: str) -> str:
    """The page with the vendored font declared for its own characters only, in place of the
    mark in its ``<style>`` (the full stylesheet alone is three times the page's budget)."""
    folder = Path(current_app.static_folder) / "vendor" / "noto-sans-sc"
    css = font_face_css(html, str(folder / "noto-sans-sc.css"),
                        url_for("static", filename="vendor/noto-sans-sc/"))
    return html.replace(FONT_MARK, css, 1)


@bp.get("/g/<code>/qr.svg")
def qr(code: str):
    guide = _published(code)
    if guide is None:
        return "", 404
    svg = qr_svg_for_request(guide_url(current_app.config["PUBLIC_BASE_URL"], guide.code))
    return svg, 200, {"Content-Type": "image/svg+xml; charset=utf-8", "Cache-Control": "max-age=3600"}
