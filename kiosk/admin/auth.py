"""Staff sessions: sign in and out, idle expiry, role checks, CSRF error page, headers.

* ``@role_required("admin", "editor")`` on a view: anonymous users are sent to the login page,
  signed-in users of another role get the Chinese 403 page. ``STAFF`` = every role.
* ``@public`` marks the few views that need no session (the login page).
* Sessions are Flask's signed cookie (HttpOnly, SameSite=Lax, Secure when the public base URL
  is https) holding the id of a :class:`~kiosk.models.StaffSession` row. The server checks the
  time of the last request kept in the session and signs the user out after
  ``ADMIN_IDLE_MINUTES``. Signing out, a new password, disabling the account or changing its
  role revoke the row, so a saved copy of the cookie opens nothing afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import (
    Flask,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError

from ..extensions import db, login_manager
from ..guard.limits import login_limit
from ..models import ROLES, User
from ..services import accounts
from ..services.clock import SKEW
from ..services.security.offload import Busy
from ..services.users import UserError
from . import NAV, bp, nav_item
from .forms import ROLE_LABELS, LoginForm, OwnPasswordForm, plain_chinese

STAFF: tuple[str, ...] = ROLES  # any signed-in staff member
SEEN_KEY = "admin_seen"  # epoch seconds of the last panel request of this session


# -- the session user ----------------------------------------------------------------------
class Staff(UserMixin):
    """Flask-Login's view of a :class:`User` (the model stays free of web concerns)."""

    def __init__(self, user: User, sid: str):
        self.user, self.sid = user, sid
        self.id, self.name, self.role = user.id, user.name, user.role

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def is_active(self) -> bool:
        return self.user.disabled_at is None

    def get_id(self) -> str:
        return f"s:{self.sid}"


@login_manager.user_loader
def _load_user(session_id: str) -> Staff | None:
    kind, _, sid = (session_id or "").partition(":")
    if kind != "s" or not sid:
        return None  # not a server-side session (e.g. signed before they existed)
    user = accounts.session_user(db.session, sid)
    return Staff(user, sid) if user is not None else None


def sign_in(user: User) -> None:
    """Start a server-side session for ``user`` in this browser."""
    sid = accounts.start_session(db.session, user, client=request.remote_addr)
    db.session.commit()
    login_user(Staff(user, sid))
    session.permanent = True
    session[SEEN_KEY] = int(accounts.current_time().timestamp())


def sign_out(reason: str = "logout") -> None:
    """End this browser's session on the server and clear its cookie."""
    if current_user.is_authenticated:
        accounts.end_session(db.session, current_user.sid, reason)
        accounts.record_logout(db.session, current_user.user, reason=reason, ip=request.remote_addr)
        db.session.commit()
    logout_user()
    session.clear()


# -- access rules ----------------------------------------------------------------------------
def _login_redirect():
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    if target == url_for("admin.dashboard"):
        target = None
    return redirect(url_for("admin.login", next=target))


def forbidden_response():
    return render_template("admin/forbidden.html"), 403


def check_access(roles: Iterable[str]):
    """None when the current user may go on, else the response to send instead."""
    if not current_user.is_authenticated:
        return _login_redirect()
    if current_user.role not in roles:
        return forbidden_response()
    return None


def role_required(*roles: str) -> Callable:
    """Allow signed-in users whose role is one of ``roles`` (use ``*STAFF`` for everyone)."""
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"unknown roles {sorted(unknown)}; use some of {ROLES}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            refused = check_access(roles)
            return refused if refused is not None else view(*args, **kwargs)

        wrapper.required_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapper

    return decorator


def public(view: Callable) -> Callable:
    """Mark a panel view that needs no session (the login page)."""
    view.required_roles = None  # type: ignore[attr-defined]
    return view


@bp.before_request
def _expire_idle_session():
    """Sign out a session that made no panel request for ``ADMIN_IDLE_MINUTES``."""
    if not current_user.is_authenticated:
        return None
    now = accounts.current_time().timestamp()
    seen = session.get(SEEN_KEY)
    # a last request "in the future" means the clock went back: how idle is unknown, sign out
    if (isinstance(seen, int | float) and -SKEW.total_seconds() <= now - seen
            <= current_app.config["ADMIN_IDLE_MINUTES"] * 60):
        session[SEEN_KEY] = int(now)
        return None
    sign_out("idle")
    flash(f"您已超过 {current_app.config['ADMIN_IDLE_MINUTES']} 分钟未操作，为了安全已自动退出，请重新登录。",
          "info")
    return _login_redirect()


