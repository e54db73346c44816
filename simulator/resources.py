"""Where the bundled scenarios, rubrics and schema are, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_dir(kind: str) -> Path:
    """Return the folder of bundled ``scenarios``, ``rubrics`` or ``schema``.

    A wheel carries them inside the package (``simulator/bundled/``); an editable install or a
    source checkout reads them from the repository root, so edits show up at once.
    """
    inside = _PACKAGE / "bundled" / kind
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / kind


def behaviours_path() -> Path:
    """Return the path of the behaviour vocabulary."""
    return bundled_dir("rubrics") / "behaviours.yaml"
