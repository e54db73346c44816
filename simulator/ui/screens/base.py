"""What every screen of the app shares: typed access to the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable

if TYPE_CHECKING:
    from simulator.ui.app import RoleplayApp


class AppScreen(Screen[None]):
    """A full screen of the simulator."""

    @property
    def roleplay(self) -> RoleplayApp:
        """The app, typed."""
        return cast("RoleplayApp", self.app)


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


class AppModal(ModalScreen[None]):
    """A dialog over the current screen."""

    @property
    def roleplay(self) -> RoleplayApp:
        """The app, typed."""
        return cast("RoleplayApp", self.app)
