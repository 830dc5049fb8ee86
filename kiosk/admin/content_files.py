"""Guide attachments (空表 / 样表) for staff: any stored upload, draft or not.

The public URL (``/files/<name>``, :mod:`kiosk.guide.files`) serves a file only once a
published guide uses it; editors and reviewers must see a draft's file before approving it,
so the panel has its own route, with the same headers but never cached.
"""

from __future__ import annotations

from flask import url_for

from ..guide.files import send_attachment
from ..services.review_attachments import stored_name
from . import bp
from .auth import role_required
from .content import EDIT_ROLES


@bp.app_template_global("admin_file_url")
def admin_file_url(path: str | None) -> str | None:
    """The staff URL of a stored upload (``uploads/<hash>.<ext>``), None for other paths."""
    name = stored_name(path)
    return url_for("admin.content_file", name=name) if name else None


@bp.get("/files/<name>")
@role_required(*EDIT_ROLES)
def content_file(name: str):
    return send_attachment(name, public=False)
