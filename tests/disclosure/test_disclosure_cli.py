"""``disclosure parse``: summary, JSON, --strict and --previous, without an app."""

from __future__ import annotations

import json

import click
from disclosure_factory import bumped, city_report, without_checks

from kiosk.cli.disclosure import disclosure_group
from kiosk.services.disclosure import render_html, render_text


def test_group_is_a_click_group_named_disclosure():
    assert isinstance(disclosure_group, click.Group)
    assert disclosure_group.name == "disclosure"
    assert "parse" in disclosure_group.commands


def test_parse_prints_a_chinese_summary(cli, tmp_path, seed_bytes):
    path = tmp_path / "laocheng-2023-annual-report.txt"
    path.write_bytes(seed_bytes)
    result = cli.invoke(disclosure_group, ["parse", str(path)])
    assert result.exit_code == 0, result.output
    assert "老城区政务服务和大数据管理局 2023 年政府信息公开工作年度报告" in result.stdout
    assert "本年新收 0" in result.stdout
    assert "全部通过" in result.stdout


def test_parse_json(cli, tmp_path):
    report = city_report()
    path = tmp_path / "city.html"
    path.write_text(render_html(report), encoding="utf-8")
    result = cli.invoke(disclosure_group, ["parse", "--json", str(path)])
    assert result.exit_code == 0
    assert "示范市人民政府办公厅" in result.stdout  # ensure_ascii=False
    assert '\n  "agency"' in result.stdout  # indent=2
    parsed = json.loads(result.stdout)
    assert without_checks(parsed) == report
    assert len(parsed["checks"]) == 42


def test_strict_exits_1_when_a_check_fails(cli, tmp_path):
    path = tmp_path / "broken.txt"
    path.write_text(render_text(bumped(city_report(), "applications.granted[2]", 5)),
                    encoding="utf-8")
    lenient = cli.invoke(disclosure_group, ["parse", str(path)])
    assert lenient.exit_code == 0
    strict = cli.invoke(disclosure_group, ["parse", "--strict", str(path)])
    assert strict.exit_code == 1
    assert "2 项未通过" in strict.stdout
    assert "[row_total]" in strict.stdout and "[grand_total]" in strict.stdout
    assert "「科研机构」列" in strict.stdout


def test_strict_exits_0_when_all_checks_pass(cli, tmp_path, seed_bytes):
    path = tmp_path / "seed.txt"
    path.write_bytes(seed_bytes)
    assert cli.invoke(disclosure_group, ["parse", "--strict", "--json", str(path)]).exit_code == 0


def test_previous_report_adds_carry_over_checks(cli, tmp_path):
    last = city_report(seed=7, year=2022)
    this = city_report(year=2023, carried_over=last["applications"]["carried_forward"][:6])
    (tmp_path / "2022.txt").write_text(render_text(last), encoding="utf-8")
    (tmp_path / "2022.json").write_text(json.dumps(last, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "2023.txt").write_text(render_text(this), encoding="utf-8")
    for previous in ("2022.txt", "2022.json"):
        result = cli.invoke(disclosure_group, [
            "parse", "--json", "--strict", "--previous", str(tmp_path / previous),
            str(tmp_path / "2023.txt")])
        assert result.exit_code == 0, result.output
        rules = [c["rule"] for c in json.loads(result.stdout)["checks"]]
        assert rules.count("carry_over") == 7
    other = city_report(seed=8, year=2022)
    (tmp_path / "other.txt").write_text(render_text(other), encoding="utf-8")
    result = cli.invoke(disclosure_group, ["parse", "--strict", "--previous",
                                           str(tmp_path / "other.txt"), str(tmp_path / "2023.txt")])
    assert result.exit_code == 1
    assert "[carry_over]" in result.stdout


def test_bad_previous_file_exits_2(cli, tmp_path, seed_bytes):
    (tmp_path / "seed.txt").write_bytes(seed_bytes)
    (tmp_path / "prev.json").write_text("{not json", encoding="utf-8")
    result = cli.invoke(disclosure_group, ["parse", "--previous", str(tmp_path / "prev.json"),
                                           str(tmp_path / "seed.txt")])
    assert result.exit_code == 2
    assert "prev.json" in result.stderr


def test_missing_file_is_a_usage_error(cli, tmp_path):
    result = cli.invoke(disclosure_group, ["parse", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2


def test_previous_json_of_the_wrong_shape_exits_2(cli, tmp_path, seed_bytes):
    (tmp_path / "seed.txt").write_bytes(seed_bytes)
    (tmp_path / "prev.json").write_text('{"applications": {}}', encoding="utf-8")
    result = cli.invoke(disclosure_group, ["parse", "--previous", str(tmp_path / "prev.json"),
                                           str(tmp_path / "seed.txt")])
    assert result.exit_code == 2
    assert "previous.applications.carried_forward" in result.stderr
