"""Excel (xlsx) import and export of 办事指南 and 好差评 statistics for the staff panel.

One format serves three purposes: the blank template staff fill in, the export of what is
stored now, and the file that is imported — so an export imported again changes nothing.

* :mod:`.columns` — the sheets and their Chinese column headers (the format itself).
* :mod:`.workbook` — writes templates and exports (header, 说明 sheet, drop-down lists).
* :mod:`.reader` — refuses files that are not a filled-in template, reads rows as text.
* :mod:`.guides`, :mod:`.evaluations` — check every row (all mistakes at once, nothing
  written), then apply a clean file in one transaction.
* :mod:`.jobs` — an uploaded file waiting for confirmation, with real progress.

Guides never go live from a file: each new or changed guide becomes a submitted version in
the review workflow (源头审核). 好差评 figures come from the national 好差评 system and are
stored directly by admins and reviewers, audited row by row.
"""

from .errors import CellError, ExcelFileError, Limits

__all__ = ["CellError", "ExcelFileError", "Limits"]
