"""Bundle the booth's font: Manrope (SIL Open Font License 1.1) from the ``font-manrope`` PyPI package.

The booth's screens and the clips' watermark use one typeface. It comes from a
registry package so anyone can check where it came from: pip downloads the pinned
wheel, its SHA-256 is checked, and the two weights the booth uses are copied into
``device/assets/`` with the licence and a note of the source beside them::

    python tools/make_fonts.py                 # downloads the wheel with pip
    python tools/make_fonts.py --wheel font_manrope-0.0.2-py3-none-any.whl

The font files are copied unchanged (the OFL allows redistribution with the licence;
it forbids selling the fonts alone, which nobody here does).
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "device" / "assets"
PACKAGE = "font-manrope==0.0.2"
WHEEL_SHA256 = "2ca9192f3602a3459323dfd7447c8c5ffa0795696c62fac465ef7c9b0521d292"
FILES = {  # inside the wheel -> in device/assets
    "font_manrope/files/Manrope-ExtraBold.ttf": "Manrope-ExtraBold.ttf",
    "font_manrope/files/Manrope-SemiBold.ttf": "Manrope-SemiBold.ttf",
    "font_manrope/files/OFL.txt": "Manrope-OFL.txt",
}

NOTE = """\
# Fonts

The booth's screens and the clips' watermark use **Manrope** (designed by Mikhail Sharanda,
Copyright 2018-2019 The Manrope Project Authors, https://github.com/sharanda/manrope),
licensed under the **SIL Open Font License 1.1**: see `Manrope-OFL.txt` beside this file.

| file | weight | use |
| --- | --- | --- |
| `Manrope-ExtraBold.ttf` | 800 | headlines, the countdown digits, effect names |
| `Manrope-SemiBold.ttf` | 600 | body text, buttons, the watermark |

Source: the PyPI package `{package}` (Pimoroni's fonts-python repackaging,
https://github.com/pimoroni/fonts-python), wheel SHA-256 `{sha}`.
The files are copied unchanged by `tools/make_fonts.py`, which checks that hash.
"""


def fetch_wheel(dest: Path) -> Path:
    """Download the pinned wheel with pip (no dependencies)."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dest), PACKAGE],
                   check=True)
    return next(dest.glob("font_manrope-*.whl"))


def bundle(wheel: Path, out: Path = ASSETS) -> list[Path]:
    """Check the wheel's hash and copy the fonts and licence into ``out``."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"{wheel}: SHA-256 {digest} is not the pinned {WHEEL_SHA256}; "
                         "update WHEEL_SHA256 only after checking the new wheel's fonts and licence")
    written = []
    with zipfile.ZipFile(wheel) as zf:
        for inside, name in FILES.items():
            target = out / name
            target.write_bytes(zf.read(inside))
            written.append(target)
    note = out / "FONTS.md"
    note.write_text(NOTE.format(package=PACKAGE, sha=WHEEL_SHA256), encoding="utf-8")
    return [*written, note]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="use this font_manrope wheel instead of downloading it")
    parser.add_argument("--out", type=Path, default=ASSETS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(Path(tmp))
        for path in bundle(wheel, args.out):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
