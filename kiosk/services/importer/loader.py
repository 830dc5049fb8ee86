"""Reading content files while keeping the source line of every entry and field.

``yaml.safe_load`` throws away where a value came from, so a mistake could only be reported as
"somewhere in the file". This loader builds :class:`LineDict` / :class:`LineList` objects that
remember the line of each key and item. It also uses YAML 1.2-like scalar rules: in YAML 1.1
``12:00`` is the integer 720, ``0379`` an octal number and ``2024-02-30`` crashes the loader —
here those stay strings and the field validators report them with their line.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import ImportFailure

# Import order: later files may refer to earlier ones (docs/content-format.md).
KINDS = (
    "departments", "guides", "bundles", "evaluations", "disclosure", "notices", "ticker", "screens",
)
_TOP_LEVEL = {
    "departments.yaml": "departments",
    "bundles.yaml": "bundles",
    "evaluations.csv": "evaluations",
    "notices.yaml": "notices",
    "ticker.yaml": "ticker",
    "screens.yaml": "screens",
}
_YAML = (".yaml", ".yml")


class LineDict(dict):
    """A mapping that knows its own line and the line of each value."""

    line: int | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines: dict[Any, int] = {}


class LineList(list):
    """A sequence that knows its own line and the line of each item."""

    line: int | None = None

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.lines: list[int | None] = []


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int) -> None:
        super().__init__(key)
        self.key = key
        self.line = line


_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser: ~10x faster


class _Loader(_Base):
    """SafeLoader with line-keeping containers and YAML 1.2-style implicit scalars."""

    yaml_implicit_resolvers: dict = {}


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
# At most 19 digits: a longer run stays text, which the field's own check then refuses by
# name (Python refuses to convert more than 4,300 digits at all: the load used to crash).
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]{0,18})$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int):
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be text", key_node.start_mark
            )
        if key in result:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = value_node.start_mark.line + 1
    return result


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList()
    result.line = node.start_mark.line + 1
    for child in node.value:
        result.append(loader.construct_object(child, deep=True))
        result.lines.append(child.start_mark.line + 1)
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def read_text(path: Path, rel: str) -> str:
    """File text as UTF-8 (a BOM is fine); GB18030 as a fallback for files saved by Excel/WPS."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            raise ImportFailure(rel, "文件编码无法识别，请保存为 UTF-8") from None


def load_yaml(path: Path, rel: str) -> Any:
    """Parse one YAML document; syntax errors become :class:`ImportFailure` with the line."""
    text = read_text(path, rel)
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader
    except _DuplicateKey as exc:
        raise ImportFailure(rel, f"重复的键 {exc.key!r}", line=exc.line, field=str(exc.key)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ImportFailure(rel, f"YAML 格式错误: {exc.problem or exc}", line=line) from None
    except yaml.YAMLError as exc:
        raise ImportFailure(rel, f"YAML 格式错误: {exc}") from None


def load_json(path: Path, rel: str) -> Any:
    text = read_text(path, rel)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailure(rel, f"JSON 格式错误: {exc.msg}", line=exc.lineno) from None
    except ValueError as exc:  # a number of more than 4,300 digits
        raise ImportFailure(rel, f"JSON 中的数值无法读取: {str(exc)[:80]}") from None


@dataclass
class CsvRow:
    """One data row of a CSV file with its 1-based data row number and source line."""

    row: int
    line: int
    values: dict[str, str]


def load_csv(path: Path, rel: str, columns: tuple[str, ...]) -> Iterator[CsvRow]:
    """Rows of a CSV file whose header must hold exactly ``columns`` (in any order)."""
    reader = csv.reader(io.StringIO(read_text(path, rel), newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportFailure(rel, f"空文件，缺少表头 {','.join(columns)}", line=1) from None
    except csv.Error as exc:
        raise ImportFailure(rel, f"CSV 格式错误: {exc}", line=1) from None
    missing = [c for c in columns if c not in header]
    extra = [h for h in header if h not in columns]
    if missing or extra or len(set(header)) != len(header):
        raise ImportFailure(
            rel,
            f"表头应为 {','.join(columns)}"
            + (f"，缺少 {','.join(missing)}" if missing else "")
            + (f"，多出 {','.join(extra)}" if extra else ""),
            line=1,
        )
    number = 0
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFailure(rel, f"CSV 格式错误: {exc}", line=start) from None
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue  # blank lines between blocks are harmless
        number += 1
        if len(cells) != len(header):
            raise ImportFailure(
                rel, f"应有 {len(header)} 列，实际 {len(cells)} 列", row=number, line=line
            )
        yield CsvRow(number, line, {h: c.strip() for h, c in zip(header, cells, strict=True)})


@dataclass(frozen=True)
class SourceFile:
    """A recognised content file: its kind, absolute path and path relative to the import root."""

    kind: str
    path: Path
    rel: str


def kind_of(path: Path) -> str | None:
    """The content kind of a file, recognised by its name (and folder for guides/disclosure)."""
    if path.name in _TOP_LEVEL:
        return _TOP_LEVEL[path.name]
    if path.suffix == ".yml" and path.stem + ".yaml" in _TOP_LEVEL:
        return _TOP_LEVEL[path.stem + ".yaml"]
    if path.parent.name == "guides" and path.suffix in _YAML:
        return "guides"
    if path.parent.name == "disclosure" and path.suffix == ".json":
        return "disclosure"
    return None


def discover(path: Path) -> tuple[Path, list[SourceFile], list[str]]:
    """The import root, the recognised files in dependency order, and the names skipped.

    A single file's root is its folder (or the folder above ``guides/`` / ``disclosure/``) so
    that error messages and attachment paths read the same as when the whole folder is imported.
    """
    if not path.exists():
        raise ImportFailure(str(path), "路径不存在 (no such file or folder)")
    if path.is_file():
        kind = kind_of(path)
        if kind is None:
            raise ImportFailure(
                path.name, "不认识的文件名，参见 docs/content-format.md (unrecognised file name)"
            )
        root = path.parent.parent if kind in ("guides", "disclosure") else path.parent
        return root, [SourceFile(kind, path, path.relative_to(root).as_posix())], []
    found: list[SourceFile] = []
    skipped: list[str] = []
    candidates = [p for p in path.iterdir() if p.is_file()]
    for sub in ("guides", "disclosure"):
        if (path / sub).is_dir():
            candidates += [p for p in (path / sub).iterdir() if p.is_file()]
    for file in candidates:
        rel = file.relative_to(path).as_posix()
        kind = kind_of(file)
        if kind is not None:
            found.append(SourceFile(kind, file, rel))
        elif file.suffix in (*_YAML, ".csv", ".json") and not file.name.startswith("."):
            skipped.append(rel)
    found.sort(key=lambda f: (KINDS.index(f.kind), f.rel))
    if not found:
        raise ImportFailure(str(path), "文件夹中没有可导入的内容文件 (no content files found)")
    return path, found, sorted(skipped)
