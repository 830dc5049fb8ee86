"""Upserts a validated :class:`Plan` into the session, touching only what actually changed.

A column is assigned only when its value differs, and child rows (materials, bundle links,
playlist items) are replaced only when the file's list differs from the stored one: re-importing
the same folder therefore issues no UPDATE at all, keeps ``updated_at`` and row ids stable, and
the summary can honestly say "0 updated".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from ... import models as m
from ..disclosure import store as disclosure_store
from ..disclosure.overrides import drop_stale_override
from ..search import guide_search_text
from .plan import Plan, Spec
from .summary import ImportSummary

_MATERIAL_COLUMNS = ("name", "form", "copies", "necessity", "blank_form", "sample_form", "note")


def assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set the attributes that differ; True when anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


class Writer:
    """Writes one plan in dependency order, flushing between kinds so new rows have ids."""

    def __init__(self, session: Session, plan: Plan, summary: ImportSummary,
                 actor: str = "import") -> None:
        self.session = session
        self.actor = actor
        self.plan = plan
        self.summary = summary
        self.departments: dict[str, m.Department] = {}
        self.guides: dict[str, m.Guide] = {}
        self.playlists: dict[str, m.Playlist] = {}
        self.groups: dict[str, m.ScreenGroup] = {}

    def write(self) -> None:
        for kind in self.plan.specs:
            if self.plan.specs[kind]:
                getattr(self, f"_write_{kind}")(self.plan.specs[kind])
                self.session.flush()
        self._refresh_search_text()
        self.session.flush()

    # -- helpers ----------------------------------------------------------------------------
    def _existing(self, model: Any, column: Any, keys: Iterable[Any]) -> dict[Any, Any]:
        keys = list(keys)
        if not keys:
            return {}
        rows = self.session.scalars(select(model).where(column.in_(keys)))
        return {getattr(row, column.key): row for row in rows}

    def _upsert(self, kind: str, obj: Any | None, model: Any, key_values: dict[str, Any],
                spec: Spec, extra: dict[str, Any] | None = None, children_changed: bool = False) -> Any:
        values = {**spec.values, **(extra or {})}
        if obj is None:
            obj = model(**key_values, **values)
            self.session.add(obj)
            self.summary.count(kind, created=True)
            return obj
        changed = assign(obj, values)
        self.summary.count(kind, changed=changed or children_changed)
        return obj

    def _department(self, code: str) -> m.Department:
        if code not in self.departments:
            self.departments[code] = self.session.scalars(
                select(m.Department).where(m.Department.code == code)
            ).one()
        return self.departments[code]

    def _by_key(self, cache: dict[str, Any], model: Any, column: Any, key: str) -> Any:
        if key not in cache:
            cache[key] = self.session.scalars(select(model).where(column == key)).one()
        return cache[key]

    # -- content ----------------------------------------------------------------------------
    def _write_departments(self, specs: dict[str, Spec]) -> None:
        existing = self._existing(m.Department, m.Department.code, specs)
        for code, spec in specs.items():
            dept = self._upsert("departments", existing.get(code), m.Department, {"code": code}, spec)
            self.departments[code] = dept

    def _write_guides(self, specs: dict[str, Spec]) -> None:
        existing = self._existing(m.Guide, m.Guide.code, specs)
        for code, spec in specs.items():
            guide = existing.get(code)
            dept = self._department(spec.refs["department"])
            wanted = [tuple(mat[c] for c in _MATERIAL_COLUMNS) for mat in spec.children]
            stored = [] if guide is None else [
                tuple(getattr(mat, c) for c in _MATERIAL_COLUMNS) for mat in guide.materials
            ]
            materials_changed = guide is not None and wanted != stored
            guide = self._upsert("guides", guide, m.Guide, {"code": code}, spec,
                                 {"department": dept}, materials_changed)
            if guide.id is None or materials_changed:
                guide.materials = [
                    m.Material(position=index, **mat) for index, mat in enumerate(spec.children, 1)
                ]
            self.guides[code] = guide

    def _write_bundles(self, specs: dict[str, Spec]) -> None:
        existing = self._existing(m.Bundle, m.Bundle.code, specs)
        for code, spec in specs.items():
            bundle = existing.get(code)
            guide_ids = [self._by_key(self.guides, m.Guide, m.Guide.code, g).id for g in spec.children]
            links_changed = bundle is not None and [link.guide_id for link in bundle.links] != guide_ids
            bundle = self._upsert("bundles", bundle, m.Bundle, {"code": code}, spec,
                                  children_changed=links_changed)
            if bundle.id is None or links_changed:
                # Reuse link rows for guides that stay: their primary key is (bundle, guide),
                # and a delete plus insert of the same key in one flush would collide.
                kept = {link.guide_id: link for link in bundle.links}
                links = []
                for position, guide_id in enumerate(guide_ids, start=1):
                    link = kept.get(guide_id) or m.BundleGuide(guide_id=guide_id)
                    link.position = position
                    links.append(link)
                bundle.links = links

    def _write_evaluations(self, specs: dict[tuple[Any, str], Spec]) -> None:
        stat = m.EvaluationStat
        rows = self.session.scalars(
            select(stat).where(tuple_(stat.period, stat.window).in_(list(specs)))
        ) if len(specs) <= 500 else self.session.scalars(select(stat))
        existing = {(row.period, row.window): row for row in rows}
        for key, spec in specs.items():
            dept = self._department(spec.refs["department"])
            values = {k: v for k, v in spec.values.items() if k not in ("period", "window")}
            spec_values = Spec(key, spec.where, values)
            self._upsert("evaluations", existing.get(key), stat,
                         {"period": key[0], "window": key[1]}, spec_values,
                         {"department": dept})

    def _write_disclosure(self, specs: dict[str, Spec]) -> None:
        """Reports in year order, so last year's report of this import is there to check the
        next one against. A report whose figures changed gets its checks recomputed, loses an
        override given for other figures (audited), and next year's report is rechecked."""
        existing = self._existing(m.DisclosureReport, m.DisclosureReport.code, specs)
        order = sorted(specs.items(), key=lambda item: (item[1].values["agency"],
                                                        item[1].values["year"]))
        for code, spec in order:
            row = existing.get(code)
            before = None if row is None else row.data
            row = self._upsert("disclosure", row, m.DisclosureReport, {"code": code}, spec)
            if before is None or row.data != before:
                self._recheck_disclosure(row)

    def _recheck_disclosure(self, row: m.DisclosureReport) -> None:
        store = disclosure_store
        checks = store.current_checks(self.session, row)  # the shape was validated on reading
        row.checks, row.checks_ok = checks, not store.failed_checks(checks)
        drop_stale_override(self.session, row, checks, actor=self.actor,
                            because="the content import changed its figures")
        following = self.session.scalar(select(m.DisclosureReport).where(
            m.DisclosureReport.agency == row.agency, m.DisclosureReport.year == row.year + 1))
        if following is not None:
            store.refresh_checks(self.session, following, row, self.actor)

    def _write_notices(self, specs: dict[str, Spec]) -> None:
        existing = self._existing(m.Notice, m.Notice.code, specs)
        for code, spec in specs.items():
            self._upsert("notices", existing.get(code), m.Notice, {"code": code}, spec)

    def _write_ticker(self, specs: dict[str, Spec]) -> None:
        existing = self._existing(m.TickerLine, m.TickerLine.code, specs)
        for code, spec in specs.items():
            self._upsert("ticker", existing.get(code), m.TickerLine, {"code": code}, spec)

    # -- screens ----------------------------------------------------------------------------
    def _write_playlists(self, specs: dict[str, Spec]) -> None:
        existing = self._existing(m.Playlist, m.Playlist.name, specs)
        for name, spec in specs.items():
            playlist = existing.get(name)
            items_changed = playlist is not None and [
                (item.ref, item.duration) for item in playlist.items
            ] != spec.children
            playlist = self._upsert("playlists", playlist, m.Playlist, {"name": name}, spec,
                                    children_changed=items_changed)
            if playlist.id is None or items_changed:
                playlist.items = [
                    m.PlaylistItem(position=index, ref=ref, duration=duration)
                    for index, (ref, duration) in enumerate(spec.children, start=1)
                ]
            self.playlists[name] = playlist

    def _playlist(self, name: str | None) -> m.Playlist | None:
        if name is None:
            return None
        return self._by_key(self.playlists, m.Playlist, m.Playlist.name, name)

    def _write_groups(self, specs: dict[str, Spec]) -> None:
        existing = self._existing(m.ScreenGroup, m.ScreenGroup.name, specs)
        for name, spec in specs.items():
            extra = {"default_playlist": self._playlist(spec.refs["default_playlist"])}
            group = self._upsert("groups", existing.get(name), m.ScreenGroup, {"name": name}, spec, extra)
            self.groups[name] = group

    def _write_schedule(self, specs: dict[str, Spec]) -> None:
        existing = self._existing(m.ScheduleEntry, m.ScheduleEntry.name, specs)
        for name, spec in specs.items():
            extra = {"playlist": self._playlist(spec.refs["playlist"])}
            self._upsert("schedule", existing.get(name), m.ScheduleEntry, {"name": name}, spec, extra)

    def _write_screens(self, specs: dict[str, Spec]) -> None:
        existing = self._existing(m.Screen, m.Screen.name, specs)
        for name, spec in specs.items():
            group = self._by_key(self.groups, m.ScreenGroup, m.ScreenGroup.name, spec.refs["group"])
            kind = spec.values["kind"]
            # The token is deliberately absent from the values: a re-import must never unpair
            # a screen that is already mounted on a wall.
            values = {"kind": kind, "layout": spec.values["layout"] or m.DEFAULT_LAYOUTS[kind]}
            self._upsert("screens", existing.get(name), m.Screen, {"name": name},
                         Spec(name, spec.where, values), {"group": group})

    # -- derived ----------------------------------------------------------------------------
    def _refresh_search_text(self) -> None:
        """Guides of this import, and of departments renamed by it, get a fresh index string."""
        dept_ids = {d.id for d in self.departments.values()}
        guides = dict(self.guides)
        if dept_ids:
            for guide in self.session.scalars(select(m.Guide).where(m.Guide.department_id.in_(dept_ids))):
                guides.setdefault(guide.code, guide)
        for guide in guides.values():
            text = guide_search_text(guide)
            if guide.search_text != text:
                guide.search_text = text
