"""The stored ranking behind ``popular:<n>`` playlist items (热门事项)."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class PopularGuide(db.Model):
    """One place of the ranking of published guides by views in the last 30 days
    (``position`` 1 = most viewed), written by the ``popular-guides`` job.

    Stored, not computed while slides render, so that every process (and every restart)
    renders the same guides for ``popular:5`` until the job decides the ranking moved, and
    a render costs no count over the visit tables. Only the codes are kept: view counts
    change with every visit, the order rarely, and a rewrite must mean "the wall changes"."""

    __tablename__ = "popular_guide"
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(64))
