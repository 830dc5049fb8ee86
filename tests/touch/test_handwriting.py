"""Handwriting (手写) on the kiosk: real finger-like strokes come back as their character, the
endpoint opens only for a live kiosk's token, bad input names its field, and a server
without the recognizer says so (503) instead of failing.

Zinnia and its model are required here, not skipped: `make test` installs them
(`make handwriting`), and a missing model must fail the run rather than hide a regression.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from kiosk.extensions import db
from kiosk.models import Screen, utcnow
from kiosk.services.screens import NewScreen, add_screens
from kiosk.services.touch.handwriting import (
    HandwritingError,
    HandwritingUnavailable,
    Recognizer,
    Strokes,
    get_recognizer,
    normalise,
    parse_strokes,
)
from kiosk.touch.handwriting import handwriting_available

DATA = json.loads((Path(__file__).resolve().parent.parent / "data" / "handwriting" / "strokes.json")
                  .read_text("utf-8"))
CHARACTERS = DATA["characters"]
CANVAS = DATA["canvas"]
LOGGER = "kiosk.services.touch.handwriting"


def make_screen(app, kind: str, name: str) -> str:
    with app.app_context():
        [screen] = add_screens(db.session, NewScreen(name=name, group="hall", kind=kind),
                               layouts_dir=app.config["LAYOUTS_DIR"], actor="test")
        db.session.commit()
        return screen.token


@pytest.fixture
def kiosk_token(app) -> str:
    return make_screen(app, "kiosk", "自助查询机")


def url(token: str) -> str:
    return f"/screen/{token}/kiosk/handwriting"


def body(char: str = "口", **changes) -> dict:
    payload = {"strokes": CHARACTERS[char]["strokes"], **CANVAS}
    payload.update(changes)
    return payload


def test_the_strokes_file_has_the_characters_people_search_for():
    assert len(CHARACTERS) >= 10
    assert {"证", "身", "户", "口", "社", "结", "房"} <= {c for c, v in CHARACTERS.items() if v["top1"]}
    assert CANVAS == {"width": 400, "height": 400}


@pytest.mark.parametrize("char", sorted(CHARACTERS))
def test_each_written_character_is_recognised(client, kiosk_token, char):
    response = client.post(url(kiosk_token), json=body(char))
    assert response.status_code == 200, response.get_json()
    candidates = response.get_json()["candidates"]
    assert 1 <= len(candidates) <= 10 and len(set(candidates)) == len(candidates)
    if CHARACTERS[char]["top1"]:
        assert candidates[0] == char, candidates
    else:
        assert char in candidates[:3], candidates


def test_response_is_never_cached(client, kiosk_token):
    ok = client.post(url(kiosk_token), json=body())
    bad = client.post(url(kiosk_token), json=body(width=3))
    assert ok.status_code == 200 and bad.status_code == 400
    assert ok.headers["Cache-Control"] == bad.headers["Cache-Control"] == "no-store"


def test_writing_small_in_a_corner_still_recognises(app):
    """The bounding box is normalised: Zinnia alone scores by position in the declared box."""
    strokes = [[[x / 3 + 250, y / 3 + 10] for x, y in s] for s in CHARACTERS["证"]["strokes"]]
    parsed = parse_strokes({"strokes": strokes, **CANVAS})
    assert get_recognizer(app).recognize(parsed)[0] == "证"
    # … and on a wide canvas, which Zinnia alone would squash to a third of its width
    sideways = [[[x + 400, y] for x, y in s] for s in CHARACTERS["证"]["strokes"]]
    assert get_recognizer(app).recognize(parse_strokes({"strokes": sideways, "width": 1200,
                                                        "height": 400}))[0] == "证"


def test_n_limits_the_candidates(app):
    recognizer = get_recognizer(app)
    assert recognizer.recognize(parse_strokes(body("口")), n=3) == recognizer.recognize(
        parse_strokes(body("口")))[:3]
    with pytest.raises(ValueError):
        recognizer.recognize(parse_strokes(body("口")), n=0)


def test_concurrent_calls_give_the_same_answers(app):
    """The lock keeps Zinnia's non-re-entrant recognizer safe under threads (and greenlets)."""
    from concurrent.futures import ThreadPoolExecutor

    recognizer = get_recognizer(app)
    inputs = [parse_strokes(body(c)) for c in sorted(CHARACTERS)] * 4
    serial = [recognizer.recognize(s) for s in inputs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(recognizer.recognize, inputs)) == serial


