"""English is switchable: catalogues are kept as .po sources in the package and compiled to
.mo in the data directory on start-up (polib, so no gettext tools are needed at run time)."""

from __future__ import annotations

import logging
from pathlib import Path

import polib

logger = logging.getLogger(__name__)

SOURCE = Path(__file__).resolve().parent.parent / "locale"


def compile_catalogues(target: Path) -> list[Path]:
    """Compile every <lang>/LC_MESSAGES/django.po under the package into `target`,
    skipping catalogues whose .mo is already newer than the .po. Returns what was written."""
    written: list[Path] = []
    for po_path in sorted(SOURCE.glob("*/LC_MESSAGES/*.po")):
        relative = po_path.relative_to(SOURCE).with_suffix(".mo")
        mo_path = target / relative
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = mo_path.with_suffix(".mo.tmp")
        polib.pofile(str(po_path)).save_as_mofile(str(tmp))
        tmp.replace(mo_path)  # atomic: a concurrent reader never sees half a file
        written.append(mo_path)
    return written
