"""Render playlist items (``guide:CODE`` …) to slide HTML for one layout.

Slides are rendered on the server, once per (group, layout) and change, so a screen only
inserts finished, escaped HTML: cheap players stay simple and every screen of a layout
shows exactly the same thing. A layout folder may override any ``slides/<kind>.html``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import PUBLISHED, Bundle, BundleGuide, DisclosureReport, Guide, Notice
from . import evaluations, popular
from .disclosure import DisclosureError
from .disclosure import store as disclosure_store
from .qr import guide_url, qr_svg_for_render

log = logging.getLogger(__name__)

OUTCOME_LABELS = (
    ("granted", "予以公开"),
    ("partially_granted", "部分公开"),
    ("withheld", "不予公开"),
    ("unable", "无法提供"),
    ("not_processed", "不予处理"),
    ("other", "其他处理"),
)


def slide_env(app: Flask, layout: dict[str, Any]) -> Environment:
    """A Jinja environment that looks in the layout folder first, then the app's templates."""
    cache = app.extensions.setdefault("kiosk.slide_envs", {})
    env = cache.get(layout["name"])
    if env is None:
        env = app.jinja_env.overlay(
            loader=ChoiceLoader([FileSystemLoader(layout["folder"]), app.jinja_loader])
        )
        cache[layout["name"]] = env
    return env


APPLICANT_LABELS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
REVIEW_GROUPS = (
    ("review", "行政复议", ""),
    ("litigation_direct", "行政诉讼", "未经复议直接起诉"),
    ("litigation_after_review", "行政诉讼", "复议后起诉"),
)
REVIEW_PARTS = (("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"),
                ("pending", "尚未审结"))


def disclosure_summary(report: dict[str, Any]) -> dict[str, Any]:
    """The figures the disclosure slides show (the total column is the 7th of each row).

    ``received`` is 一、本年新收; ``answered`` is 三、（七）总计 (applications handled this
    year); ``publish_rate`` = (（一）予以公开 + （二）部分公开) / （七）总计; ``zero`` when
    nothing was received (new or carried over) and nothing handled.
    """
    apps = report.get("applications", {})

    def col_total(key: str) -> int:
        value = apps.get(key)
        if isinstance(value, dict):
            return sum(row[6] for row in value.values())
        return value[6] if value else 0

    received = col_total("new")
    carried_over = col_total("carried_over")
    answered = col_total("total")
    granted, partial = col_total("granted"), col_total("partially_granted")
    new_row = list(apps.get("new") or [0] * 7)
    reviews = report.get("reviews_and_litigation") or {}
    groups = []
    for key, label, sub in REVIEW_GROUPS:
        r = reviews.get(key) or {}
        groups.append({
            "key": key, "label": label, "sub": sub, "total": r.get("total", 0),
            "parts": [{"key": k, "label": lab, "value": r.get(k, 0)} for k, lab in REVIEW_PARTS],
        })
    review_total = groups[0]["total"]
    litigation_total = groups[1]["total"] + groups[2]["total"]
    return {
        "agency": report.get("agency", ""),
        "year": report.get("year"),
        "received": received,
        "carried_over": carried_over,
        "answered": answered,
        "carried_forward": col_total("carried_forward"),
        "granted": granted,
        "partially_granted": partial,
        "publish_rate": (granted + partial) / answered if answered else None,
        "zero": received == 0 and carried_over == 0 and answered == 0,
        "outcomes": [{"key": key, "label": label, "value": col_total(key)}
                     for key, label in OUTCOME_LABELS],
        "applicants": [{"label": label, "value": new_row[i]}
                       for i, label in enumerate(APPLICANT_LABELS)],
        "natural_person": new_row[0],
        "organisations": sum(new_row[1:6]),
        "reviews": groups,
        "review_total": review_total,
        "litigation_total": litigation_total,
        "proactive": report.get("proactive") or {},
    }


