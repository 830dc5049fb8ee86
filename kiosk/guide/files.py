"""Guide attachments (空表 / 样表) for the public: ``/files/<sha256>.<ext>``.

A file is served only while a material of a *published* guide uses it: a draft's upload, or
one a reviewer has not approved yet, answers 404 here (staff open it through
``/admin/files/<name>``). The name is the file's SHA-256, so the URL is stable and names
exactly these bytes; the phone page (``/g/<code>``) links it as 空表下载 / 样表查看.
"""

from __future__ import annotations

from flask import abort, current_app, send_file

from ..extensions import db
from ..services.review_attachments import content_type, file_path, is_public
from . import bp

# nothing in the file may load or run anything; the browser's own PDF viewer is an object of
# the document, so object-src stays 'self'
FILE_CSP = ("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
PUBLIC_MAX_AGE = 3600  # content-addressed: a cached copy is never stale, only possibly unlinked


def send_attachment(name: str, *, public: bool):
    """The stored file as itself: its real type (checked from its bytes when it was stored),
    shown in the browser (``inline``), never sniffed as anything else."""
    path = file_path(current_app.config["DATA_DIR"], name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=content_type(name), conditional=True, etag=True,
                         max_age=PUBLIC_MAX_AGE if public else 0)
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    if not public:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/files/<name>")
def attachment(name: str):
    if not is_public(db.session, name):
        abort(404)
    return send_attachment(name, public=True)
