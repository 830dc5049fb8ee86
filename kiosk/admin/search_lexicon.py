"""搜索词库: the colloquial lexicon in the panel (issue 9: "a plain file in content/ that staff
can extend in the panel").

Every role may look: the shipped file's entries (read-only, with line numbers, and the error
in red when the engine refuses the file), staff's entries, a filter, and a 试一试 box that
runs the real search. **Admins and reviewers** add, edit and delete staff entries: an entry
changes what every kiosk and phone search finds at once, without review, so it is kept to
the roles that approve content. Editors and viewers get 403 on the POSTs. Every write is one
transaction with its audit row (``search_term_add`` / ``_edit`` / ``_delete``).

The filter and the 试一试 box are GET parameters (nothing changes: no CSRF token); the
writes are POST forms with one. A refused entry re-renders the page with status 400, the
parser's message next to the side that is wrong, and nothing saved.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..models import SearchTerm
from ..services.search import terms
from . import bp, nav_item
from .auth import STAFF, role_required

EDIT_ROLES = ("admin", "reviewer")
MAX_QUERY = 100


def _page(*, form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
          editing: int | None = None, status: int = 200):
    app = current_app._get_current_object()
    needle = (request.args.get("q") or "").strip()[:MAX_QUERY]
    query = (request.args.get("try") or "").strip()[:MAX_QUERY]
    shipped = terms.read_file(app)
    staff = terms.staff_rows(db.session)
    trial = terms.try_query(app, db.session, query, shipped.rows + staff) if query else None
    if editing is None and (request.args.get("edit") or "").isdigit():
        editing = int(request.args["edit"])
    context: dict[str, Any] = {
        "shipped": shipped, "file_rows": terms.filtered(shipped.rows, needle),
        "staff_rows": terms.filtered(staff, needle), "staff_total": len(staff), "needle": needle,
        "query": query, "trial": trial, "editing": editing, "form": form or {}, "errors": errors or {},
        "can_edit": current_user.role in EDIT_ROLES, "try_limit": terms.TRY_LIMIT,
    }
    return render_template("admin/search_lexicon.html", **context), status


def _back():
    return redirect(url_for("admin.search_lexicon", q=request.args.get("q") or None))


@bp.get("/search/lexicon")
@role_required(*STAFF)
def search_lexicon():
    return _page()


@bp.post("/search/lexicon/add")
@role_required(*EDIT_ROLES)
def search_lexicon_add():
    form = {"left": request.form.get("left", ""), "right": request.form.get("right", "")}
    entry, errors = terms.check(form["left"], form["right"])
    if entry is None:
        return _page(form=form, errors=errors, status=400)
    term = terms.add(db.session, entry, current_user.name)
    db.session.commit()
    flash(f"已新增搜索词“{term.left} = {term.right}”，所有查询机和手机搜索立即生效。", "success")
    return _back()


@bp.post("/search/lexicon/<int:term_id>/edit")
@role_required(*EDIT_ROLES)
def search_lexicon_edit(term_id: int):
    term = db.session.get(SearchTerm, term_id)
    if term is None:
        flash("没有找到这条搜索词，可能已被删除。", "error")
        return _back()
    form = {"left": request.form.get("left", ""), "right": request.form.get("right", "")}
    entry, errors = terms.check(form["left"], form["right"])
    if entry is None:
        return _page(form=form, errors=errors, editing=term_id, status=400)
    if terms.edit(db.session, term, entry, current_user.name):
        db.session.commit()
        flash(f"已保存搜索词“{term.left} = {term.right}”，所有查询机和手机搜索立即生效。", "success")
    else:
        db.session.rollback()
        flash("内容没有变化，未保存。", "info")
    return _back()


@bp.post("/search/lexicon/<int:term_id>/delete")
@role_required(*EDIT_ROLES)
def search_lexicon_delete(term_id: int):
    term = db.session.get(SearchTerm, term_id)
    if term is None:
        flash("没有找到这条搜索词，可能已被删除。", "error")
        return _back()
    text = f"{term.left} = {term.right}"
    terms.delete(db.session, term, current_user.name)
    db.session.commit()
    flash(f"已删除搜索词“{text}”。", "success")
    return _back()


nav_item("admin.search_lexicon", "搜索词库", STAFF, order=66, prefix="admin.search_lexicon")
