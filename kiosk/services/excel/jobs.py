"""Uploaded workbooks waiting for confirmation, and their checking with real progress.

Why keep the file on the server instead of asking for it again on confirmation: what gets
imported is then exactly what was checked and shown (a second upload could be another file),
and a large file crosses the network once. The upload is stored under
``<data dir>/excel-imports/<random key>.xlsx`` next to a status file that names its owner; a
key of another user is treated as unknown. Files older than :data:`KEEP_SECONDS` are removed
whenever anybody uploads or opens the import page, and a person's new upload of a kind
replaces their older one; confirmation and cancelling delete them at once.

Checking may run in a background task (see ``kiosk/admin/excel.py``): it writes its progress
(rows read, rows checked) to the status file, which the page polls, and calls ``pause`` every
hundred rows so that a gevent server keeps serving screens meanwhile.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import time
from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from . import evaluations, guides
from .columns import KINDS
from .errors import ExcelFileError, Limits
from .outcome import Outcome
from .reader import SheetRows, read

log = logging.getLogger(__name__)
KEEP_SECONDS = 2 * 3600
_KEY = re.compile(r"^[0-9a-f]{32}$")
PHASES = {"queued": "等待检查", "reading": "正在读取表格", "checking": "正在逐行检查",
          "done": "检查完成", "failed": "无法导入"}


class Jobs:
    def __init__(self, data_dir: str | Path):
        self.folder = Path(data_dir) / "excel-imports"

    # -- files ------------------------------------------------------------------------------
    def _path(self, key: str, suffix: str) -> Path:
        if not _KEY.match(key or ""):
            raise KeyError(key)
        return self.folder / f"{key}{suffix}"

    def cleanup(self, now: float | None = None) -> int:
        """Remove uploads nobody confirmed within KEEP_SECONDS; returns files removed."""
        if not self.folder.is_dir():
            return 0
        now = time.time() if now is None else now
        removed = 0
        for path in self.folder.iterdir():
            try:
                if now - path.stat().st_mtime > KEEP_SECONDS:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

    def _write_json(self, path: Path, data: dict[str, Any]) -> None:
        tmp = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        os.replace(tmp, path)

    def create(self, owner: int, owner_name: str, kind: str, filename: str, stream: IO[bytes],
               limits: Limits) -> str:
        """Store an upload; refuses it (ExcelFileError) when larger than the limit."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.cleanup()
        for old in self.mine(owner, kind):
            self.discard(old)
        key = secrets.token_hex(16)
        path = self._path(key, ".xlsx")
        size = 0
        with path.open("wb") as fh:
            while chunk := stream.read(1 << 16):
                size += len(chunk)
                if size > limits.max_bytes:
                    break
                fh.write(chunk)
        if size > limits.max_bytes:
            path.unlink(missing_ok=True)
            raise ExcelFileError(f"文件超过 {limits.max_bytes // (1024 * 1024)} MB，请分成几个文件上传。")
        self._write_json(self._path(key, ".json"), {
            "owner": owner, "owner_name": owner_name, "kind": kind, "filename": filename[:200],
            "size": size, "state": "queued", "done": 0, "total": None, "message": "",
            "created": time.time()})
        return key

    def mine(self, owner: int, kind: str | None = None) -> list[str]:
        """Keys of ``owner``'s pending uploads (of ``kind``)."""
        keys = []
        if self.folder.is_dir():
            for path in self.folder.glob("*.json"):
                key = path.name.removesuffix(".json")
                status = self.status(key, owner) if _KEY.match(key) else None
                if status is not None and (kind is None or status["kind"] == kind):
                    keys.append(key)
        return keys

    def status(self, key: str, owner: int) -> dict[str, Any] | None:
        """The job's status, or None when it does not exist or belongs to someone else."""
        try:
            data = json.loads(self._path(key, ".json").read_text("utf-8"))
        except (KeyError, OSError, ValueError):
            return None
        return data if data.get("owner") == owner else None

    def update(self, key: str, **fields: Any) -> None:
        path = self._path(key, ".json")
        data = json.loads(path.read_text("utf-8"))
        data.update(fields, updated=time.time())
        self._write_json(path, data)

    def outcome(self, key: str) -> tuple[Outcome, list[SheetRows]] | None:
        try:
            data = json.loads(self._path(key, ".result.json").read_text("utf-8"))
        except (KeyError, OSError, ValueError):
            return None
        outcome = Outcome.from_dict(data["outcome"])
        sheets = [SheetRows(sheet, [(n, raw) for n, raw in rows])
                  for sheet, rows in zip(KINDS[outcome.kind], data["rows"], strict=True)]
        return outcome, sheets

    def save_outcome(self, key: str, outcome: Outcome, sheets: list[SheetRows]) -> None:
        self._write_json(self._path(key, ".result.json"),
                         {"outcome": outcome.as_dict(), "rows": [s.rows for s in sheets]})

    def discard(self, key: str) -> None:
        for suffix in (".xlsx", ".json", ".result.json"):
            self._path(key, suffix).unlink(missing_ok=True)

    # -- checking ---------------------------------------------------------------------------
    def process(self, key: str, session: Session, tz: tzinfo, limits: Limits,
                pause: Callable[[], None] = lambda: None) -> None:
        """Read and check the upload, recording progress; never writes to the database."""
        status = json.loads(self._path(key, ".json").read_text("utf-8"))
        kind, actor = status["kind"], status["owner_name"]

        def step(state: str) -> Callable[[int, int | None], None]:
            def report(done: int, total: int | None) -> None:
                self.update(key, state=state, done=done, total=total)
                pause()
            return report

        try:
            self.update(key, state="reading", done=0, total=None)
            sheets = read(self._path(key, ".xlsx"), kind, limits, step("reading"))
            self.update(key, state="checking", done=0, total=len(sheets[0].rows))
            outcome = check(kind, session, sheets, tz, actor, step("checking"))
            self.save_outcome(key, outcome, sheets)
            self.update(key, state="done", done=len(sheets[0].rows), total=len(sheets[0].rows))
        except ExcelFileError as err:
            self.update(key, state="failed", message=err.message)
        except Exception:
            log.exception("checking upload %s failed", key)
            self.update(key, state="failed", message="检查文件时出错，请稍后重试或联系管理员。")
        finally:
            session.rollback()


def check(kind: str, session: Session, sheets: list[SheetRows], tz: tzinfo, actor: str,
          progress: Callable[[int, int], None] | None = None) -> Outcome:
    if kind == "guides":
        return guides.check(session, sheets, tz, actor, progress)
    return evaluations.check(session, sheets, progress)
