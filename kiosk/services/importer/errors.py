"""The one error an import raises, pointing at the exact place a person has to fix.

Content files are written by hall staff, not programmers: the message names the file (relative
to the imported folder), the entry number they can count to, the source line their editor shows
and the field, in Chinese, and every part is also available as an attribute for the CLI and API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn


@dataclass(frozen=True)
class Where:
    """A place in a content file: which file, which entry (1-based), which line, which field."""

    file: str
    row: int | None = None
    line: int | None = None
    field: str | None = None

    def at(self, field: str | None = None, line: int | None = None) -> Where:
        """The same entry, narrowed to one field (and its line when known)."""
        return Where(self.file, self.row, line if line is not None else self.line, field)

    def fail(self, message: str) -> NoReturn:
        raise ImportFailure(self.file, message, row=self.row, line=self.line, field=self.field)


class ImportFailure(Exception):
    """A content file is invalid; nothing was stored.

    ``row`` is the 1-based entry number in a YAML list or the 1-based data row of a CSV file,
    ``line`` the 1-based source line when known, ``field`` a path such as ``materials[2].form``
    (list indexes in field paths are 1-based too, like ``row``, because people count that way).
    """

    def __init__(
        self,
        file: str,
        message: str,
        *,
        row: int | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.line = line
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"第{self.row}条")
        if self.line is not None:
            parts.append(f"(line {self.line})")
        if self.field:
            parts.append(f"字段 {self.field}")
        return " ".join(parts) + f": {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON error body shape of the API (``{"error": {...}}`` is the caller's)."""
        return {
            "code": "import_failed",
            "message": str(self),
            "file": self.file,
            "row": self.row,
            "line": self.line,
            "field": self.field,
        }
