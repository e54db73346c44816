"""Text layout helpers: hanging indents, so wrapped lines line up under their text, not the margin."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text


def hanging(rows: Iterable[tuple[RenderableType, RenderableType]], width: int) -> Table:
    """Lay out (marker, body) rows: each marker in a column ``width`` wide, bodies wrapping after it."""
    grid = Table.grid(expand=True)
    grid.add_column(width=width, no_wrap=True)
    grid.add_column(ratio=1)
    for marker, body in rows:
        grid.add_row(marker, body)
    return grid


def bullets(items: Iterable[str], indent: int = 0, marker: str = "•") -> Table:
    """A bulleted list whose wrapped lines line up under the text."""
    return hanging(
        ((Text(" " * indent + marker), Text(item)) for item in items), indent + len(marker) + 1
    )
