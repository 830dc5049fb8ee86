"""Hypothesis strategies that spoil valid input the way people and programs do (issue 10).

Shared by the importer property tests (test_import_property.py, test_excel_property.py,
disclosure/test_disclosure_garbled.py): a valid file is the starting point, and one mutation
turns it into what arrives in practice — a field dropped or doubled, a number where text
belongs, a year of 2^70, a cell of 5,000 characters, the file saved as UTF-16 or GBK, cut off
half-way, or empty. Starting from valid input keeps each example one mistake away from
success, so the importer's checks are reached instead of the first line refusing noise.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

SETTINGS = {"deadline": None, "database": None, "derandomize": True}

# values that have broken parsers elsewhere: overflow, NaN, look-alike dates and times,
# numbers as text, full-width digits, markup, control characters, very long text
AWKWARD_TEXT = ["", " ", "\t\n", "12:00", "25:61", "2024-02-30", "2024-13", "0379", "1e400", "NaN",
                "-0", "+5", "1_000", "３", "９" * 30, "是", "否", "null", "~",
                "<script>alert(1)</script>", "=HYPERLINK(\"http://x\")", "\x00", "\u202e",
                "𠀀" * 3, "x" * 5000, "../../etc/passwd", "http://", "javascript:alert(1)"]

scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(-10, 10), st.integers(min_value=2**31), st.integers(max_value=-(2**31)),
    st.integers(2**63 - 2, 2**63 + 2), st.integers(min_value=2**70, max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(-1e6, 1e6),
    st.text(max_size=20), st.sampled_from(AWKWARD_TEXT),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.text(max_size=6), scalars, max_size=2),
)


def slots(value: Any, path: tuple = ()) -> list[tuple]:
    """Every place inside nested dicts and lists, as paths of keys and indexes."""
    out = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            out += slots(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out += slots(child, (*path, index))
    return out


def _parent(value: Any, path: tuple) -> Any:
    for key in path[:-1]:
        value = value[key]
    return value


def mutate(data: Any, path: tuple, action: str, new: Any) -> Any:
    """``data`` with one change at ``path``: the value replaced, the entry dropped or
    doubled, or an unknown key added beside it. ``data`` is changed in place and returned."""
    if not path:
        return new if action == "replace" else data
    parent, key = _parent(data, path), path[-1]
    if action == "replace":
        parent[key] = new
    elif action == "drop":
        del parent[key]
    elif action == "double" and isinstance(parent, list):
        parent.insert(key, parent[key])
    elif action == "double" and isinstance(parent, dict):
        parent[f"{key}_copy" if isinstance(key, str) else key + 1] = parent[key]
    elif action == "extra" and isinstance(parent[key], dict):
        parent[key]["unexpected_field"] = new
    return data


@st.composite
def structural(draw, data: Any) -> tuple[Any, tuple, str]:
    """A changed copy of ``data`` (parsed YAML/JSON), the path changed and how."""
    import copy

    data = copy.deepcopy(data)
    path = draw(st.sampled_from(slots(data)), label="path")
    action = draw(st.sampled_from(["replace", "replace", "replace", "drop", "double", "extra"]),
                  label="action")
    new = draw(values, label="value") if action in ("replace", "extra") else None
    return mutate(data, path, action, new), path, action


ENCODINGS = ["utf-16", "utf-16-le", "utf-8-sig", "gbk", "big5"]


@st.composite
def garbled(draw, raw: bytes) -> tuple[bytes, str]:
    """``raw`` spoilt as a file: cut off, bytes flipped or inserted, another encoding,
    emptied, or replaced by noise; and what was done."""
    how = draw(st.sampled_from(["cut", "flip", "insert", "encoding", "empty", "noise", "nul"]),
               label="how")
    at = draw(st.integers(0, max(len(raw) - 1, 0)), label="at")
    if how == "cut":
        return raw[:at], how
    if how == "flip":
        noise = draw(st.binary(min_size=1, max_size=8), label="noise")
        return raw[:at] + noise + raw[at + len(noise):], how
    if how == "insert":
        return raw[:at] + draw(st.binary(min_size=1, max_size=16), label="noise") + raw[at:], how
    if how == "encoding":
        encoding = draw(st.sampled_from(ENCODINGS), label="encoding")
        return raw.decode("utf-8").encode(encoding, errors="replace"), f"{how}:{encoding}"
    if how == "empty":
        return draw(st.sampled_from([b"", b" ", b"\n", b"\xef\xbb\xbf"]), label="blank"), how
    if how == "nul":
        return raw[:at] + b"\x00" * draw(st.integers(1, 64), label="nuls") + raw[at:], how
    return draw(st.binary(max_size=2000), label="noise"), how
