"""Shared helpers for the interface tests: drive RoleplayApp the way a learner does, by keys."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, RadioSet, SelectionList

from simulator import spec
from simulator.ui.app import RoleplayApp
from simulator.ui.screens.conversation import ConversationScreen

DISTINCTION_ROUTE = [
    "sorry-tell-me",
    "probe-fault",
    "safety-advice",
    "ask-date-proof",
    "bank-statement-ok",
    "take-notes",
    "repeat-back",
    "go-to-manager",
    "brief-clearly",
    "list-options",
    "recommend-refund-discount",
    "policy-and-reasons",
    "offer-three",
    "recommend-clearview",
    "justify-balance",
    "check-understanding",
    "correct-timing",
    "fill-returns-form",
    "check-with-returns",
    "call-customer",
]
"""The faulty kettle played to a Distinction."""
POOR_ROUTE = ["ask-receipt-first", "defend-shop", "threaten-leave"]
"""The faulty kettle played badly: the customer walks out."""


class Learner:
    """Presses keys for a learner. Every method waits until the app has caught up."""

    def __init__(self, pilot: Pilot[None]) -> None:
        self.pilot = pilot

    @property
    def app(self) -> RoleplayApp:
        """The app under test."""
        assert isinstance(self.pilot.app, RoleplayApp)
        return self.pilot.app

    async def type(self, text: str) -> None:
        """Type text into whatever has focus."""
        await self.pilot.press(*["space" if ch == " " else ch for ch in text])
        await self.pilot.pause()

    async def start_screen_ready(self) -> None:
        """Wait until the start screen has focus and its list of qualifications (loaded just
        after the first frame)."""
        await self.pilot.pause()
        while not self.app.screen.query("#rubric"):
            await self.pilot.pause()

    async def sign_in(self, name: str | None = "Amy", mode: str | None = None) -> None:
        """On the start screen: type a name (None keeps the one typed or offered: "Continue
        as"), pick a mode, go on. Where the last learner is offered, a name given means
        "Someone else"."""
        pilot = self.pilot
        await self.start_screen_ready()
        screen = self.app.screen
        offered = bool(screen.query("#continue-as"))
        if name is not None:
            if offered:
                await pilot.press("tab", "enter")  # Someone else
                await pilot.pause()
                offered = False
            name_box = screen.query_one("#name", Input)
            assert self.app.focused is name_box
            name_box.value = ""  # a fresh start
            await self.type(name)
        if mode is not None:
            # to the mode: past name, learner id, group and rubric; or Someone else and rubric
            await pilot.press(*["tab"] * (3 if offered else 4))
            radios = screen.query_one("#mode", RadioSet)
            assert self.app.focused is radios
            await pilot.press("down" if mode == "assessment" else "up", "enter")
            assert radios.pressed_button is not None and radios.pressed_button.id == mode
        await pilot.press("ctrl+s")
        await pilot.pause()

    async def open_scenario(self, scenario_id: str = "faulty-kettle") -> None:
        """In the browser: move the cursor to the scenario and press Enter."""
        table = self.app.screen.query_one(DataTable)
        assert self.app.focused is table
        steps = table.get_row_index(scenario_id) - table.cursor_row
        await self.pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps), "enter")
        await self.pilot.pause()

    async def assess(
        self,
        issue: str = "product_faulty",
        characteristics: Iterable[str] = (),
        indicators: Iterable[str] = (),
        begin: bool = True,
    ) -> None:
        """On the cause screen: choose the issue and tick boxes by keyboard, then start."""
        pilot = self.pilot
        assert isinstance(self.app.focused, RadioSet)
        await pilot.press(*["down"] * spec.ISSUES.index(issue), "enter")
        for list_id, wanted, names in (
            ("characteristics", characteristics, spec.CHARACTERISTICS),
            ("indicators", indicators, spec.INDICATORS),
        ):
            await pilot.press("tab")
            assert self.app.focused is self.app.screen.query_one(f"#{list_id}", SelectionList)
            at = 0
            for index in sorted(names.index(w) for w in wanted):
                await pilot.press(*["down"] * (index - at), "space")
                at = index
        await pilot.pause()
        if begin:
            await pilot.press("ctrl+s")
            await pilot.pause()

    async def start(
        self, scenario_id: str = "faulty-kettle", mode: str | None = None, name: str = "Amy"
    ) -> None:
        """Sign in, open a scenario, name its issue and reach the conversation."""
        await self.sign_in(name, mode)
        await self.open_scenario(scenario_id)
        await self.assess()

    def number_of(self, option_id: str) -> str:
        """The number the learner reads next to an option in the numbered list."""
        ids = [o.id for o in self.app.screen.play.options()]  # type: ignore[attr-defined]
        assert option_id in ids, f"{option_id} is not offered now: {ids}"
        number = ids.index(option_id) + 1
        assert number <= 9
        return str(number)

    async def review(self, *parts: str) -> None:
        """On the results screen: press r, type the review's boxes in turn, save with Ctrl+S."""
        await self.pilot.press("r")
        await self.pilot.pause()
        for part in parts:
            await self.type(part)
            await self.pilot.press("tab")
        await self.pilot.press("ctrl+s")
        await self.pilot.pause()

    async def say(self, *option_ids: str, to_results: bool = True) -> None:
        """Press the number of each option in turn. When the last one ends the conversation,
        read its final line and press Enter for the results (unless ``to_results`` is False)."""
        for option_id in option_ids:
            await self.pilot.press(self.number_of(option_id))
            await self.pilot.pause()
        screen = self.app.screen
        if to_results and isinstance(screen, ConversationScreen) and screen.play.session.finished:
            await self.pilot.press("enter")
            await self.pilot.pause()


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A fresh session store (prefs.json goes next to it)."""
    return tmp_path / "s.db"


@pytest.fixture
def make_app(store_path: Path, tmp_path: Path) -> Callable[..., RoleplayApp]:
    """Build the app on the test's store: ``make_app()`` or ``make_app(scenario="x.yaml")``.

    The guard against a reply key pressed twice is off (``guard=True`` keeps it): Pilot presses
    keys far faster than a person, and the guard has tests of its own."""

    def make(scenario: str | None = None, guard: bool = False) -> RoleplayApp:
        app = RoleplayApp(scenario=scenario, store_path=store_path)
        if not guard:
            app.reply_guard = 0.0
        app.sheets_folder = tmp_path / "sheets"
        return app

    return make


@pytest.fixture
def drive() -> Callable[[Pilot[None]], Learner]:
    """Wrap a pilot in a Learner that presses the keys: ``me = drive(pilot)``."""
    return Learner


@pytest.fixture
def distinction_route() -> list[str]:
    """The faulty kettle played to a Distinction (option ids, in order)."""
    return list(DISTINCTION_ROUTE)


@pytest.fixture
def poor_route() -> list[str]:
    """The faulty kettle played badly: the customer walks out."""
    return list(POOR_ROUTE)
