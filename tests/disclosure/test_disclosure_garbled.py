"""Hypothesis on spoilt report files (the gap next to test_disclosure_property.py, which
generates well-formed reports): the bureau's text, a rendered page and a .docx, each cut off,
garbled, re-encoded, with a line dropped or doubled, a number replaced by odd text, or —
inside the .docx — a cell's text, a span or the XML itself spoilt. ``parse_report`` reads a
report or raises :class:`DisclosureError`; never another exception (issue 10)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from disclosure_factory import build_docx, city_report
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.services.disclosure import DisclosureError, parse_report, render_html
from tests.mutations import AWKWARD_TEXT, SETTINGS, garbled

SETTING = settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], **SETTINGS)
SEED = Path(__file__).resolve().parent.parent / "data" / "laocheng-2023-annual-report.txt"
REPORT = city_report()
FILES = {"report.txt": SEED.read_bytes(), "report.html": render_html(REPORT).encode(),
         "report.docx": build_docx(REPORT)}
odd = st.one_of(st.sampled_from(AWKWARD_TEXT), st.text(max_size=12),
                st.integers(-(2**70), 2**70).map(str), st.floats().map(str))


def parses_or_refuses(data: bytes, name: str) -> None:
    try:
        report = parse_report(data, name)
    except DisclosureError as err:
        assert err.message and isinstance(err.message, str)
        return
    assert isinstance(report, dict) and isinstance(report["checks"], list)


@st.composite
def spoilt_text(draw, raw: bytes) -> bytes:
    """A line dropped or doubled, or one number in it replaced by odd text."""
    lines = raw.decode("utf-8").split("\n")
    at = draw(st.integers(0, len(lines) - 1), label="line")
    how = draw(st.sampled_from(["drop", "double", "number"]), label="how")
    if how == "drop":
        del lines[at]
    elif how == "double":
        lines.insert(at, lines[at])
    else:
        numbers = list(re.finditer(r"\d+(?:\.\d+)?", lines[at]))
        if numbers:
            m = numbers[draw(st.integers(0, len(numbers) - 1), label="which")]
            lines[at] = lines[at][:m.start()] + draw(odd, label="odd") + lines[at][m.end():]
    return "\n".join(lines).encode()


DOCX_SPOILS = [
    (rb'(<w:gridSpan w:val=")\d+', "span"), (rb'(<w:vMerge w:val=")\w+', "merge"),
    (rb"(<w:t(?: [^>]*)?>)[^<]*", "text"), (rb'(<w:gridCol w:w=")\d+', "grid"),
]


@st.composite
def spoilt_docx(draw, raw: bytes) -> bytes:
    """word/document.xml with one attribute or text replaced, or cut off; zipped again."""
    with zipfile.ZipFile(io.BytesIO(raw)) as source:
        parts = {i.filename: source.read(i.filename) for i in source.infolist()}
    xml = parts["word/document.xml"]
    how = draw(st.sampled_from([label for _, label in DOCX_SPOILS] + ["cut", "bytes"]), label="how")
    if how == "cut":
        xml = xml[:draw(st.integers(0, len(xml)), label="at")]
    elif how == "bytes":
        xml, _ = draw(garbled(xml), label="garbled")
    else:
        pattern = next(p for p, label in DOCX_SPOILS if label == how)
        found = list(re.finditer(pattern, xml))
        m = found[draw(st.integers(0, len(found) - 1), label="which")]
        new = draw(odd, label="odd").encode("utf-8", errors="replace")
        new = new.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b'"', b"&quot;")
        xml = xml[:m.start()] + m.group(1) + new + xml[m.end():]
    parts["word/document.xml"] = xml
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


@SETTING
@given(name=st.sampled_from(["report.txt", "report.html"]), data=st.data())
@pytest.mark.reliability("Spoilt report text and pages", "hypothesis: the bureau's text and a rendered page cut off, garbled, re-encoded, a line dropped or doubled, a number made odd",
                         "a report or DisclosureError, never another exception")
def test_a_spoilt_text_or_page_is_read_or_refused(name, data):
    raw = FILES[name]
    if data.draw(st.booleans(), label="as bytes"):
        spoilt, _ = data.draw(garbled(raw), label="garbled")
    else:
        spoilt = data.draw(spoilt_text(raw), label="text")
    parses_or_refuses(spoilt, name)


@SETTING
@given(data=st.data())
@pytest.mark.reliability("Spoilt .docx reports", "hypothesis: a cell's text, a gridSpan/vMerge/gridCol value or document.xml itself spoilt, or the file's bytes",
                         "a report or DisclosureError, never another exception")
def test_a_spoilt_docx_is_read_or_refused(data):
    raw = FILES["report.docx"]
    if data.draw(st.booleans(), label="zip bytes"):
        at = data.draw(st.integers(0, len(raw) - 1), label="at")
        noise = data.draw(st.binary(min_size=1, max_size=64), label="noise")
        spoilt = data.draw(st.sampled_from([raw[:at], raw[:at] + noise + raw[at + len(noise):]]),
                           label="how")
    else:
        spoilt = data.draw(spoilt_docx(raw), label="docx")
    parses_or_refuses(spoilt, "report.docx")
