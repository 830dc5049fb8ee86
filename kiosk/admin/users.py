"""Staff accounts (admins only): list, create, change role, disable/enable, reset password, unlock."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..models import User
from ..services import accounts
from ..services.users import UserError, add_user
from . import bp, nav_item
from .auth import role_required, sign_in
from .forms import ROLE_LABELS, PasswordResetForm, UserCreateForm, plain_chinese


def _user_or_404(user_id: int) -> User:
    user = accounts.get_user(db.session, user_id)
    if user is None:
        abort(404)
    return user


def _field_error(form, err: UserError) -> None:
    field = getattr(form, err.field, None) or form.password
    field.errors = [*field.errors, plain_chinese(err.message)]


def _users_page(form: UserCreateForm, status: int = 200, role_errors: dict[int, str] | None = None,
                chosen: dict[int, str] | None = None):
    return render_template("admin/users.html", form=form, users=accounts.list_users(db.session),
                           locks=accounts.lock_summaries(db.session), open_form=bool(form.errors),
                           role_errors=role_errors or {}, chosen=chosen or {}), status


@bp.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users():
    form = UserCreateForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = add_user(db.session, form.name.data, form.role.data, form.password.data,
                            actor=current_user.name)
        except UserError as err:
            db.session.rollback()
            _field_error(form, err)
        else:
            db.session.commit()
            flash(f"已创建用户“{user.name}”（{ROLE_LABELS[user.role]}），请把初始密码当面告诉本人。", "success")
            return redirect(url_for("admin.users"))
    if form.errors or any(f.errors for f in form):
        status = 400
    return _users_page(form, status)


@bp.post("/users/<int:user_id>/role")
@role_required("admin")
def user_role(user_id: int):
    """Change one account's role; a refusal is shown next to that row's role list."""
    user = _user_or_404(user_id)
    role = request.form.get("role", "")
    before = user.role
    try:
        changed = accounts.set_role(db.session, user, role, actor=current_user.name)
    except UserError as err:
        db.session.rollback()
        return _users_page(UserCreateForm(formdata=None), 400, {user.id: plain_chinese(err.message)},
                           {user.id: role})
    if not changed:
        flash(f"“{user.name}”的角色本来就是{ROLE_LABELS[role]}，未作修改。", "info")
        return redirect(url_for("admin.users"))
    db.session.commit()
    if user.id == current_user.id:  # an admin who gave up the role may no longer open this page
        sign_in(user)  # the old sessions ended; this browser goes on with the new role
        flash(f"已把自己的角色从{ROLE_LABELS[before]}改为{ROLE_LABELS[role]}，立即生效。", "success")
        return redirect(url_for("admin.dashboard"))
    flash(f"已把“{user.name}”的角色从{ROLE_LABELS[before]}改为{ROLE_LABELS[role]}，"
          "其已登录的会话已退出，重新登录后按新角色使用。", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/disable")
@role_required("admin")
def user_disable(user_id: int):
    user = _user_or_404(user_id)
    if user.id == current_user.id:
        flash("不能停用自己的账户。", "error")
        return redirect(url_for("admin.users"))
    try:
        accounts.set_disabled(db.session, user, True, actor=current_user.name)
    except UserError as err:
        db.session.rollback()
        flash(plain_chinese(err.message), "error")
    else:
        db.session.commit()
        flash(f"已停用“{user.name}”，该用户将无法登录，其已登录的会话也会失效。", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/enable")
@role_required("admin")
def user_enable(user_id: int):
    user = _user_or_404(user_id)
    accounts.set_disabled(db.session, user, False, actor=current_user.name)
    db.session.commit()
    flash(f"已启用“{user.name}”。", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/unlock")
@role_required("admin")
def user_unlock(user_id: int):
    user = _user_or_404(user_id)
    accounts.unlock(db.session, user, actor=current_user.name)
    db.session.commit()
    flash(f"已解锁“{user.name}”，可以立即重新登录。", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@role_required("admin")
def user_password(user_id: int):
    user = _user_or_404(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(db.session, user, form.password.data, actor=current_user.name)
        except UserError as err:
            db.session.rollback()
            _field_error(form, err)
        else:
            db.session.commit()
            if user.id == current_user.id:  # keep the admin's own session going
                sign_in(user)
            flash(f"已为“{user.name}”设置新密码（同时已解锁）；请提醒本人登录后在“修改密码”中改成自己的密码。",
                  "success")
            return redirect(url_for("admin.users"))
    status = 400 if any(f.errors for f in form) else 200
    return render_template("admin/user_password.html", form=form, target=user), status


nav_item("admin.users", "用户管理", ["admin"], order=80, prefix="admin.user")