def test_one_recognizer_per_app(app):
    assert get_recognizer(app) is get_recognizer(app) is app.extensions["kiosk.handwriting"]
    assert handwriting_available(app) is True
    assert get_recognizer(app).reason is None


@pytest.mark.parametrize("kind", ["led_wall", "window"])
def test_other_kinds_of_screen_get_404(app, client, kind):
    token = make_screen(app, kind, f"屏-{kind}")
    response = client.post(url(token), json=body())
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_revoked_and_unknown_tokens_get_404(app, client, kiosk_token):
    with app.app_context():
        screen = db.session.query(Screen).filter_by(token=kiosk_token).one()
        screen.revoked_at = utcnow()
        db.session.commit()
    for token in (kiosk_token, "no-such-token"):
        response = client.post(url(token), json=body())
        assert response.status_code == 404, token
        assert response.get_json()["error"]["code"] == "not_found"


def _many(points: int) -> list:
    return [[10, 10]] * points


BAD_INPUT = [
    ({"strokes": [], "width": 400, "height": 400}, "strokes"),
    ({"width": 400, "height": 400}, "strokes"),
    ({"strokes": {"0": [[1, 2]]}, "width": 400, "height": 400}, "strokes"),
    ({"strokes": [[[1, 2]]] * 41, "width": 400, "height": 400}, "strokes"),
    ({"strokes": [_many(1000)] * 4 + [[[1, 2]]], "width": 400, "height": 400}, "strokes"),
    ({"strokes": [[[1, 2]], [[1, 2]], []], "width": 400, "height": 400}, "strokes[2]"),
    ({"strokes": [[[1, 2]], "1,2"], "width": 400, "height": 400}, "strokes[1]"),
    ({"strokes": [_many(1001)], "width": 400, "height": 400}, "strokes[0]"),
    ({"strokes": [[[1, 2]], [[1, 2]], [[1, 2]] * 5 + [[1]]], "width": 400, "height": 400},
     "strokes[2][5]"),
    ({"strokes": [[[1, 2, 3]]], "width": 400, "height": 400}, "strokes[0][0]"),
    ({"strokes": [[{"x": 1, "y": 2}]], "width": 400, "height": 400}, "strokes[0][0]"),
    ({"strokes": [[[1, 2], ["1", 2]]], "width": 400, "height": 400}, "strokes[0][1]"),
    ({"strokes": [[[1, 2], [True, 2]]], "width": 400, "height": 400}, "strokes[0][1]"),
    ({"strokes": [[[1, None]]], "width": 400, "height": 400}, "strokes[0][0]"),
    ({"strokes": [[[1, 2]]], "height": 400}, "width"),
    ({"strokes": [[[1, 2]]], "width": "400", "height": 400}, "width"),
    ({"strokes": [[[1, 2]]], "width": 400.0, "height": 400}, "width"),
    ({"strokes": [[[1, 2]]], "width": True, "height": 400}, "width"),
    ({"strokes": [[[1, 2]]], "width": 15, "height": 400}, "width"),
    ({"strokes": [[[1, 2]]], "width": 400, "height": 4097}, "height"),
    ({"strokes": [[[1, 2]]], "width": 400}, "height"),
]


