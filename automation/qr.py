"""QR codes of a round's link: a PNG beside the workbook and one in the terminal,
so the secretary can project it in the meeting room and members scan it."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import segno

_UNSAFE = re.compile(r"[^\w.-]+")


def qr_filename(round_id: str, cell_path: str = "") -> str:
    """A file name safe on Windows too: ``qr-2023-03.png``; with many cells on one
    server, the cell's path first (``qr-chi-bo-a-2023-03.png``), so the codes of
    cells whose workbooks share a folder never overwrite each other."""
    cell = _UNSAFE.sub("_", cell_path).strip("_")
    round_part = _UNSAFE.sub("_", round_id).strip("_") or "round"
    return f"qr-{cell}-{round_part}.png" if cell else f"qr-{round_part}.png"


def save_png(url: str, path: Path, *, scale: int = 10) -> Path:
    """Write the QR code of ``url`` as a PNG (replaced atomically) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    segno.make(url, error="m").save(str(partial), kind="png", scale=scale, border=4)
    os.replace(partial, path)
    return path


def terminal(url: str) -> str:
    """The QR code of ``url`` drawn with block characters, to print in a terminal."""
    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True)
    return out.getvalue()
