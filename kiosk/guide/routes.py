"""Mobile guide pages: server-rendered, no JavaScript, work on any phone."""

from __future__ import annotations

from flask import current_app, render_template, url_for
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import PUBLISHED, Guide
from ..services.qr import guide_url, qr_svg
from ..services.review_attachments import file_path, stored_name
from . import bp


def _published(code: str) -> Guide | None:
    return db.session.scalar(
        select(Guide)
        .where(Guide.code == code, Guide.status == PUBLISHED)
        .options(selectinload(Guide.materials), selectinload(Guide.department))
    )


def attachment_links(guide: Guide) -> dict[int, dict[str, str]]:
    """``{material id: {"blank_form": url, "sample_form": url}}`` for the files a published
    guide's materials have on this server (a content-folder path left by an import from before
    imports stored their files is not served)."""
    data_dir = current_app.config["DATA_DIR"]
    links: dict[int, dict[str, str]] = {}
    for m in guide.materials:
        for key in ("blank_form", "sample_form"):
            name = stored_name(getattr(m, key))
            if name and file_path(data_dir, name):
                links.setdefault(m.id, {})[key] = url_for("guide.attachment", name=name)
    return links


@bp.get("/g/<code>")
def mobile(code: str):
    guide = _published(code)
    if guide is None:
        return render_template("guide/not_found.html", code=code), 404
    url = guide_url(current_app.config["PUBLIC_BASE_URL"], guide.code)
    return render_template(
        "guide/mobile.html",
        guide=guide,
        files=attachment_links(guide),
        page_url=url,
        qr_svg=Markup(qr_svg(url)),
        hall_name=current_app.config.get("HALL_NAME", "政务服务中心"),
    )


@bp.get("/g/<code>/qr.svg")
def qr(code: str):
    guide = _published(code)
    if guide is None:
        return "", 404
    svg = qr_svg(guide_url(current_app.config["PUBLIC_BASE_URL"], guide.code))
    return svg, 200, {"Content-Type": "image/svg+xml; charset=utf-8", "Cache-Control": "max-age=3600"}
