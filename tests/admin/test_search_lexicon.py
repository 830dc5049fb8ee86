"""搜索词库 in the panel: the shipped file read-only (line numbers, a refused file's error),
staff's entries added, edited and deleted by admins and reviewers only (POST + CSRF), refused
with the file parser's message, audited, and in effect for the very next search; the 试一试 box."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import AuditLog, SearchTerm
from kiosk.services.search import search

from .conftest import client_as, csrf_from, text_of

PAGE = "/admin/search/lexicon"


@pytest.fixture
def hall(demo_app, demo_staff):
    return demo_app


def post(client, path: str, **data):
    token = csrf_from(client.get(PAGE).text)
    return client.post(path, data={"csrf_token": token, **data})


def names(query: str, app) -> list[str]:
    with app.app_context():
        return [h.name for h in search(query, limit=3)]


def audits(app, action: str) -> list[AuditLog]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))
        db.session.expunge_all()
        return rows


def terms(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(t.left, t.right, t.created_by) for t in db.session.scalars(select(SearchTerm).order_by(SearchTerm.id))]


def test_the_page_lists_the_file_with_line_numbers_and_says_what_entries_do(hall):
    page = client_as(hall, "viewer").get(PAGE)
    assert page.status_code == 200
    text = text_of(page)
    assert "词条保存后立即对所有查询机和手机搜索生效" in text and "从不改变任何指南的内容" in text
    assert "<tr><td>89</td><td>户口本、户口薄、户口部" in page.text  # content/search/lexicon.txt line 89
    assert 'data-testid="lexicon-add"' not in page.text  # viewers look only
    assert "只有管理员和审核员可以新增、修改和删除词条" in text
    assert 'href="/admin/search/lexicon"' in page.text  # in the navigation


def test_the_filter_narrows_both_lists(hall):
    admin = client_as(hall, "admin")
    post(admin, f"{PAGE}/add", left="蓝皮本本", right="居住证")
    post(admin, f"{PAGE}/add", left="老人卡", right="老年人优待证")
    admin.get(PAGE)  # the flash of the last add
    page = admin.get(PAGE, query_string={"q": "居住证"})
    assert "蓝皮本本" in page.text and "老人卡" not in page.text
    assert "<td>107</td>" in page.text and "<td>89</td>" not in page.text


@pytest.mark.parametrize("role", ["admin", "reviewer"])
def test_an_entry_added_changes_the_next_search_and_is_audited(hall, role):
    assert "居住证申领" not in names("蓝皮本本", hall)
    client = client_as(hall, role)
    r = post(client, f"{PAGE}/add", left=" 蓝皮本本，蓝本本 ", right="居住证")
    assert r.status_code == 302
    assert "已新增搜索词“蓝皮本本, 蓝本本 = 居住证”" in text_of(client.get(PAGE))
    assert terms(hall) == [("蓝皮本本, 蓝本本", "居住证", role)]  # the parser's normal form
    assert names("蓝皮本本", hall)[0] == "居住证申领"
    assert names("蓝本本", hall)[0] == "居住证申领"
    [row] = audits(hall, "search_term_add")
    assert row.actor == role and row.object_type == "search_term"
    assert row.after == {"left": "蓝皮本本, 蓝本本", "right": "居住证"} and row.before is None


def test_edit_and_delete_take_effect_at_once_with_before_and_after(hall):
    admin = client_as(hall, "admin")
    post(admin, f"{PAGE}/add", left="蓝皮本本", right="居住证")
    [term_id] = [t.object_id for t in audits(hall, "search_term_add")]
    assert f'href="/admin/search/lexicon?edit={term_id}"' in admin.get(PAGE).text
    form = admin.get(PAGE, query_string={"edit": term_id}).text
    assert 'data-testid="lexicon-edit"' in form and 'value="蓝皮本本"' in form

    r = post(admin, f"{PAGE}/{term_id}/edit", left="红皮本本", right="居住证")
    assert r.status_code == 302
    assert "居住证申领" not in names("蓝皮本本", hall)
    assert names("红皮本本", hall)[0] == "居住证申领"
    [row] = audits(hall, "search_term_edit")
    assert row.before == {"left": "蓝皮本本", "right": "居住证"}
    assert row.after == {"left": "红皮本本", "right": "居住证"}

    r = post(admin, f"{PAGE}/{term_id}/edit", left="红皮本本", right="居住证")  # unchanged
    assert r.status_code == 302 and len(audits(hall, "search_term_edit")) == 1

    r = post(admin, f"{PAGE}/{term_id}/delete")
    assert r.status_code == 302 and terms(hall) == []
    assert "居住证申领" not in names("红皮本本", hall)
    [row] = audits(hall, "search_term_delete")
    assert row.before == {"left": "红皮本本", "right": "居住证"} and row.after is None


@pytest.mark.parametrize(("left", "right", "field", "message"), [
    ("身份证！丢了", "补领", "left", "左边的词“身份证!丢了”应为 1–8 个字，不含标点和空格"),
    ("户口本", "居民户口簿首次申领登记", "right", "右边的词“居民户口簿首次申领登记”应为 1–8 个字"),
    ("", "居住证", "left", "左边没有词"),
    ("蓝皮本", " ，， ", "right", "右边没有词"),
    ("蓝皮本 = 居住证", "居住证", "left", "不能含“=”"),
    ("#蓝皮本", "居住证", "left", "不能以“#”开头"),
])
def test_a_bad_entry_gets_the_parsers_message_next_to_its_field_and_nothing_is_saved(
        hall, left, right, field, message):
    admin = client_as(hall, "admin")
    r = post(admin, f"{PAGE}/add", left=left, right=right)
    assert r.status_code == 400
    assert f'id="{field}-error"' in r.text and message in text_of(r)
    assert f'value="{left}"' in r.text  # what was typed stays in the form
    assert terms(hall) == [] and audits(hall, "search_term_add") == []


def test_a_bad_edit_keeps_the_entry_as_it_was(hall):
    admin = client_as(hall, "admin")
    post(admin, f"{PAGE}/add", left="蓝皮本本", right="居住证")
    [term_id] = [t.object_id for t in audits(hall, "search_term_add")]
    r = post(admin, f"{PAGE}/{term_id}/edit", left="蓝皮本本", right="居住证、非常非常长的一个规范用语")
    assert r.status_code == 400 and 'id="right-error"' in r.text and 'data-testid="lexicon-edit"' in r.text
    assert terms(hall) == [("蓝皮本本", "居住证", "admin")] and audits(hall, "search_term_edit") == []


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_editors_and_viewers_cannot_change_entries(hall, role):
    admin = client_as(hall, "admin")
    post(admin, f"{PAGE}/add", left="蓝皮本本", right="居住证")
    [term_id] = [t.object_id for t in audits(hall, "search_term_add")]
    client = client_as(hall, role)
    assert client.get(PAGE).status_code == 200
    for path, data in ((f"{PAGE}/add", {"left": "老人卡", "right": "优待证"}),
                       (f"{PAGE}/{term_id}/edit", {"left": "老人卡", "right": "优待证"}),
                       (f"{PAGE}/{term_id}/delete", {})):
        assert post(client, path, **data).status_code == 403
    assert terms(hall) == [("蓝皮本本", "居住证", "admin")]


def test_a_post_without_the_csrf_token_is_refused(hall):
    admin = client_as(hall, "admin")
    r = admin.post(f"{PAGE}/add", data={"left": "蓝皮本本", "right": "居住证"})
    assert r.status_code == 400 and "页面已过期" in r.get_data(as_text=True)
    assert terms(hall) == []


def test_try_shows_the_top_results_and_the_entries_that_matched(hall):
    admin = client_as(hall, "admin")
    post(admin, f"{PAGE}/add", left="蓝皮本本", right="居住证")
    page = admin.get(PAGE, query_string={"try": "蓝皮本本丢了"})
    hits = page.text.split('data-testid="try-hits"')[1].split("</ol>")[0]
    assert hits.count("<li>") <= 5 and "居住证申领" in hits
    matches = re.sub(r"\s+", " ", text_of(page).split("用到的词条")[1])
    assert "蓝皮本本 → 居住证（工作人员词条，admin 添加）" in matches
    assert "丢了 → 补领、补办、遗失、补发（词库文件第" in matches
    none = admin.get(PAGE, query_string={"try": "qqqqzzzz"})
    assert 'data-testid="try-no-hits"' in none.text and 'data-testid="try-no-matches"' in none.text


def test_a_refused_file_shows_its_error_with_the_line_in_red(hall, tmp_path):
    bad = tmp_path / "lexicon.txt"
    bad.write_text("# 测试\n户口本 = 户口簿\n结婚证 丢了\n", encoding="utf-8")
    hall.config["SEARCH_LEXICON"] = str(bad)
    page = client_as(hall, "viewer").get(PAGE)
    error = page.text.split('data-testid="file-error"')[1].split("</p>")[0]
    assert 'class="flash flash-error"' in page.text
    assert "第 3 行" in error and "口语词 = 规范用语" in error
    assert "<tr><td>2</td><td>户口本</td><td>户口簿</td></tr>" in page.text  # the good lines still listed
