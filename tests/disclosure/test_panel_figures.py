"""The panel's figures table shows every row of the template — each numbered sub-row with
its 7 columns — and marks the cells that failed checks name, so a failure on a sub-row such
as 4.保护第三方合法权益 can be found in the table."""

from __future__ import annotations

import io
import re

import lxml.html
from disclosure_factory import bumped, city_report, rules_broken_by

from kiosk.extensions import db
from kiosk.services.disclosure import render_text
from kiosk.services.disclosure import template as t
from kiosk.services.disclosure.store import store_report
from tests.admin.conftest import csrf_from, login, make_user

CELL = "applications.withheld.third_party_rights[3]"


def figures(page: str) -> list[tuple[str, list[tuple[str, str | None, bool, str]]]]:
    """The applications table: (row label, [(number, data-cell, marked, title)])."""
    table = lxml.html.fromstring(page).xpath('//table[@data-testid="applications"]')[0]
    out = []
    for tr in table.xpath("./tbody/tr"):
        cells = [(td.text_content().replace("（校验未通过）", "").strip(), td.get("data-cell"),
                  "cell-fail" in (td.get("class") or ""), td.get("title") or "")
                 for td in tr.xpath("./td")]
        out.append((tr.xpath("./th")[0].text_content().strip(), cells))
    return out


def marked(page: str) -> set[str]:
    return {path for _, cells in figures(page) for _, path, fail, _ in cells if fail}


def test_every_template_row_with_its_columns_and_the_failed_cells_marked(app):
    broken = bumped(city_report(), CELL, 2)
    make_user(app, "ed", "editor")
    with app.app_context():
        row = store_report(db.session, broken, code="city-2023", actor="t")
        db.session.commit()
        report_id, checks = row.id, row.checks
    client = app.test_client()
    login(client, "ed")
    page = client.get(f"/admin/disclosure/{report_id}").get_data(as_text=True)
    rows = figures(page)

    # 25 rows of the template plus a subtotal heading for each of the 4 groups of sub-rows
    assert len(rows) == len(t.APPLICATION_PATHS) + 4
    assert all(len(cells) == 7 for _, cells in rows)
    by_label = dict(rows)
    sub = by_label["4.保护第三方合法权益"]
    assert [int(v) for v, *_ in sub] == broken["applications"]["withheld"]["third_party_rights"]
    assert [path for _, path, *_ in sub] == [
        f"applications.withheld.third_party_rights[{c}]" for c in range(7)]
    for group in t.GROUPS:
        for s in group.subs:
            assert s.label in by_label, s.label
    # the broken cell fails its row total and its column's （七）总计 check, and says so
    value, _, fail, title = sub[3]
    assert fail and "row_total" in title and "grand_total" in title
    assert {rule for rule, _ in rules_broken_by(CELL, False)} == {"row_total", "grand_total"}
    # marked: exactly the cells the failed checks name (its row, and its column's outcome rows)
    named = {c for check in checks if not check["ok"] for c in check["cells"]}
    assert marked(page) == named
    assert "applications.withheld.third_party_rights[0]" in named  # the row
    assert "applications.total[3]" in named and "applications.granted[3]" in named  # the column
    assert "applications.new[3]" not in marked(page)
    # subtotals are sums, named by no check
    subtotal = by_label["三、（三）不予公开（小计）"]
    assert [int(v) for v, *_ in subtotal] == [
        sum(r[c] for r in broken["applications"]["withheld"].values()) for c in range(7)]
    assert all(path is None and not fail for _, path, fail, _ in subtotal)


def test_upload_preview_marks_review_cells_too(app):
    broken = bumped(city_report(), "reviews_and_litigation.litigation_direct.pending", 1)
    make_user(app, "ed", "editor")
    client = app.test_client()
    login(client, "ed")
    token = csrf_from(client.get("/admin/disclosure").text)
    page = client.post("/admin/disclosure/upload", data={
        "csrf_token": token, "file": (io.BytesIO(render_text(broken).encode()), "city.txt")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "尚未保存" in page
    failing = set(re.findall(r'class="num cell-fail" data-cell="([^"]+)"', page))
    assert failing == {f"reviews_and_litigation.litigation_direct.{k}" for k in t.REVIEW_PARTS}
