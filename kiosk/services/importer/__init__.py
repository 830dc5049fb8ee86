"""Content import (``kiosk import PATH``): plain files in, one all-or-nothing transaction out.

The file formats are the contract in ``docs/content-format.md``. Modules, in the order data
flows through them: ``loader`` (files → data with line numbers), ``fields`` (validators),
``parsers`` / ``screens`` / ``disclosure`` (data → validated ``Plan``), ``writer`` (plan →
rows), ``core`` (the transaction), ``summary`` (counts).
"""

from .core import import_path
from .errors import ImportFailure
from .summary import Count, ImportSummary

__all__ = ["Count", "ImportFailure", "ImportSummary", "import_path"]