@bp.before_request
def _default_deny():
    """A panel view without ``@role_required``/``@public`` is refused to everyone."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or hasattr(view, "required_roles"):
        return None
    return check_access(())


@bp.after_request
def _panel_headers(response):
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'",
    )
    return response


@bp.errorhandler(404)
def _not_found(err):
    return render_template("admin/error.html"), 404


@bp.context_processor
def _panel_context() -> dict[str, Any]:
    role = current_user.role if current_user.is_authenticated else None
    nav = [item for item in NAV if role in item.roles]
    return {"nav": nav, "role_labels": ROLE_LABELS,
            "hall_name": current_app.config.get("HALL_NAME", "")}


# -- time shown to people ----------------------------------------------------------------------
def local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))


@bp.app_template_filter("admin_time")
def admin_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    shown = local(value)
    return shown.strftime(fmt) if shown else "—"


@bp.app_template_filter("admin_ago")
def admin_ago(value: datetime | None) -> str:
    if value is None:
        return "从未"
    seconds = int((accounts.current_time() - value).total_seconds())
    if seconds < 60:
        return "刚刚"
    if seconds < 3600:
        return f"{seconds // 60} 分钟前"
    if seconds < 86400:
        return f"{seconds // 3600} 小时前"
    return f"{seconds // 86400} 天前"


# -- app wiring (called by kiosk.register_auth) ---------------------------------------------
def init_auth(app: Flask) -> None:
    login_manager.login_view = "admin.login"
    login_manager.login_message = "请先登录。"
    app.register_error_handler(CSRFError, _csrf_error)


def _csrf_error(err: CSRFError):
    """A form whose page sat open too long (or came from elsewhere): say so, in Chinese."""
    if request.path.startswith("/api/"):
        return jsonify({"error": {"code": "csrf", "message": err.description}}), 400
    if request.blueprint != "admin":
        return render_template("errors/http.html", error=err), 400
    if request.endpoint == "admin.login":
        form = LoginForm(meta={"csrf": False})
        form.password.data = ""
        return render_template("admin/login.html", form=form,
                               error="页面已过期，请重新输入用户名和密码后登录。"), 400
    return render_template("admin/csrf_error.html"), 400


def _safe_next(target: str | None) -> str | None:
    """Only paths inside the panel: no open redirect to another site."""
    if not target or not target.startswith("/admin") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _lock_message(until: datetime | None) -> str:
    when = local(until).strftime("%H:%M:%S") if until else ""
    return (f"本设备连续 {accounts.MAX_FAILURES} 次以上密码错误，已暂停用该用户名登录，"
            f"请于 {when} 之后再试（再次输错，等待时间加倍，最长 {accounts.LOCK_MINUTES} 分钟）；"
            "如需立即使用，请联系管理员解锁。")


# -- routes -----------------------------------------------------------------------------------
@bp.route("/login", methods=["GET", "POST"])
@public
@login_limit()
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.dashboard"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            result = accounts.attempt_login(db.session, form.name.data, form.password.data,
                                            ip=request.remote_addr)
        except Busy:
            db.session.rollback()
            return render_template("admin/login.html", form=form,
                                   error="系统繁忙，请稍候几秒再登录。"), 503, {"Retry-After": "5"}
        db.session.commit()
        if result.ok:
            session.clear()  # nothing from before sign-in survives, a fresh CSRF secret included
            sign_in(result.user)
            return redirect(_safe_next(request.args.get("next")) or url_for("admin.dashboard"))
        if result.outcome == "locked":
            error = _lock_message(result.locked_until)
        elif result.outcome == "disabled":
            error = "该账户已停用，请联系管理员。"
        else:
            left = result.attempts_left or 0
            error = (f"用户名或密码不正确。再输错 {left} 次，本设备将暂停用该用户名登录。"
                     if left < accounts.MAX_FAILURES - 1 else "用户名或密码不正确，请重新输入。")
        form.password.data = ""
    return render_template("admin/login.html", form=form, error=error)


@bp.post("/logout")
@role_required(*STAFF)
def logout():
    sign_out()
    flash("您已安全退出。", "success")
    return redirect(url_for("admin.login"))


@bp.route("/account", methods=["GET", "POST"])
@role_required(*STAFF)
def account():
    """Change one's own password (e.g. after an admin reset it)."""
    form = OwnPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_own_password(db.session, current_user.user, form.old_password.data,
                                         form.password.data)
        except UserError as err:
            db.session.rollback()
            getattr(form, err.field, form.password).errors.append(plain_chinese(err.message))
        else:
            user = current_user.user
            db.session.commit()
            sign_in(user)  # every session ended with the old password; this browser goes on
            flash("密码已修改，其他设备上的登录已退出。", "success")
            return redirect(url_for("admin.account"))
    return render_template("admin/account.html", form=form), 400 if form.errors else 200


nav_item("admin.account", "修改密码", STAFF, order=900)
