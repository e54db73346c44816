"""What every screen of the app shares: typed access to the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
    from simulator.ui.app import RoleplayApp


def preset_breakpoint(screen: Screen[Any]) -> None:
    """Give a new screen the width class (``-narrow``, ``-wide``) that Textual would give it when
    it is first sized, so that it is styled once rather than twice as it opens."""
    try:
        app = screen.app
    except RuntimeError:  # made outside a running app (NoActiveAppError): Textual sizes it
        return
    rules = screen.HORIZONTAL_BREAKPOINTS
    if rules is None:
        rules = app.HORIZONTAL_BREAKPOINTS
    width = app.size.width
    fits = [(least, name) for least, name in rules or () if width >= least]
    if fits:
        screen.add_class(max(fits)[1], update=False)


class AppScreen(Screen[None]):
    """A full screen of the simulator."""

    def __init__(
        self, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name, id, classes)
        preset_breakpoint(self)

    @property
    def roleplay(self) -> RoleplayApp:
        """The app, typed."""
        return cast("RoleplayApp", self.app)


class AppModal(ModalScreen[None]):
    """A dialog over the current screen."""

    def __init__(
        self, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name, id, classes)
        preset_breakpoint(self)

    @property
    def roleplay(self) -> RoleplayApp:
        """The app, typed."""
        return cast("RoleplayApp", self.app)
