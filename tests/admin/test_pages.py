"""The dashboard, user and token pages: what staff see, what they can change, what is escaped."""

from __future__ import annotations

from datetime import timedelta

import yaml
from sqlalchemy import select, update

from kiosk.extensions import db
from kiosk.models import Alert, ApiToken, AuditLog, ContentVersion, Guide, Screen, User, utcnow
from kiosk.services.publish import get_publisher

from ..conftest import CONTENT
from .conftest import PASSWORD, csrf_from, login, make_user, page_token, text_of


def signed_in(app, role: str = "admin", name: str | None = None):
    name = name or f"{role}-user"
    make_user(app, name, role)
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


# -- dashboard ---------------------------------------------------------------------------------
def test_dashboard_lists_the_demo_screens_with_their_status(demo_app):
    client = signed_in(demo_app, "viewer")
    demo_screens = [s["name"] for s in yaml.safe_load((CONTENT / "screens.yaml").read_text("utf-8"))["screens"]]
    with demo_app.app_context():
        screens = db.session.scalars(select(Screen).order_by(Screen.id)).all()
        live, fresh_elsewhere, stale_flag = screens[0], screens[1], screens[2]
        now = utcnow()
        # one screen held by this process, one reported online by another process a moment ago,
        # one left "online" by a process that died long ago
        get_publisher(demo_app).presence.connected(live.id)
        fresh_elsewhere.online, fresh_elsewhere.last_seen_at = True, now - timedelta(seconds=10)
        fresh_elsewhere.last_version, fresh_elsewhere.showing = "abcdef1234567890", "evaluation:department:gongan"
        stale_flag.online, stale_flag.last_seen_at = True, now - timedelta(hours=3)
        guide = db.session.scalars(select(Guide).order_by(Guide.id)).first()
        live.showing = f"guide:{guide.code}"
        db.session.commit()
        total = len(screens)
        live_name, guide_name = live.name, guide.name
    r = client.get("/admin/")
    assert r.status_code == 200
    html, text = r.get_data(as_text=True), text_of(r)
    for name in demo_screens:
        assert name in html
    assert f'data-testid="screens-online"><span data-count="online">2</span><small> / <span data-count="total">{total}<' in html
    states = dict(pair.split(":") for pair in html.split('data-screens="')[1].split('"')[0].split())
    assert len(states) == total and sorted(states.values()).count("1") == 2  # for dashboard.js
    assert f"{total - 2} 台离线" in text
    assert guide_name in text  # "showing" is shown by name, not by code
    assert "abcdef12" in text and "好差评 · 公安" in text
    assert "3 小时前" in text
    offline = client.get("/admin/?status=offline").get_data(as_text=True)
    assert live_name not in offline.split('id="screens"')[1]


def test_dashboard_counts_guides_and_active_alerts(demo_app):
    client = signed_in(demo_app, "editor")
    now = utcnow()
    with demo_app.app_context():
        guides = db.session.scalar(select(db.func.count()).select_from(Guide))
        db.session.add_all([
            Alert(text="今日系统升级，暂停办理", level="critical", starts_at=now - timedelta(minutes=5)),
            Alert(text="已过期", level="info", starts_at=now - timedelta(hours=2),
                  expires_at=now - timedelta(hours=1)),
            Alert(text="已撤销", level="info", starts_at=now, cancelled_at=now),
            Alert(text="明天才开始", level="info", starts_at=now + timedelta(days=1)),
        ])
        db.session.commit()
    html = client.get("/admin/").get_data(as_text=True)
    assert f'data-testid="guides-total">{guides}<' in html
    assert 'data-testid="alerts-active">1<' in html
    assert "今日系统升级，暂停办理" in html and "已过期" not in html and "明天才开始" not in html


def test_guides_not_reviewed_for_180_days_are_flagged_stale(demo_app):
    client = signed_in(demo_app, "reviewer")
    with demo_app.app_context():
        old, fresh = db.session.scalars(select(Guide).order_by(Guide.id).limit(2)).all()
        db.session.execute(update(Guide).where(Guide.id == old.id)
                           .values(updated_at=utcnow() - timedelta(days=200)))
        db.session.execute(update(Guide).where(Guide.id == fresh.id)
                           .values(updated_at=utcnow() - timedelta(days=170)))
        db.session.commit()
        old_name, fresh_name = old.name, fresh.name
    html = client.get("/admin/").get_data(as_text=True)
    assert 'data-testid="guides-stale">1<' in html
    stale_table = html.split('data-testid="stale-guides"')[1].split("</table>")[0]
    assert old_name in stale_table and "200 天" in stale_table
    assert fresh_name not in stale_table


