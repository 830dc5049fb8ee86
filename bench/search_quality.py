"""Search quality on citizens' phrasings: top-1 and top-3 hit rates and the misses.

    .venv/bin/python bench/search_quality.py            # the engine and the old substring search
    .venv/bin/python bench/search_quality.py --misses   # also list every miss

The set is tests/data/search_eval.yaml (written without looking at the engine's lexicon; see
tests/data/README_search_eval.md), over the demo catalogue (content/, imported into a fresh
SQLite database). The baseline is the substring search the project had before (what a citizen
would otherwise get), run on the same database in the same run. Target: top-3 ≥ 90 %; the
suite (tests/test_search_quality.py) fails below it.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search_baseline import search_guides as baseline  # noqa: E402

from kiosk import create_app  # noqa: E402
from kiosk.extensions import db  # noqa: E402
from kiosk.services.importer import import_path  # noqa: E402
from kiosk.services.search import search  # noqa: E402
from kiosk.services.search.evaluate import TARGET_TOP3, Report, evaluate, load_cases  # noqa: E402

EVAL = ROOT / "tests" / "data" / "search_eval.yaml"


def print_report(title: str, report: Report, misses: bool) -> None:
    print(f"\n{title}: top-1 {report.top1_rate:.1%}  top-3 {report.top3_rate:.1%}  ({report.total} queries)")
    for kind, (n, t1, t3) in sorted(report.by_kind.items()):
        print(f"  {kind:<11} {n:>4}  top-1 {t1 / n:6.1%}  top-3 {t3 / n:6.1%}")
    if misses:
        for case, got in report.misses:
            print(f"  miss [{case.kind}] {case.query}  →  {' | '.join(got) or '(nothing)'}   want: {' / '.join(case.accept)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--misses", action="store_true", help="list every miss")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    cases = load_cases(EVAL)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATA_DIR": tmp, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/q.db",
                          "SCHEDULER_ENABLED": False, "SOCKETIO_ASYNC_MODE": "threading", "MESSAGE_QUEUE_URL": None})
        with app.app_context():
            db.create_all()
            import_path(ROOT / "content", actor="bench")
            engine = evaluate(cases, lambda q: [h.name for h in search(q, limit=3)])
            old = evaluate(cases, lambda q: [g.name for g in baseline(db.session, q, limit=3)])
            db.session.remove()
            db.engine.dispose()
    print_report("search engine", engine, args.misses)
    print_report("baseline (substring search, before)", old, False)
    ok = engine.top3_rate >= TARGET_TOP3
    print(f"\ntarget top-3 ≥ {TARGET_TOP3:.0%}: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