@pytest.mark.parametrize(("payload", "field"), BAD_INPUT)
def test_bad_input_names_the_field(client, kiosk_token, payload, field):
    response = client.post(url(kiosk_token), json=payload)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == ("invalid_strokes", field)
    assert "(" in error["message"] and error["message"].endswith(")")  # 中文 (English)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(client, kiosk_token, literal):
    """Python's JSON parser accepts these literals, so they do reach the server."""
    raw = '{"strokes": [[[1, 2], [3, ' + literal + ']]], "width": 400, "height": 400}'
    response = client.post(url(kiosk_token), data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "strokes[0][1]"


def test_a_body_that_is_not_an_object_is_refused(client, kiosk_token):
    response = client.post(url(kiosk_token), json=[[[1, 2]]])
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "body"
    with pytest.raises(HandwritingError) as err:
        parse_strokes([[[1, 2]]])
    assert err.value.field == "body"


def test_coordinates_off_the_canvas_are_clamped_not_refused():
    parsed = parse_strokes({"strokes": [[[-5, 10], [200.5, 450], [10**30, -1e300]]],
                            "width": 400, "height": 300})
    assert parsed == Strokes(strokes=(((0.0, 10.0), (200.5, 300.0), (400.0, 0.0)),),
                             width=400, height=300)


def test_the_limits_themselves_are_accepted():
    parsed = parse_strokes({"strokes": [_many(1000)] * 4, "width": 16, "height": 4096})
    assert len(parsed.strokes) == 4
    assert len(parse_strokes({"strokes": [[[1, 2]]] * 40, "width": 400, "height": 400}).strokes) == 40


def test_a_single_dot_does_not_break_normalisation(app):
    parsed = parse_strokes({"strokes": [[[100, 100]]], "width": 400, "height": 400})
    assert normalise(parsed) == [[(500, 500)]]
    assert isinstance(get_recognizer(app).recognize(parsed), list)


def test_missing_model_answers_503_and_logs_the_reason_once(app, client, kiosk_token, tmp_path, caplog):
    missing = tmp_path / "no-such.model"
    app.config["HANDWRITING_MODEL"] = str(missing)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert handwriting_available(app) is False
        first = client.post(url(kiosk_token), json=body())
        second = client.post(url(kiosk_token), json=body())
        assert handwriting_available(app) is False
    for response in (first, second):
        assert response.status_code == 503
        assert response.headers["Cache-Control"] == "no-store"
        error = response.get_json()["error"]
        assert error["code"] == "handwriting_unavailable"
        assert str(missing) in error["message"] and "missing" in error["message"]
    warnings = [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(missing) in warnings[0].getMessage() and "missing" in warnings[0].getMessage()
    assert get_recognizer(app).reason in warnings[0].getMessage()
    with pytest.raises(HandwritingUnavailable):
        get_recognizer(app).recognize(parse_strokes(body()))


def test_unavailable_still_checks_the_token_first(app, client):
    app.config["HANDWRITING_MODEL"] = "/nonexistent/handwriting.model"
    assert client.post(url("no-such-token"), json=body()).status_code == 404


def test_broken_model_and_missing_library_are_reasons_not_crashes(tmp_path, caplog):
    broken = tmp_path / "broken.model"
    broken.write_bytes(b"not a zinnia model at all, just some bytes")
    short = tmp_path / "short.model"
    short.write_bytes(b"zin")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        cases = {
            "unreadable": Recognizer(library="libzinnia.so.0", model=str(broken)),
            "too short": Recognizer(library="libzinnia.so.0", model=str(short)),
            "library": Recognizer(library="libno-such-zinnia.so.9", model=str(broken)),
        }
        for word, recognizer in cases.items():
            assert recognizer.available() is False
            assert word in recognizer.reason
    assert len([r for r in caplog.records if r.name == LOGGER]) == 3


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    from kiosk.config import load_settings

    monkeypatch.delenv("KIOSK_HANDWRITING_LIBRARY", raising=False)
    monkeypatch.delenv("KIOSK_HANDWRITING_MODEL", raising=False)
    defaults = load_settings({"DATA_DIR": str(tmp_path), "SECRET_KEY": "x"})
    assert defaults["HANDWRITING_LIBRARY"] == "libzinnia.so.0"
    assert defaults["HANDWRITING_MODEL"] == "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model"
    monkeypatch.setenv("KIOSK_HANDWRITING_LIBRARY", "/opt/zinnia/libzinnia.so")
    monkeypatch.setenv("KIOSK_HANDWRITING_MODEL", "/opt/zinnia/zh.model")
    settings = load_settings({"DATA_DIR": str(tmp_path), "SECRET_KEY": "x"})
    assert (settings["HANDWRITING_LIBRARY"], settings["HANDWRITING_MODEL"]) == (
        "/opt/zinnia/libzinnia.so", "/opt/zinnia/zh.model")
