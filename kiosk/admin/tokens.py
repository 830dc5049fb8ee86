"""API tokens (admins only): list, create (the token is shown once), revoke."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import ApiToken, User
from ..services import accounts
from ..services.users import UserError, create_token
from . import bp, nav_item
from .auth import role_required
from .forms import ROLE_LABELS, TokenCreateForm, choice, plain_chinese


def _form() -> tuple[TokenCreateForm, set[str]]:
    """The form, with the enabled users to choose from (and their names, for validation)."""
    form = TokenCreateForm()
    users = db.session.scalars(select(User).where(User.disabled_at.is_(None)).order_by(User.name)).all()
    form.user.choices = [choice("", "— 请选择 —")] + [
        choice(u.name, f"{u.name}（{ROLE_LABELS.get(u.role, u.role)}）") for u in users
    ]
    return form, {u.name for u in users}


@bp.route("/tokens", methods=["GET", "POST"])
@role_required("admin")
def tokens():
    form, names = _form()
    plain = created = None
    if form.validate_on_submit():
        if form.user.data not in names:
            form.user.errors = [*form.user.errors, "请选择一个已启用的用户"]
        else:
            try:
                created, plain = create_token(db.session, form.user.data, label=form.label.data.strip(),
                                              actor=current_user.name, days=form.days.data or None)
            except UserError as err:
                db.session.rollback()
                form.user.errors = [*form.user.errors, plain_chinese(err.message)]
            else:
                db.session.commit()
                form, _ = _form()  # an empty form under the new token
                form.label.data = ""
    status = 400 if any(f.errors for f in form) else 200
    response = render_template("admin/tokens.html", form=form, tokens=accounts.list_tokens(db.session),
                               plain=plain, created=created, open_form=status == 400,
                               now=accounts.current_time())
    # The page with a new token is never cached (the panel sets no-store on every page).
    return response, status


@bp.post("/tokens/<int:token_id>/revoke")
@role_required("admin")
def token_revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None:
        abort(404)
    if accounts.revoke_token(db.session, token, actor=current_user.name):
        db.session.commit()
        flash(f"已撤销令牌“{token.label or token.id}”，使用它的程序将无法再访问接口。", "success")
    else:
        flash("该令牌此前已撤销。", "info")
    return redirect(url_for("admin.tokens"))


nav_item("admin.tokens", "API 令牌", ["admin"], order=85, prefix="admin.token")
