"""What goes wrong with an uploaded workbook, said so that staff can find it in Excel."""

from __future__ import annotations

from dataclasses import dataclass


class ExcelFileError(Exception):
    """The whole file is refused (not an xlsx, another template, empty, too large …).

    ``message`` is Chinese and tells the person what to do next.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CellError:
    """One mistake: sheet name, row number as Excel shows it, column header, message."""

    sheet: str
    row: int | None
    column: str
    message: str

    def as_list(self) -> list:
        return [self.sheet, self.row, self.column, self.message]

    @classmethod
    def from_list(cls, item: list) -> CellError:
        return cls(item[0], item[1], item[2], item[3])


@dataclass(frozen=True)
class Limits:
    """Upload limits (the panel passes its settings; the defaults suit one hall)."""

    max_bytes: int = 10 * 1024 * 1024
    max_rows: int = 5000  # data rows of the main sheet; the materials sheet may hold 10×
    # an xlsx is a zip: a small upload may unpack to gigabytes (zip bomb)
    max_unzipped: int = 200 * 1024 * 1024

    def rows_for(self, sheet_factor: int) -> int:
        return self.max_rows * sheet_factor