def test_the_stale_card_counts_by_the_last_review_not_the_last_edit(demo_app):
    """A guide edited yesterday by an import but last approved 200 days ago is due for review;
    the table shows that approval date, and the card says 未复核 (not 未更新)."""
    client = signed_in(demo_app, "reviewer")
    now = utcnow()
    with demo_app.app_context():
        guide = db.session.scalars(select(Guide).order_by(Guide.id)).first()
        db.session.execute(update(Guide).values(updated_at=now - timedelta(days=1)))
        db.session.add(ContentVersion(object_type="guide", object_key=guide.code, number=1, data={},
                                      state="published", author="ed", reviewer="rev",
                                      reviewed_at=now - timedelta(days=200)))
        db.session.commit()
        name = guide.name
    html = client.get("/admin/").get_data(as_text=True)
    assert 'data-testid="guides-stale">1<' in html and "天未复核" in html and "未更新" not in html
    stale_table = html.split('data-testid="stale-guides"')[1].split("</table>")[0]
    assert name in stale_table and "200 天" in stale_table and "最后复核" in stale_table


# -- users ---------------------------------------------------------------------------------
def create_user(client, **fields):
    data = {"name": "wang", "role": "editor", "password": "good-password-1", "confirm": "good-password-1"}
    data.update(fields)
    data["csrf_token"] = page_token(client, "/admin/users")
    return client.post("/admin/users", data=data)


def field_errors(html: str, field: str) -> str:
    """The error list rendered right under ``field`` ('' when there is none)."""
    marker = f'id="{field}-error"'
    return html.split(marker, 1)[1].split("</ul>", 1)[0] if marker in html else ""


def test_admin_creates_a_user_who_can_then_log_in(app):
    client = signed_in(app)
    r = create_user(client)
    assert r.status_code == 302
    page = client.get("/admin/users").get_data(as_text=True)
    assert "已创建用户“wang”（编辑）" in page and "wang" in page
    assert login(app.test_client(), "wang", "good-password-1").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "create",
                                                        AuditLog.object_type == "user",
                                                        AuditLog.actor == "admin-user"))


def test_user_form_messages_appear_next_to_their_field(app):
    client = signed_in(app)
    r = create_user(client, password="short1", confirm="short1")
    assert r.status_code == 400 and "密码至少 10 位" in field_errors(r.get_data(as_text=True), "password")
    r = create_user(client, password="onlyletters", confirm="onlyletters")
    assert "须同时包含字母和数字" in field_errors(r.get_data(as_text=True), "password")
    r = create_user(client, confirm="different-password-2")
    assert "两次输入的密码不一致" in field_errors(r.get_data(as_text=True), "confirm")
    r = create_user(client, name="")
    assert "请填写用户名" in field_errors(r.get_data(as_text=True), "name")
    r = create_user(client, role="root")
    assert "请选择一个角色" in field_errors(r.get_data(as_text=True), "role")
    r = create_user(client, name="admin-user")
    html = r.get_data(as_text=True)
    assert "已存在" in field_errors(html, "name") and 'value="admin-user"' in html  # input kept
    assert "good-password-1" not in html  # passwords are never echoed back
    with app.app_context():
        assert db.session.scalar(select(User).where(User.name == "wang")) is None


def test_disable_enable_unlock_and_reset(app):
    client = signed_in(app)
    uid = make_user(app, "zhao", "viewer")
    for i in range(5):
        login(app.test_client(), "zhao", f"bad-{i}")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "1 个来源暂停登录至" in page
    token = csrf_from(page)
    assert client.post(f"/admin/users/{uid}/unlock", data={"csrf_token": token}).status_code == 302
    assert "已解锁“zhao”" in client.get("/admin/users").get_data(as_text=True)
    assert login(app.test_client(), "zhao").status_code == 302

    client.post(f"/admin/users/{uid}/disable", data={"csrf_token": token})
    assert "已停用" in client.get("/admin/users").get_data(as_text=True)
    assert "该账户已停用" in login(app.test_client(), "zhao").get_data(as_text=True)
    client.post(f"/admin/users/{uid}/enable", data={"csrf_token": token})
    assert login(app.test_client(), "zhao").status_code == 302

    r = client.post(f"/admin/users/{uid}/password",
                    data={"csrf_token": token, "password": "short", "confirm": "short"})
    assert r.status_code == 400 and "密码至少 10 位" in field_errors(r.get_data(as_text=True), "password")
    r = client.post(f"/admin/users/{uid}/password",
                    data={"csrf_token": token, "password": "fresh-start-88", "confirm": "fresh-start-88"})
    assert r.status_code == 302
    assert login(app.test_client(), "zhao", "fresh-start-88").status_code == 302
    assert client.get("/admin/users/999999/password").status_code == 404
    with app.app_context():
        actions = {a for (a,) in db.session.execute(select(AuditLog.action).where(AuditLog.actor == "admin-user"))}
    assert {"unlock", "disable", "enable", "reset_password"} <= actions


