"""Screens built around a table of rows (the scenario browser, My sessions): kept apart from
`base` so that the first screen does not load the table widget."""

from __future__ import annotations

from textual import on
from textual.widgets import DataTable

from simulator.ui.screens.base import AppScreen


class RowsScreen(AppScreen):
    """A screen built around a table whose rows open with Enter (bound to ``open`` with
    priority by the screen, so that it works only while the table has focus) or a click."""

    def open_row(self, key: str) -> None:
        """Open what the row with this key stands for."""
        raise NotImplementedError

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_row(str(event.row_key.value))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter opens a row only from the table; elsewhere (a filter) it does what it does."""
        if action == "open":
            return isinstance(self.focused, DataTable)
        return True

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if key is not None:
                self.open_row(str(key))
