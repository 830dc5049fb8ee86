"""Search quality cannot silently regress: the checked-in set of citizens' phrasings
(tests/data/search_eval.yaml) must keep finding an acceptable guide among the first three
for at least 90 % of its queries (bench/search_quality.py prints the rates and the misses)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import Bundle, Guide
from kiosk.services.search import search
from kiosk.services.search.evaluate import TARGET_TOP3, evaluate, load_cases

EVAL = Path(__file__).resolve().parent / "data" / "search_eval.yaml"


def test_the_set_is_large_colloquial_and_names_real_guides(demo_app):
    cases = load_cases(EVAL)
    assert len(cases) >= 150 and sum(c.kind == "colloquial" for c in cases) >= 150
    with demo_app.app_context():
        names = set(db.session.scalars(select(Guide.name))) | set(db.session.scalars(select(Bundle.name)))
    unknown = {n for c in cases for n in c.accept} - names
    assert not unknown, f"accept names not in the demo catalogue: {unknown}"
    assert len({c.query for c in cases}) == len(cases)


def test_top3_hit_rate_meets_the_target(demo_app):
    cases = load_cases(EVAL)
    with demo_app.app_context():
        report = evaluate(cases, lambda q: [h.name for h in search(q, limit=3)])
    misses = "\n".join(f"  {c.query} → {got}" for c, got in report.misses)
    assert report.top3_rate >= TARGET_TOP3, (
        f"top-3 {report.top3_rate:.1%} (top-1 {report.top1_rate:.1%}) below {TARGET_TOP3:.0%}; misses:\n{misses}")