def test_an_admin_cannot_lock_themselves_or_the_last_admin_out(app):
    client = signed_in(app)
    with app.app_context():
        me = db.session.scalar(select(User).where(User.name == "admin-user")).id
    token = page_token(client, "/admin/users")
    client.post(f"/admin/users/{me}/disable", data={"csrf_token": token})
    assert "不能停用自己的账户" in client.get("/admin/users").get_data(as_text=True)
    assert client.get("/admin/").status_code == 200
    other = make_user(app, "second-admin", "admin")
    second = app.test_client()
    login(second, "second-admin")
    client.post(f"/admin/users/{other}/disable", data={"csrf_token": token})  # two admins: fine
    assert second.get("/admin/").status_code == 302


# -- tokens --------------------------------------------------------------------------------
def test_token_is_shown_once_works_and_can_be_revoked(app):
    client = signed_in(app)
    make_user(app, "robot", "reviewer")
    token = page_token(client, "/admin/tokens")
    r = client.post("/admin/tokens", data={"csrf_token": token, "user": "robot", "label": "叫号系统对接"})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    html = r.get_data(as_text=True)
    assert "只显示这一次" in html
    plain = html.split('id="new-token-value"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert plain.startswith("kt_")
    api = app.test_client()
    auth = {"Authorization": f"Bearer {plain}"}
    assert api.get("/api/v1/alerts", headers=auth).status_code == 200
    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert plain not in listing and "叫号系统对接" in listing and "robot" in listing
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.label == "叫号系统对接"))
        assert row.last_used_at is not None
        token_id = row.id
    assert client.post(f"/admin/tokens/{token_id}/revoke", data={"csrf_token": token}).status_code == 302
    assert api.get("/api/v1/alerts", headers=auth).status_code == 401
    assert "已撤销" in client.get("/admin/tokens").get_data(as_text=True)


def test_token_form_validates_next_to_the_field(app):
    client = signed_in(app)
    token = page_token(client, "/admin/tokens")
    r = client.post("/admin/tokens", data={"csrf_token": token, "user": "nobody", "label": ""})
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "请选择一个已启用的用户" in field_errors(html, "user") or "请填写用途说明" in field_errors(html, "label")
    r = client.post("/admin/tokens", data={"csrf_token": token, "user": "nobody", "label": "x"})
    assert "请选择一个已启用的用户" in field_errors(r.get_data(as_text=True), "user")
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ApiToken)) == 0


# -- escaping ------------------------------------------------------------------------------
SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'


def test_user_names_and_token_labels_render_inert(app):
    client = signed_in(app)
    assert create_user(client, name=SCRIPT).status_code == 302
    assert create_user(client, name=IMG).status_code == 302
    token = page_token(client, "/admin/tokens")
    r = client.post("/admin/tokens", data={"csrf_token": token, "user": SCRIPT, "label": IMG})
    assert r.status_code == 200
    pages = [r.get_data(as_text=True), client.get("/admin/users").get_data(as_text=True),
             client.get("/admin/tokens").get_data(as_text=True)]
    evil = app.test_client()
    assert login(evil, SCRIPT, "good-password-1").status_code == 302
    pages.append(evil.get("/admin/").get_data(as_text=True))  # the header shows the user's name
    pages.append(login(app.test_client(), IMG, "wrong-password-1").get_data(as_text=True))
    for html in pages:
        assert "<script>alert" not in html and "<img src=x" not in html
        assert 'onerror="alert' not in html  # no breaking out of an attribute either
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[1]
    assert "&lt;img src=x onerror=" in pages[2]
    assert "&lt;script&gt;" in pages[3] and "&lt;img src=x" in pages[4]
    assert "default-src 'self'" in client.get("/admin/").headers["Content-Security-Policy"]


def test_panel_pages_are_not_cached_or_framed(app):
    client = signed_in(app, "viewer")
    r = client.get("/admin/")
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert PASSWORD not in r.get_data(as_text=True)
