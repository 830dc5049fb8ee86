"""The one exception the disclosure parser raises for files it cannot read safely."""

from __future__ import annotations


class DisclosureError(Exception):
    """A file that is not a readable 2021-template annual report.

    Raised instead of returning numbers whenever the parser could only guess: a binary or
    empty file, a table that stops early, the older 2019 template. ``message`` is meant for
    the person who uploaded the file (Chinese first, then English); ``where`` points at the
    place (a line, a table row or a field path) so they can find it in their document.
    """

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message if where is None else f"{message}（位置 / at: {where}）")
        self.message = message
        self.where = where
