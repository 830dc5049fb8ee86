"""The 空表 (blank form) and 样表 (sample form) files of guide materials.

Files are content-addressed — ``uploads/<sha256>.<ext>`` under the data dir, whether uploaded in
the panel or brought by ``kiosk import`` (:mod:`kiosk.services.importer.attachments`: same
checks, same staging) — so a URL names exactly one file forever, the same file uploaded twice
is stored once, and a replaced file shows in the review diff as a new name. The type is read
from the file's first bytes, never from its name or the browser's Content-Type, and nothing a
person typed becomes part of a path.

An edit form is one write: the files of a refused form must not stay behind, and a saved
version must never point at a file that is not there. So uploads are *staged* under a
temporary name in the same folder while the request runs (:class:`StagedUploads`), moved
into place (an atomic rename) only after the database commit, and deleted otherwise.

Who may read a file is decided by what refers to it: a material of a *published* guide makes
it public (``/files/<name>``, the phone page links it); anything else — a draft, a version
waiting for review — is visible only to staff (``/admin/files/<name>``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..models import PUBLISHED, Guide, Material

log = logging.getLogger(__name__)

FOLDER = "uploads"
UPLOAD_MAX = 5 * 1024 * 1024  # bytes; exactly 5 MB is allowed
# magic numbers: the whole PNG signature, PDF's header, JPEG's SOI + first marker
UPLOAD_TYPES = {b"%PDF-": "pdf", b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}
KINDS = {"blank_form": "空表", "sample_form": "样表"}
TEMP_PREFIX = ".tmp-"
TEMP_MAX_AGE = 3600  # seconds: staged files older than this were left by a crashed request
_NAME = re.compile(r"^[0-9a-f]{64}\.(pdf|png|jpg)$")


def stored_name(path: str | None) -> str | None:
    """``uploads/<sha256>.<ext>`` → ``<sha256>.<ext>``; None for anything else (a content-folder
    path stored by an import made before imports copied their files here, or a value someone
    made up)."""
    if not path or not path.startswith(f"{FOLDER}/"):
        return None
    name = path[len(FOLDER) + 1:]
    return name if _NAME.match(name) else None


def file_path(data_dir: str | Path, name: str) -> Path | None:
    """The stored file called ``name``, or None when the name is not one of ours or is gone."""
    if not _NAME.match(name or ""):
        return None
    path = Path(data_dir) / FOLDER / name
    return path if path.is_file() else None


def public_url(name: str) -> str:
    """Where the public reads a stored file: ``/files/<name>`` (kiosk/guide/files.py)."""
    return f"/files/{name}"


def public_links(data_dir: str | Path, materials: Iterable[Material]) -> dict[int, dict[str, str]]:
    """``{material id: {"blank_form": url, "sample_form": url}}`` for the files these materials
    (of a published guide) have on this server. A content-folder path left by an import from
    before imports stored their files, or a file that is gone, gets no link: the phone page,
    the API and the kiosk all link exactly the files ``/files/<name>`` will serve."""
    links: dict[int, dict[str, str]] = {}
    for m in materials:
        for key in KINDS:
            name = stored_name(getattr(m, key))
            if name and file_path(data_dir, name):
                links.setdefault(m.id, {})[key] = public_url(name)
    return links


def content_type(name: str) -> str:
    return CONTENT_TYPES[name.rsplit(".", 1)[1]]


def is_public(session: Session, name: str) -> bool:
    """A material of a published guide uses this file (as 空表 or 样表)."""
    path = f"{FOLDER}/{name}"
    return session.scalar(
        select(Material.id).join(Guide).where(
            Guide.status == PUBLISHED, or_(Material.blank_form == path, Material.sample_form == path))
        .limit(1)) is not None


def kept_path(data_dir: str | Path, value: str | None) -> str | None:
    """A path the form carried over from the version being edited (a hidden field): one of our
    uploads (from the panel or ``kiosk import``) only if that file exists; other relative paths
    (left by imports made before imports stored their files) are left as they are."""
    if not value:
        return None
    if value.startswith(f"{FOLDER}/"):
        name = stored_name(value)
        return value if name and file_path(data_dir, name) else None
    return value


class StagedUploads:
    """The files one request received, under temporary names until :meth:`keep`.

    Use: ``add`` each upload while reading the form; after the commit call ``keep`` (moves
    them into place); on any refusal or error call ``discard``. Calling ``discard`` after
    ``keep`` does nothing, so ``finally: staged.discard()`` is safe."""

    def __init__(self, data_dir: str | Path):
        self.folder = Path(data_dir) / FOLDER
        self.pending: list[tuple[Path, Path]] = []

    def add(self, stream: BinaryIO, filename: str) -> tuple[str | None, str | None]:
        """Check and stage one file. Returns (stored path, None), (None, message for staff), or
        (None, None) for an empty file input."""
        body = stream.read(UPLOAD_MAX + 1)
        if not body:
            return None, None
        if len(body) > UPLOAD_MAX:
            return None, f"文件“{filename}”超过 5 MB，请压缩后再上传"
        ext = next((e for magic, e in UPLOAD_TYPES.items() if body.startswith(magic)), None)
        if ext is None:
            return None, f"文件“{filename}”不是 PDF、PNG 或 JPEG"
        self.folder.mkdir(parents=True, exist_ok=True)
        if not self.pending:
            sweep(self.folder)
        name = f"{hashlib.sha256(body).hexdigest()}.{ext}"
        temp = self.folder / f"{TEMP_PREFIX}{uuid.uuid4().hex}.{ext}"
        temp.write_bytes(body)
        self.pending.append((temp, self.folder / name))
        return f"{FOLDER}/{name}", None

    def keep(self) -> None:
        """After the commit: move every staged file to its content-addressed name."""
        for temp, final in self.pending:
            try:
                os.replace(temp, final)  # same bytes under the same name: replacing is harmless
            except OSError:
                log.exception("could not keep upload %s as %s", temp, final.name)
        self.pending = []

    def discard(self) -> None:
        """The write did not happen: delete the staged files."""
        for temp, _ in self.pending:
            temp.unlink(missing_ok=True)
        self.pending = []


def sweep(folder: Path, now: float | None = None) -> int:
    """Delete staged files a crashed request left behind; returns how many."""
    now = time.time() if now is None else now
    removed = 0
    for temp in folder.glob(f"{TEMP_PREFIX}*"):
        try:
            if now - temp.stat().st_mtime > TEMP_MAX_AGE:
                temp.unlink()
                removed += 1
        except OSError:
            continue
    return removed
