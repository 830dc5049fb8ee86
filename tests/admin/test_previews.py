"""Layout previews of ticker lines and playlists (kiosk/admin/content_preview.py): a ticker
line scrolls among the lines a screen of the chosen group shows; a playlist shows each of its
items in order, each page of a deck, as the chosen layout renders it."""

from __future__ import annotations

import re

from kiosk.extensions import db
from kiosk.services import review
from kiosk.services.review_kinds import guide_names

from .conftest import login, make_user, text_of

LINE = "新条目：本周六上午正常办公<b>（加班）</b>"


def draft(app, object_type: str, data: dict) -> int:
    with app.app_context():
        from kiosk.models import utcnow
        v = review.save_draft(db.session, object_type, data, "ed", utcnow())
        db.session.commit()
        return v.id


def editor(app):
    make_user(app, "ed", "editor")
    client = app.test_client()
    assert login(client, "ed").status_code == 302
    return client


def items(html: str) -> list[str]:
    """The texts of the first run of the ticker, in scrolling order."""
    run = html.split('class="ticker-run"', 1)[1].split("</div>", 1)[0]
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r'<span class="ticker-item[^"]*"[^>]*>(.*?)</span>', run)]


def test_a_ticker_line_scrolls_among_the_lines_of_the_chosen_group(demo_app):
    client = editor(demo_app)
    vid = draft(demo_app, "ticker", {"code": "saturday", "text": LINE, "position": 0,
                                     "groups": ["lobby"], "publish_from": None, "expire_at": None})
    page = client.get(f"/admin/content/versions/{vid}/preview")
    assert page.status_code == 200 and 'data-testid="preview-frame"' in page.text
    assert "加框显示" in text_of(page) and '<option selected>lobby</option>' in page.text

    slide = client.get(f"/admin/content/versions/{vid}/slide?layout=led_wall&group=lobby")
    assert slide.status_code == 200 and "script-src 'none'" in slide.headers["Content-Security-Policy"]
    html = slide.get_data(as_text=True)
    assert 'class="ticker-track is-running" style="animation-duration:' in html
    texts = items(html)
    assert texts[0] == LINE.replace("<b>", "&lt;b&gt;").replace("</b>", "&lt;/b&gt;")  # position 0 first, as text
    assert "<b>" not in html.split('class="ticker-run"', 1)[1]
    assert any(t.startswith("欢迎来到老城区政务服务中心") for t in texts)  # a lobby line
    assert html.count("preview-this") >= 2  # the new line is marked in both runs
    duration = float(re.search(r"animation-duration:([\d.]+)s", html).group(1))
    assert duration > 5

    # a kiosks screen does not show lobby-only lines; the version itself is lobby-only, but
    # the preview of another group simply shows what that group scrolls with it added
    kiosks = items(client.get(f"/admin/content/versions/{vid}/slide?layout=led_wall&group=kiosks").text)
    assert not any(t.startswith("欢迎来到老城区政务服务中心") for t in kiosks)
    assert any(t.startswith("“高效办成一件事”") for t in kiosks)


def test_a_layout_without_a_ticker_region_says_so(demo_app):
    client = editor(demo_app)
    vid = draft(demo_app, "ticker", {"code": "strip", "text": "条屏没有字幕", "position": 5,
                                     "groups": [], "publish_from": None, "expire_at": None})
    page = client.get(f"/admin/content/versions/{vid}/preview?layout=led_strip")
    assert page.status_code == 200 and "没有滚动字幕区域" in text_of(page)
    assert client.get(f"/admin/content/versions/{vid}/preview?layout=nope").status_code == 404


def test_a_playlist_shows_every_item_in_order_each_page_of_a_deck(demo_app):
    client = editor(demo_app)
    with demo_app.app_context():
        code, name = next(iter(guide_names(db.session).items()))
    playlist = {"code": "preview-test", "title": "预览测试", "publish_from": None, "expire_at": None,
                "items": [{"ref": "notice:lunch-break", "duration": 12},
                          {"ref": f"guide:{code}", "duration": 20},
                          {"ref": "disclosure:laocheng-2023", "duration": 25},
                          {"ref": "guide:NOT-PUBLISHED", "duration": 10}]}
    vid = draft(demo_app, "playlist", playlist)
    page = client.get(f"/admin/content/versions/{vid}/preview?layout=window")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    refs = re.findall(r'data-testid="part-\d+" data-ref="([^"]+)"', html)
    pages_of_deck = refs.count("disclosure:laocheng-2023")
    assert refs[:2] == ["notice:lunch-break", f"guide:{code}"] and refs[-1] == "guide:NOT-PUBLISHED"
    assert pages_of_deck >= 2 and refs[2:2 + pages_of_deck] == ["disclosure:laocheng-2023"] * pages_of_deck
    assert "共 4 项" in text_of(page) and "一轮约 67 秒" in text_of(page)
    assert f"第 2 项 · 办事指南：{name}" in text_of(page) and "20 秒" in text_of(page)
    assert "（第 2/" in text_of(page)  # the deck's pages are listed one by one
    assert html.count('data-testid="part-missing"') == 1  # not on screens: said, not framed

    guide_slide = client.get(f"/admin/content/versions/{vid}/slide?layout=window&item=2&page=1")
    assert guide_slide.status_code == 200 and name in guide_slide.get_data(as_text=True)
    assert 'class="stage layout-window' in guide_slide.text and f'data-item="guide:{code}"' in guide_slide.text
    second = client.get(f"/admin/content/versions/{vid}/slide?layout=window&item=3&page=2")
    assert second.status_code == 200 and "disclosure" in second.text
    assert client.get(f"/admin/content/versions/{vid}/slide?item=9").status_code == 404
    assert client.get(f"/admin/content/versions/{vid}/slide?item=3&page=99").status_code == 404
