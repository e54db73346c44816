"""What every screen of the app shares: typed access to the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
    from simulator.ui.app import RoleplayApp


class AppScreen(Screen[None]):
    """A full screen of the simulator."""

    @property
    def roleplay(self) -> RoleplayApp:
        """The app, typed."""
        return cast("RoleplayApp", self.app)


class AppModal(ModalScreen[None]):
    """A dialog over the current screen."""

    @property
    def roleplay(self) -> RoleplayApp:
        """The app, typed."""
        return cast("RoleplayApp", self.app)
