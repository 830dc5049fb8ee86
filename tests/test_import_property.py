"""Hypothesis on the content import (``kiosk import``, services/importer): one file of a valid
folder spoilt — a field dropped, doubled or of the wrong type, a huge or negative number, odd
text, the file cut off, garbled, re-encoded, emptied or missing — is imported, or refused
with :class:`ImportFailure` naming the file (and the entry and line when the mistake is
inside one); never another exception, and a refused import leaves every table and the
upload store as they were (issue 10, "hypothesis for every importer")."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.services.importer import ImportFailure, import_path

from .conftest import dispose, make_app
from .import_fixtures import edit, make_mini, table_counts
from .mutations import SETTINGS, garbled, structural

SETTING = settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                            HealthCheck.too_slow], **SETTINGS)


class Hall:
    """One app whose database is reset from a saved copy before each example (a fresh app per
    example would cost more than the import)."""

    def __init__(self, folder: Path):
        self.folder, self.db = folder, folder / "hall.db"
        self.app = make_app(folder, self.db)
        src = make_mini(folder / "src")
        self.files = {p.relative_to(src).as_posix(): p.read_bytes()
                      for p in sorted(src.rglob("*")) if p.is_file()}
        self.save("empty")
        with self.app.app_context():
            import_path(src, actor="test")
        self.save("imported")

    def save(self, name: str) -> None:
        dispose(self.app)
        shutil.copy(self.db, self.folder / f"{name}.db")

    def reset(self, name: str) -> None:
        dispose(self.app)
        for suffix in ("-wal", "-shm"):
            Path(f"{self.db}{suffix}").unlink(missing_ok=True)
        shutil.copy(self.folder / f"{name}.db", self.db)

    def uploads(self) -> list[str]:
        store = self.folder / "uploads"
        return sorted(p.name for p in store.iterdir()) if store.is_dir() else []


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    hall = Hall(tmp_path_factory.mktemp("import-property"))
    yield hall
    dispose(hall.app)


TEXT_FILES = ["departments.yaml", "guides/gongan.yaml", "guides/minzheng.yaml", "bundles.yaml",
              "evaluations.csv", "notices.yaml", "ticker.yaml", "screens.yaml",
              "disclosure/mini-2023.json"]


def parse(rel: str, raw: bytes):
    text = raw.decode("utf-8")
    if rel.endswith(".json"):
        return json.loads(text)
    if rel.endswith(".csv"):
        return [list(row) for row in csv.reader(io.StringIO(text))]
    return yaml.safe_load(text)


def dump(rel: str, data) -> bytes:
    if rel.endswith(".json"):
        return json.dumps(data, ensure_ascii=False, indent=1).encode()
    if rel.endswith(".csv"):
        out = io.StringIO()
        rows = data if isinstance(data, list) else [[data]]
        csv.writer(out).writerows(row if isinstance(row, list) else [row] for row in rows)
        return out.getvalue().encode()
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()


@st.composite
def spoilt(draw, files: dict[str, bytes]) -> tuple[dict[str, bytes], str, str, tuple | None]:
    """The folder with one file spoilt: (files, that file, how, the path inside it)."""
    rel = draw(st.sampled_from(TEXT_FILES + ["forms/sfz-sample.pdf"]), label="file")
    files = dict(files)
    kind = "missing" if rel.startswith("forms/") else draw(
        st.sampled_from(["structure", "structure", "bytes", "missing"]), label="kind")
    if kind == "missing":
        del files[rel]
        return files, rel, kind, None
    if kind == "bytes":
        files[rel], how = draw(garbled(files[rel]), label="bytes")
        return files, rel, how, None
    data, path, how = draw(structural(parse(rel, files[rel])), label="change")
    files[rel] = dump(rel, data)
    return files, rel, how, path


def write(files: dict[str, bytes], root: Path) -> Path:
    for rel, raw in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(raw)
    return root


def import_spoilt(hall: Hall, start: str, files: dict[str, bytes]):
    """Import ``files`` over the ``start`` database: (the failure or None, counts before,
    counts after, uploads before, uploads after)."""
    hall.reset(start)
    with tempfile.TemporaryDirectory(dir=hall.folder) as tmp, hall.app.app_context():
        root = write(files, Path(tmp) / "content")
        before, stored = table_counts(), hall.uploads()
        try:
            import_path(root, actor="test")
        except ImportFailure as err:
            return err, before, table_counts(), stored, hall.uploads()
    return None, before, None, stored, None


@SETTING
@given(data=st.data(), start=st.sampled_from(["empty", "imported"]))
@pytest.mark.reliability("Spoilt content folders", "hypothesis: one file of a valid folder with a field dropped/doubled/mistyped, huge or negative numbers, odd text, cut off, garbled, re-encoded, emptied or missing",
                         "imported, or ImportFailure naming file (entry, line); nothing stored")
def test_a_spoilt_folder_is_imported_or_refused_naming_the_place(hall, data, start):
    files, rel, how, path = data.draw(spoilt(hall.files), label="folder")
    err, before, after, stored, stored_after = import_spoilt(hall, start, files)
    if err is None:
        return
    assert err.message and str(err).startswith(err.file), str(err)
    assert err.file in files or err.file == rel, (err.file, rel, how)
    assert after == before, f"refused ({err}) but stored: {before} -> {after}"
    assert stored_after == stored, f"refused ({err}) but kept uploads"
    if path and err.file == rel and how != "drop":
        # a mistake inside the file: the message says where (the entry, its line, the field
        # of a one-document file such as a disclosure report)
        assert err.row is not None or err.line is not None or err.field, (str(err), path, how)


# -- what the property test found, pinned ----------------------------------------------------
HUGE = [
    pytest.param("evaluations.csv", "2024-05,B区1号窗口,minzheng,80,5,",
                 "2024-05,B区1号窗口,minzheng,80,99999999999999999999999,",
                 ("evaluations.csv", 2, "satisfied", "数值过大"), id="csv-count-over-64-bits"),
    pytest.param("evaluations.csv", "2024-05,B区1号窗口,minzheng,80,5,",
                 "2024-05,B区1号窗口,minzheng,80,3000000000,",
                 ("evaluations.csv", 2, "satisfied", "数值过大"), id="csv-count-over-32-bits"),
    pytest.param("guides/gongan.yaml", "  visits: 1\n", "  visits: " + "9" * 5000 + "\n",
                 ("guides/gongan.yaml", 1, "visits", "数值过大"), id="yaml-5000-digits"),
    pytest.param("evaluations.csv", "2024-06,A区1号窗口", "2024-" + "1" * 5000 + ",A区1号窗口",
                 ("evaluations.csv", 3, "period", "不是有效的月份"), id="period-5000-digits"),
    pytest.param("evaluations.csv", "2024-06,A区1号窗口", "2024-²,A区1号窗口",
                 ("evaluations.csv", 3, "period", "不是有效的月份"), id="period-superscript"),
    pytest.param("disclosure/mini-2023.json", '"year": 2023', '"year": ' + "9" * 5000,
                 ("disclosure/mini-2023.json", None, None, "数值无法读取"), id="json-5000-digits"),
]


@pytest.mark.parametrize("name, old, new, expected", HUGE)
@pytest.mark.reliability("Numbers too large for a column or for int()", "content files with 3e9, 1e23 and 5,000-digit numbers",
                         "ImportFailure naming file, row, field; nothing stored")
def test_a_number_too_large_is_refused_naming_its_field(app, mini, name, old, new, expected):
    edit(mini, name, old, new)
    with app.app_context():
        before = table_counts()
        with pytest.raises(ImportFailure) as info:
            import_path(mini, actor="test")
        assert table_counts() == before
    err = info.value
    assert (err.file, err.row, err.field) == expected[:3], str(err)
    assert expected[3] in err.message, str(err)
