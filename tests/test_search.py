"""Guide search: Chinese substrings, full pinyin, initials, department names, ranking."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kiosk import models as m
from kiosk.extensions import db
from kiosk.services.importer import import_path
from kiosk.services.search import forms_of, normalise, search_guides, search_text_for

DEPARTMENTS = """\
- {code: gongan, name: 洛阳市公安局老城分局, short_name: 公安分局}
- {code: yibao, name: 老城区医疗保障局, short_name: 医保局}
- {code: bank, name: 老城区金融服务中心}
"""

GUIDE = """\
- code: {code}
  name: {name}
  item_type: 公共服务
  department: {dept}
  case_type: 即办件
  themes: [{theme}]
"""

GUIDES = [
    ("G1", "居民身份证换领", "gongan", "户籍身份"),
    ("G2", "居民身份证", "gongan", "户籍身份"),
    ("G3", "临时居民身份证申领", "gongan", "户籍身份"),
    ("G4", "户口迁入", "gongan", "户籍身份"),
    ("Y1", "城乡居民医保参保登记", "yibao", "社会保障"),
    ("Y2", "医保关系转移接续", "yibao", "社会保障"),
    ("B1", "银行开户证明", "bank", "金融"),
]


@pytest.fixture
def searchable(app, tmp_path):
    root = tmp_path / "content"
    (root / "guides").mkdir(parents=True)
    (root / "departments.yaml").write_text(DEPARTMENTS, encoding="utf-8")
    text = "".join(GUIDE.format(code=c, name=n, dept=d, theme=t) for c, n, d, t in GUIDES)
    (root / "guides" / "all.yaml").write_text(text, encoding="utf-8")
    with app.app_context():
        import_path(root)
        yield app


def names(guides: list[m.Guide]) -> list[str]:
    return [g.name for g in guides]


def test_index_string_holds_chinese_full_pinyin_and_initials():
    text = search_text_for("居民身份证换领", "户籍身份")
    for part in ("居民身份证换领", "juminshenfenzhenghuanling", "jmsfzhl", "户籍身份", "hujishenfen", "hjsf"):
        assert f"|{part}|" in text
    assert search_text_for() == "" and search_text_for("") == ""


def test_polyphones_follow_the_phrase_dictionary():
    assert forms_of("银行")[1:3] == ("yinhang", "yh")
    assert forms_of("重庆")[1] == "chongqing"
    # a polyphone outside any phrase keeps its other common reading as an alternate
    assert {"zhang", "chang"} <= set(forms_of("长"))
    # rare readings of everyday characters are not added
    assert "hujieshenfen" not in forms_of("户籍身份")


def test_normalise_folds_width_case_and_punctuation():
    assert normalise(" ＳＦＺ（身份证）_ ") == "sfz身份证"


@pytest.mark.parametrize("query", ["sfz", "SFZ", "身份证", "shenfenzheng", "shen fen zheng", "jmsfz"])
def test_identity_card_guides_are_found(searchable, query):
    found = names(search_guides(query))
    assert set(found) == {"居民身份证换领", "居民身份证", "临时居民身份证申领"}


def test_exact_then_prefix_then_substring(searchable):
    assert names(search_guides("居民身份证")) == ["居民身份证", "居民身份证换领", "临时居民身份证申领"]
    assert names(search_guides("jmsfz")) == ["居民身份证", "居民身份证换领", "临时居民身份证申领"]


def test_name_matches_rank_before_theme_and_department_matches(searchable):
    # 医保 is in Y1's and Y2's names, and only in the department name of nothing else here
    found = names(search_guides("医保"))
    assert found[:2] == ["医保关系转移接续", "城乡居民医保参保登记"]


def test_department_name_finds_its_guides(searchable):
    expected = {"居民身份证换领", "居民身份证", "临时居民身份证申领", "户口迁入"}
    assert set(names(search_guides("公安分局"))) == expected
    assert set(names(search_guides("老城分局"))) == expected
    assert set(names(search_guides("医疗保障局"))) == {"城乡居民医保参保登记", "医保关系转移接续"}
    assert set(names(search_guides("ylbzj"))) == {"城乡居民医保参保登记", "医保关系转移接续"}


def test_theme_finds_its_guides(searchable):
    assert len(search_guides("户籍身份")) == 4
    assert len(search_guides("hjsf")) == 4


def test_several_terms_must_all_match(searchable):
    assert names(search_guides("居民 换领")) == ["居民身份证换领"]
    assert names(search_guides("gongan hk")) == ["户口迁入"]


def test_polyphone_in_a_phrase(searchable):
    assert names(search_guides("yinhang")) == ["银行开户证明"]
    assert names(search_guides("yhkhzm")) == ["银行开户证明"]


@pytest.mark.parametrize("query", ["结婚证", "xyz", "qqqq", "   ", "", "%", "_"])
def test_nothing_found(searchable, query):
    assert search_guides(query) == []


def test_only_published_guides_and_limit(searchable):
    guide = db.session.scalars(select(m.Guide).where(m.Guide.code == "G2")).one()
    guide.status = "draft"
    db.session.commit()
    assert "居民身份证" not in names(search_guides("sfz"))
    assert len(search_guides("sfz", limit=1)) == 1
    assert search_guides("sfz", limit=0) == []


def test_demo_content_search(demo_app):
    with demo_app.app_context():
        found = search_guides("sfz")
        assert found and all("身份证" in g.name or "身份证" in g.search_text for g in found)
        assert any("居民身份证" in g.name for g in found)
        assert search_guides("身份证")[0].name.startswith(("居民身份证", "身份证"))
        assert search_guides("shenfenzheng")
        assert search_guides("不存在的事项名称xyz") == []
        dept = db.session.scalars(select(m.Department).where(m.Department.code == "gongan")).one()
        assert {g.department.code for g in search_guides(dept.name)} == {"gongan"}


def test_search_is_fast_enough_for_hundreds_of_guides(searchable):
    import time

    dept = db.session.scalars(select(m.Department).where(m.Department.code == "gongan")).one()
    for i in range(400):
        name = f"测试事项{i}号身份证明"
        db.session.add(m.Guide(code=f"T{i}", name=name, item_type="公共服务", department=dept,
                               case_type="即办件", search_text=search_text_for(name, dept.name)))
    db.session.commit()
    started = time.perf_counter()
    for _ in range(10):
        assert len(search_guides("sfz", limit=20)) == 20
    assert (time.perf_counter() - started) / 10 < 0.5