class SlideRenderer:
    """Renders refs for one layout, looking content up through one session."""

    def __init__(self, app: Flask, session: Session, layout: dict[str, Any]):
        self.app, self.session, self.layout = app, session, layout
        self.env = slide_env(app, layout)
        self.base_url = app.config["PUBLIC_BASE_URL"]
        self.hall_name = app.config.get("HALL_NAME", "政务服务中心")

    def render(self, ref: str) -> dict[str, Any] | None:
        """The first (usually only) slide for ``ref``, or None when there is none."""
        slides = self.render_all(ref)
        return slides[0][1] if slides else None

    def render_all(self, ref: str) -> list[tuple[str, dict[str, Any]]]:
        """``[(item id, item)]`` for ``ref``: empty when its content is missing or not
        published, several when the content is a deck (ids ``ref#2``, ``ref#3`` …).
        ``popular:<n>`` is the guide slides of the ranking, each under its own id
        (``guide:CODE``): the same slide, and the same proof of play, as a guide item."""
        kind, _, key = ref.partition(":")
        if kind == popular.KIND:
            return self._popular(ref)
        handler = getattr(self, f"_{kind}", None)
        if handler is None:
            log.warning("unknown playlist item type in %r", ref)
            return []
        found = handler(key)
        if found is None:
            return []
        template, context, extra = found
        templates = template if isinstance(template, list) else [template]
        out = []
        for i, name in enumerate(templates, 1):
            html = self.env.get_template(f"slides/{name}.html").render(
                layout=self.layout, hall_name=self.hall_name, page=i, pages=len(templates), **context
            )
            out.append((ref if i == 1 else f"{ref}#{i}", {"kind": name, "html": html, **extra}))
        return out

    def _popular(self, ref: str) -> list[tuple[str, dict[str, Any]]]:
        n = popular.count_of(ref)
        if n is None:
            log.warning("invalid popular item %r", ref)
            return []
        out: list[tuple[str, dict[str, Any]]] = []
        for code in popular.codes_for(self.session, n):
            out.extend(self.render_all(f"guide:{code}"))
        return out

    def _guide(self, code: str):
        guide = self.session.scalar(
            select(Guide)
            .where(Guide.code == code, Guide.status == PUBLISHED)
            .options(selectinload(Guide.materials), selectinload(Guide.department))
        )
        if guide is None:
            return None
        url = guide_url(self.base_url, guide.code)
        ctx = {"guide": guide, "url": url, "qr_svg": Markup(qr_svg_for_render(url))}
        return "guide", ctx, {"title": guide.name}

    def _bundle(self, code: str):
        bundle = self.session.scalar(
            select(Bundle)
            .where(Bundle.code == code, Bundle.status == PUBLISHED)
            .options(
                selectinload(Bundle.links)
                .selectinload(BundleGuide.guide)
                .selectinload(Guide.materials)
            )
        )
        if bundle is None:
            return None
        ctx = {"bundle": bundle, "materials": bundle.merged_materials()}
        return "bundle", ctx, {"title": bundle.name}

    def _notice(self, code: str):
        notice = self.session.scalar(
            select(Notice).where(Notice.code == code, Notice.status == PUBLISHED)
        )
        if notice is None:
            return None
        extra: dict[str, Any] = {"title": notice.title}
        if notice.publish_from:
            extra["from"] = _iso(notice.publish_from)
        if notice.expire_at:
            extra["until"] = _iso(notice.expire_at)
        return "notice", {"notice": notice}, extra

    def _evaluation(self, key: str):
        scope, _, dept = key.partition(":")
        ev = evaluations.summary(self.session, dept if scope == "department" else None)
        if ev is None:
            return None
        return "evaluation", {"ev": ev}, {"title": ev["title"]}

    def _disclosure(self, code: str):
        """A deck: headline, outcomes, proactive disclosure, review/litigation, last year.

        The guard: a report whose checks fail (computed now, with last year's stored report)
        is shown only when a reviewer overrode them with a written reason."""
        report = self.session.scalar(
            select(DisclosureReport).where(
                DisclosureReport.code == code, DisclosureReport.status == PUBLISHED
            )
        )
        if report is None:
            return None
        previous = disclosure_store.previous_report(self.session, report.agency, report.year)
        try:
            checks = disclosure_store.current_checks(self.session, report, previous)
        except DisclosureError as exc:
            log.warning("disclosure report %r is not a complete report, not shown: %s", code, exc)
            return None
        if not disclosure_store.can_schedule(report, checks):
            failed = disclosure_store.failed_checks(checks)
            log.warning(
                "disclosure report %r fails %d of %d checks (%s) and has no reviewer override: "
                "not shown", code, len(failed), len(checks),
                ", ".join(sorted({c["rule"] for c in failed})),
            )
            return None
        data = dict(report.data, agency=report.agency, year=report.year)
        d = disclosure_summary(data)
        prev = None
        if previous is not None and previous.status == PUBLISHED:
            try:
                prev_ok = disclosure_store.can_schedule(
                    previous, disclosure_store.current_checks(self.session, previous))
            except DisclosureError:
                prev_ok = False
            if prev_ok:
                prev = disclosure_summary(dict(previous.data, agency=previous.agency,
                                               year=previous.year))
        pages = ["disclosure"]
        if not d["zero"]:
            pages.append("disclosure_outcomes")
        pages.append("disclosure_proactive")
        if d["review_total"] or d["litigation_total"]:
            pages.append("disclosure_review")
        if prev is not None:
            pages.append("disclosure_yoy")
        title = f"{report.agency} {report.year}年政府信息公开工作年度报告"
        return pages, {"report": data, "d": d, "prev": prev}, {"title": title}


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")
