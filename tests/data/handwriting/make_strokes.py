"""Make ``strokes.json``: finger-like strokes of a few characters for the handwriting tests.

Real strokes make the tests mean something: a synthetic "character" would only prove that
the code calls Zinnia, not that a citizen's 证 comes back as 证. The source is the stroke
medians (centre lines, in writing order) of the npm package ``hanzi-writer-data``
(README.md here names version and licence). Each median is turned into what a kiosk page
would send for a finger on a 400 × 400 canvas: the 1024-unit font box (y up, baseline
offset) mapped onto the canvas, the character a little smaller and off-centre, resampled to
a point every ~8 px along the path, each stroke shifted a little and each point jittered —
all from a fixed seed, so a rerun writes the same file.

Only characters the recognizer ranks in its top 3 after this processing are kept (Zinnia
is stroke-order dependent, and a few glyphs' order differs from the model's training data:
医 is dropped this way); ``top1`` marks those it ranks first, and the tests hold them to it.

Rerun from the repository root (needs libzinnia0 and the Tegaki model installed):

    cd /tmp && npm pack hanzi-writer-data@2          # writes hanzi-writer-data-2.0.1.tgz
    .venv/bin/python tests/data/handwriting/make_strokes.py /tmp/hanzi-writer-data-2.0.1.tgz

The argument may also be the unpacked ``package/`` folder. It prints each character's rank.
"""

from __future__ import annotations

import json
import math
import random
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]

# Characters people write when they look for a guide: 身份证, 结婚/离婚, 户口, 社保, 医保, 房产 …
CANDIDATES = "证身婚户口社结离房医保税驾护照居籍"
CANVAS = 400
STEP = 8.0          # px between points, like pointermove events of a steady finger
POINT_JITTER = 1.5  # px, standard deviation: a finger is not a font skeleton
STROKE_SHIFT = 4.0  # px, at most: strokes do not quite meet where the font has them meet
SEED = 20261202


def read_medians(source: Path, char: str) -> list[list[list[float]]]:
    """The ``medians`` of ``char`` from the npm tarball or an unpacked package folder."""
    if source.is_dir():
        data = json.loads((source / f"{char}.json").read_text("utf-8"))
    else:
        with tarfile.open(source) as tar:
            data = json.load(tar.extractfile(f"package/{char}.json"))
    return data["medians"]


def licence_text(source: Path) -> bytes:
    if source.is_dir():
        return (source / "ARPHICPL.TXT").read_bytes()
    with tarfile.open(source) as tar:
        return tar.extractfile("package/ARPHICPL.TXT").read()


def resample(points: list[tuple[float, float]], step: float) -> list[tuple[float, float]]:
    """Points every ``step`` along the polyline, its first and last point kept."""
    out = [points[0]]
    carry = 0.0  # distance already walked since the last emitted point
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        length = math.hypot(x1 - x0, y1 - y0)
        at = step - carry
        while at <= length:
            t = at / length
            out.append((x0 + (x1 - x0) * t, y0 + (y1 - y0) * t))
            at += step
        carry = length - (at - step)
    if out[-1] != points[-1]:
        out.append(points[-1])
    return out


def finger_strokes(medians, rng: random.Random) -> list[list[list[float]]]:
    """One character as a finger would write it on the canvas (see the module docstring)."""
    scale = CANVAS / 1024 * rng.uniform(0.8, 0.95)
    dx, dy = rng.uniform(-20, 40), rng.uniform(-20, 40)
    strokes = []
    for median in medians:
        # hanzi-writer: y up with the baseline at 900 → canvas y down
        path = [(x * scale + dx, (900 - y) * scale + dy) for x, y in median]
        sx, sy = rng.uniform(-STROKE_SHIFT, STROKE_SHIFT), rng.uniform(-STROKE_SHIFT, STROKE_SHIFT)
        stroke = []
        for x, y in resample(path, STEP):
            x += sx + rng.gauss(0, POINT_JITTER)
            y += sy + rng.gauss(0, POINT_JITTER)
            stroke.append([round(min(max(x, 0), CANVAS), 1), round(min(max(y, 0), CANVAS), 1)])
        strokes.append(stroke)
    return strokes


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    source = Path(argv[1])
    sys.path.insert(0, str(ROOT))
    from kiosk.services.touch.handwriting import Recognizer, parse_strokes

    recognizer = Recognizer(library="libzinnia.so.0",
                            model="/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model")
    if not recognizer.available():
        print(f"cannot rank: {recognizer.reason}", file=sys.stderr)
        return 1
    kept = {}
    for char in CANDIDATES:
        strokes = finger_strokes(read_medians(source, char), random.Random(f"{SEED}-{char}"))
        candidates = recognizer.recognize(parse_strokes(
            {"strokes": strokes, "width": CANVAS, "height": CANVAS}))
        rank = candidates.index(char) + 1 if char in candidates else None
        print(f"{char}: rank {rank or '-'}  {''.join(candidates[:5])}")
        if rank and rank <= 3:
            kept[char] = {"top1": rank == 1, "strokes": strokes}
    write(kept)
    (HERE / "ARPHICPL.TXT").write_bytes(licence_text(source))
    print(f"kept {len(kept)}: top 1 {''.join(c for c, v in kept.items() if v['top1'])}, "
          f"top 3 {''.join(c for c, v in kept.items() if not v['top1'])}")
    return 0


def write(kept: dict) -> None:
    """One stroke per line: small enough to diff, without one number per line."""
    lines = ["{", f'  "canvas": {{"width": {CANVAS}, "height": {CANVAS}}},',
             '  "source": "hanzi-writer-data 2.0.1 medians (Arphic Public License), '
             'see README.md",', '  "characters": {']
    for n, (char, entry) in enumerate(kept.items()):
        lines.append(f'    "{char}": {{"top1": {json.dumps(entry["top1"])}, "strokes": [')
        strokes = [f"      {json.dumps(s, separators=(',', ':'))}" for s in entry["strokes"]]
        lines.append(",\n".join(strokes))
        lines.append("    ]}" + ("," if n < len(kept) - 1 else ""))
    lines += ["  }", "}"]
    (HERE / "strokes.json").write_text("\n".join(lines) + "\n", "utf-8")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
