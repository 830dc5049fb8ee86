"""The 申请材料 rows of the guide form, with their 空表 / 样表 uploads.

Kept apart from ``content.py`` because the rows carry files: each upload is staged
(:class:`~kiosk.services.review_attachments.StagedUploads`) while the form is read, and when
the form is refused the rows must point back at the files they had before — the staged ones
are deleted — with a note next to the file input that the file has to be chosen again (a
browser never refills a file input).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, request

from ..services.importer.fields import is_safe_relative
from ..services.review_attachments import KINDS, StagedUploads, kept_path

MAX_ROWS = 200
FILE_INPUTS = {"blank_form": "blank_file", "sample_form": "sample_file"}  # path key -> <input type=file>


@dataclass
class MaterialUploads:
    """The uploads of one request: staged files and the rows that took them."""

    staged: StagedUploads
    picked: list[tuple[dict[str, Any], str, str, str, int]] = field(default_factory=list)
    # (row, path key, path before, file name, row number)

    def kept(self) -> None:
        """The write was committed: the staged files take their place."""
        self.staged.keep()
        self.picked = []

    def refused(self) -> dict[str, str]:
        """The form was not saved: rows get their old files back; returns the notes to show."""
        notes = {}
        for row, key, before, filename, n in self.picked:
            row[key] = before
            notes[f"materials.{n}.{key}"] = f"表单未保存，“{filename}”需要在改正后重新选择"
        self.picked = []
        self.staged.discard()
        return notes


def materials_from_request(errors: dict[str, str], uploads: MaterialUploads) -> list[dict[str, Any]]:
    """The material rows as posted (removed rows dropped, uploads staged), plus an empty row
    when the person pressed 添加一行."""
    data_dir = current_app.config["DATA_DIR"]
    rows: list[dict[str, Any]] = []
    raw = (request.form.get("m-count") or "0").strip()
    count = min(int(raw), MAX_ROWS) if raw.isdigit() else 0  # a forged count is no rows, not a 500
    for i in range(count):
        if request.form.get(f"m-{i}-remove"):
            continue
        row: dict[str, Any] = {k: request.form.get(f"m-{i}-{k}", "")
                               for k in ("name", "form", "copies", "necessity", "note")}
        n = len(rows) + 1
        for key, input_name in FILE_INPUTS.items():
            before = "" if request.form.get(f"m-{i}-{key}_clear") else request.form.get(f"m-{i}-{key}", "")
            if before and not is_safe_relative(before):
                before = ""
            row[key] = kept_path(data_dir, before) or ""
            upload = request.files.get(f"m-{i}-{input_name}")
            if upload is None or not upload.filename:
                continue
            path, error = uploads.staged.add(upload.stream, upload.filename)
            if error:
                errors[f"materials.{n}.{key}"] = f"{KINDS[key]}：{error}"
            elif path:
                uploads.picked.append((row, key, row[key], upload.filename, n))
                row[key] = path
        rows.append(row)
    if request.form.get("action") == "add_row":
        rows.append({"name": "", "form": "原件", "copies": "1", "necessity": "必要", "note": ""})
    return rows
