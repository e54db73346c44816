"""What every screen of the app shares: typed access to the app."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual.screen import ModalScreen, Screen

from simulator.store import MODE_HEADINGS

if TYPE_CHECKING:
    from simulator.model import Rubric
    from simulator.ui.app import RoleplayApp


def cut(text: str, limit: int) -> str:
    """Text shortened to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def unit_name(rubric: Rubric) -> str:
    """A rubric's unit without its reference and credits ("Unit 7", "unit C3")."""
    unit = re.split(r"[,(]", rubric.unit)[0].strip()
    return unit if not unit or unit.lower().startswith("unit") else f"unit {unit}"


def rubric_short(rubric: Rubric | None) -> str:
    """A qualification in a few words for the header: awarding body and unit ("OCR Unit 7")."""
    if rubric is None:
        return "no qualification"
    body = rubric.qualification.split()[0] if rubric.qualification.split() else ""
    unit = unit_name(rubric)
    return " ".join(part for part in (body, unit) if part) or rubric.title


def header_line(mode: str, rubric: Rubric | None, *rest: str) -> str:
    """The header's subtitle: mode and qualification first, so that a long name or title after
    them is what gets cut at 80 columns."""
    return " · ".join((MODE_HEADINGS.get(mode, mode.capitalize()), rubric_short(rubric), *rest))


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
    """A full screen of the simulator.

    A screen where the learner types something that is saved only on request says what it is
    (``UNSAVED``) and overrides ``unsaved`` and ``save_unsaved``: leaving it (``leave_asking``)
    and quitting the app then ask first (save, discard or stay).
    """

    UNSAVED: ClassVar[str] = "what you wrote"
    """What a learner would lose, as the question names it ("your review and plan")."""

    def __init__(
        self, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name, id, classes)
        preset_breakpoint(self)

    @property
    def roleplay(self) -> RoleplayApp:
        """The app, typed."""
        return cast("RoleplayApp", self.app)

    def unsaved(self) -> bool:
        """True when something typed here would be lost by leaving."""
        return False

    def save_unsaved(self) -> bool:
        """Save what was typed; False (having said why) if it cannot be saved yet."""
        return True

    def leave_asking(
        self,
        leave: Callable[[], object],
        save_label: str = "Save",
        *,
        leaving: str = "leave",
        after_save: Callable[[], object] | None = None,
    ) -> None:
        """Leave at once, or, with unsaved writing, after asking: discard (then ``leave``),
        save (then ``after_save``, by default ``leave``; not if it could not be saved), or
        stay."""
        if not self.unsaved():
            leave()
            return
        from simulator.ui.screens.dialogs import UnsavedDialog  # only when there is a question

        def answered(answer: str | None) -> None:
            if answer == "discard":
                leave()
            elif answer == "save" and self.save_unsaved():
                (after_save or leave)()

        self.app.push_screen(UnsavedDialog(self.UNSAVED, save_label, leaving=leaving), answered)


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
