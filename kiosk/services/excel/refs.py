"""Departments as the files show them: by name (what staff know), code when names clash."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Department


class Departments:
    """Lookup of the stored departments by code, full name or short name."""

    def __init__(self, session: Session):
        rows = session.execute(select(Department.id, Department.code, Department.name,
                                      Department.short_name).order_by(Department.name)).all()
        self.by_code = {r.code: r for r in rows}
        names = Counter(r.name for r in rows)
        self.shown = {r.code: (r.name if names[r.name] == 1 else r.code) for r in rows}
        self._by_name: dict[str, list[str]] = {}
        for r in rows:
            for name in {r.name, r.short_name}:
                if name:
                    self._by_name.setdefault(name, []).append(r.code)

    def listing(self) -> list[tuple[str, str]]:
        """(code, name shown in files) for the drop-down list and the 说明 sheet."""
        return list(self.shown.items())

    def resolve(self, value: str) -> tuple[str | None, str | None]:
        """(code, None) or (None, message in Chinese)."""
        value = value.strip()
        if not value:
            return None, "请选择部门"
        if value in self.by_code:
            return value, None
        codes = self._by_name.get(value, [])
        if len(codes) == 1:
            return codes[0], None
        if codes:
            return None, f"有多个部门叫“{value}”，请改填部门编码（见“说明”工作表）"
        return None, f"没有这个部门“{value}”，请从下拉列表中选择"

    def id_of(self, code: str) -> int:
        return self.by_code[code].id
