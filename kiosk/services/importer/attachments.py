"""The 空表 / 样表 files a content folder brings, stored the way the staff panel stores uploads.

A material's ``blank_form`` / ``sample_form`` in a content file is a path inside the folder; the
server only ever serves its own content-addressed store (``uploads/<sha256>.<ext>`` under the
data dir, :mod:`kiosk.services.review_attachments`). Keeping the folder path would leave the
phone page without links, and a later panel edit could not carry the file over. So each file is
read while the folder is parsed, checked by exactly the panel's rules (type from the first bytes,
at most 5 MB) and staged by the panel's :class:`StagedUploads`; the material stores the upload
path. The import is one transaction for files too: :func:`~.core.import_path` keeps the staged
files only after the commit and deletes them on any failure.
"""

from __future__ import annotations

from pathlib import Path

from ..review_attachments import StagedUploads
from .fields import Entry


class Attachments:
    """The files of one import: ``store`` while parsing, then the caller keeps or discards
    ``staged``. A file named by several materials (one 空表 for three guides) is read once."""

    def __init__(self, root: Path, staged: StagedUploads) -> None:
        self.root = root
        self.staged = staged
        self.stored: dict[str, str] = {}  # path in the folder -> uploads/<sha256>.<ext>

    def store(self, e: Entry, key: str) -> str | None:
        """The upload path for the file that field ``key`` of entry ``e`` names (None when the
        field is empty); every refusal is an import error at that field."""
        rel = e.attachment(key, self.root)  # relative, no "..", and the file exists
        if rel is None:
            return None
        if rel in self.stored:
            return self.stored[rel]
        source = self.root / rel
        try:
            real = source.resolve(strict=True)
            inside = real.is_relative_to(self.root.resolve(strict=True))
        except OSError:
            inside = False
        if not inside:  # a symbolic link out of the folder: not the author's file to publish
            e.fail(key, f"文件不在内容文件夹内（符号链接指向文件夹之外）: {rel}")
        try:
            with real.open("rb") as stream:
                path, error = self.staged.add(stream, rel)
        except OSError as exc:
            e.fail(key, f"无法读取文件 {rel}: {exc.strerror or exc}")
        if error:
            e.fail(key, error)
        if path is None:
            e.fail(key, f"文件“{rel}”是空文件，应为 PDF、PNG 或 JPEG")
        self.stored[rel] = path
        return path
