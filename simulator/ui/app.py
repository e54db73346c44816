"""The simulator app: who is playing, the scenario browser, the conversation, results, review."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.theme import Theme

from simulator.store import Learner, SessionChanged, Store, StoreError
from simulator.ui import terminal

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from textual.screen import Screen
    from textual.timer import Timer

    from simulator.lessons import Lesson
    from simulator.model import Rubric, Scenario

REPLY_GUARD = 0.4
"""Seconds after a turn's options are drawn during which a reply key is ignored: a key pressed
twice, or pressed as the options change, was meant for options the learner had not yet read."""

STORE_ERRORS = (StoreError, sqlite3.Error)
"""What a read or write of the store may raise (busy, a session changed elsewhere, a full disk);
every screen that touches the store catches these and calls `RoleplayApp.store_failed`."""

HIGH_CONTRAST = Theme(
    name="high-contrast",
    primary="#ffff00",
    secondary="#00ffff",
    accent="#ffffff",
    warning="#ffaf00",
    error="#ff5f5f",
    success="#5fff5f",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#1c1c1c",
    boost="#303030",
    dark=True,
)


@dataclass(frozen=True)
class Choice:
    """A scenario offered in the browser."""

    scenario: Scenario
    """The scenario."""
    path: Path
    """Its file."""


def load_scenarios(extra: str | None = None) -> list[Choice]:
    """Load the bundled scenarios (and one more file, if given) that have no errors."""
    # the catalog and the checks load after the first screen is up (see RoleplayApp.scenarios)
    from simulator.catalog import bundled_scenario_paths, resolve
    from simulator.lint import check_scenario_file
    from simulator.textsafe import visible_copy

    paths = bundled_scenario_paths()
    first: Path | None = None
    if extra is not None:
        wanted = resolve(extra)
        first = wanted.resolve()
        if first not in {p.resolve() for p in paths}:
            paths = [wanted, *paths]
    found = []
    for path in paths:
        loaded, problems = check_scenario_file(path)
        if loaded.scenario is not None and not any(p.severity == "error" for p in problems):
            # every string shown as written, with control characters made visible
            found.append(Choice(visible_copy(loaded.scenario), path))
    # the scenario asked for first (the cursor starts on it); then the library, easiest first and by title within a level
    found.sort(
        key=lambda c: (
            c.path.resolve() != first,
            c.scenario.difficulty or 9,
            c.scenario.title.casefold(),
        )
    )
    return found


def load_rubrics() -> list[Rubric]:
    """Load the bundled rubrics that have no errors."""
    from simulator.catalog import bundled_rubric_paths, open_rubric

    found = []
    for path in bundled_rubric_paths():
        try:
            found.append(open_rubric(str(path)))
        except Exception:  # a broken rubric is left out of the list; lint reports it
            continue
    return found


class RoleplayApp(App[None]):
    """customer-roleplay: practise handling challenging customers."""

    TITLE = "customer-roleplay"
    SUB_TITLE = "Practise handling challenging customers"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = False  # every key is in the help screen; nothing hides elsewhere
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012 - as Textual declares it
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,f1", "help", "Help", key_display="?/F1"),
        Binding("f2", "toggle_contrast", "Contrast", show=False),
        Binding("ctrl+q", "quit", "Quit", show=False),
        # with priority, Tab moves focus as the app reads it, before the keys after it are
        # handed to a field: typed or pasted at once, "name<Tab>group" fills two fields
        Binding("tab", "app.focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True),
    ]

    def __init__(self, scenario: str | None = None, store_path: Path | None = None) -> None:
        super().__init__()
        self.requested = scenario
        self.store = Store.open(store_path)
        self.prefs_path = self.store.prefs_path
        self.prefs: dict[str, Any] = self._read_prefs()
        self._scenarios: list[Choice] | None = None
        self._rubrics: list[Rubric] | None = None
        self.learner: Learner | None = None
        self.rubric: Rubric | None = None
        self.mode = "practice"
        self.lesson: Lesson | None = None
        """The lesson joined (its rubric and mode apply, its scenarios come first), or None."""
        self.reply_guard = REPLY_GUARD
        self.sheets_folder = Path(
            os.environ.get("ROLEPLAY_SHEETS") or Path.home() / "roleplay-feedback"
        )
        """Where the learner's own feedback sheets are saved (w on the results)."""
        self._terminal_watch: threading.Event | None = None
        from simulator.live import SERVED_ENV, SERVED_LESSON_ENV

        self.served = os.environ.get(SERVED_ENV) == "1"
        """In a browser (``roleplay serve``): learners sign in only with a lesson's join code."""
        self.served_lesson = (os.environ.get(SERVED_LESSON_ENV) or "").strip() or None
        """The join code every browser uses (``serve --lesson``), or None: the learner types it."""
        self.seat: str | None = None
        """In a browser, the token of the learner's seat (simulator.live), while signed in."""
        self._seat_timer: Timer | None = None

    def sign_in_screen(self) -> Screen[Any]:
        """Where a learner signs in: the join screen in a browser, else the start screen."""
        if self.served:
            from simulator.ui.screens.lesson import JoinScreen  # screens import this module

            return JoinScreen(code=self.served_lesson)
        from simulator.ui.screens.start import StartScreen  # screens import this module

        return StartScreen()

    def take_seat(self, learner: Learner) -> bool:
        """In a browser, claim the learner's seat (one browser per learner); False when another
        browser has it. Outside a browser, always True."""
        if not self.served:
            return True
        from simulator.live import SEAT_REFRESH, claim_seat

        self.leave_seat()
        token = claim_seat(self.store, learner.id)
        if token is None:
            return False
        self.seat = token
        if self._seat_timer is None:
            self._seat_timer = self.set_interval(SEAT_REFRESH, self.keep_seat)
        return True

    def keep_seat(self) -> None:
        """Tell the store this browser is still here (every SEAT_REFRESH seconds)."""
        from simulator.live import keep_seat

        if self.seat is not None and self.learner is not None:
            with contextlib.suppress(*STORE_ERRORS):  # busy: the next tick, inside SEAT_STALE
                keep_seat(self.store, self.learner.id, self.seat)

    def leave_seat(self) -> None:
        """Give the learner's seat back (signing out, or the app ending)."""
        from simulator.live import release_seat

        if self.seat is not None and self.learner is not None:
            with contextlib.suppress(*STORE_ERRORS):  # else it goes stale after SEAT_STALE
                release_seat(self.store, self.learner.id, self.seat)
        self.seat = None

    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        if self.prefs.get("high_contrast"):
            self.theme = HIGH_CONTRAST.name
        self.push_screen(self.sign_in_screen())
        if not self.is_headless and not self.is_web:  # a real terminal, which may go away
            self._terminal_watch = terminal.watch(asyncio.get_running_loop(), self.terminal_gone)

    def terminal_gone(self, status: int) -> None:
        """The terminal closed, or the app was sent SIGHUP or SIGTERM: end as Ctrl+Q does
        (every turn is already saved), and end the process anyway if that cannot finish."""
        terminal.end_regardless(status=status)
        if status == terminal.EXIT_HUNG_UP:
            terminal.silence(self._driver)
        self.exit(return_code=status)

    @property
    def scenarios(self) -> list[Choice]:
        """The scenarios to offer, loaded and checked on first use (after the first screen)."""
        if self._scenarios is None:
            self._scenarios = load_scenarios(self.requested)
        if self.lesson is not None:  # the lesson's scenarios first, in the tutor's order
            order = {sid: n for n, sid in enumerate(self.lesson.scenarios)}
            first = len(order)
            return sorted(self._scenarios, key=lambda c: order.get(c.scenario.id, first))
        return self._scenarios

    def add_kept_scenarios(self, scenario_ids: Sequence[str]) -> list[str]:
        """Offer scenarios that are not on this computer from the texts the store keeps (a
        lesson's own scenario file, kept by ``lesson new``); return the ids still missing.

        Each is written to a folder beside the store and loaded from there like any file."""
        from simulator.lint import check_scenario_file
        from simulator.textsafe import visible_copy

        missing = []
        folder = self.store.path.parent / "lesson-scenarios"
        for scenario_id in scenario_ids:
            digest = self.store.latest_scenario_hash(scenario_id)
            text = self.store.scenario_text(digest) if digest else None
            if text is None:
                missing.append(scenario_id)
                continue
            path = folder / f"{scenario_id}.scenario.yaml"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                if not path.is_file() or path.read_text(encoding="utf-8") != text:
                    path.write_text(text, encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                missing.append(scenario_id)
                continue
            loaded, problems = check_scenario_file(path)
            if loaded.scenario is None or any(p.severity == "error" for p in problems):
                missing.append(scenario_id)
                continue
            loaded_here = self.scenarios  # loaded first, so the kept ones join the list
            if scenario_id not in {c.scenario.id for c in loaded_here}:
                assert self._scenarios is not None
                self._scenarios.append(Choice(visible_copy(loaded.scenario), path))
        return missing

    @property
    def rubrics(self) -> list[Rubric]:
        """The rubrics to offer, loaded on first use (just after the first screen is drawn)."""
        if self._rubrics is None:
            self._rubrics = load_rubrics()
        return self._rubrics

    def on_unmount(self) -> None:
        if self._terminal_watch is not None:
            self._terminal_watch.set()
        self.leave_seat()
        self.store.close()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notification, always as plain text: messages quote scenario ids, file names and
        learners' names, which must never be read as markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def store_failed(self, exc: Exception) -> None:
        """Tell the learner that the store refused a read or write, and go where they can carry
        on: back to signing in when their record was erased, back to the scenarios when their
        session was continued in another window, nowhere (try again) when the store was busy."""
        if isinstance(exc, SessionChanged):
            if exc.gone:
                self.notify(
                    f"Not saved: {exc}. Sign in again to carry on.", severity="error", timeout=15
                )
                self.call_later(self.back_to_start)  # after the screen that failed is done
            else:
                self.notify(
                    f"Not saved here: {exc}. Open it again from the scenarios to carry on "
                    "from where it got to.",
                    severity="error",
                    timeout=15,
                )
                self.call_later(self.back_to_browser)
            return
        self.notify(f"Not saved: {exc}", severity="error", timeout=15)

    def back_to_browser(self) -> None:
        """Close every screen above the scenario browser."""
        from simulator.ui.screens.browser import BrowserScreen  # screens import this module

        while len(self.screen_stack) > 1 and not isinstance(self.screen, BrowserScreen):
            self.pop_screen()

    def back_to_start(self) -> None:
        """Forget who is playing and show the sign-in screen."""
        self.leave_seat()
        self.learner = None
        self.lesson = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(self.sign_in_screen())

    # -- preferences --------------------------------------------------------------------------
    def _read_prefs(self) -> dict[str, Any]:
        try:
            data = json.loads(self.prefs_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def save_prefs(self, **changes: Any) -> None:
        """Remember settings (who played last, rubric, mode, contrast) for next time."""
        self.prefs.update(changes)
        try:
            self.prefs_path.write_text(json.dumps(self.prefs, indent=2), encoding="utf-8")
        except OSError:
            self.notify(
                "Could not save your settings; they apply until you quit.", severity="warning"
            )

    def rubric_by_id(self, rubric_id: str | None) -> Rubric | None:
        """Return a loaded rubric by id."""
        return next((r for r in self.rubrics if r.id == rubric_id), None)

    def assesses_cause(self, scenario: Scenario) -> bool:
        """True when the learner's own cause assessment (P1) of this scenario is judged: by the
        rubric chosen to play against, or without one, by the scenario's own. The issue and the
        customer's indicators are then kept back until the session is over."""
        rubric = self.rubric or self.rubric_by_id(scenario.rubric)
        return rubric is not None and any(
            c.assess == "learner_response" and c.response == "cause_assessment"
            for c in rubric.criteria
        )

    # -- actions ------------------------------------------------------------------------------
    async def action_quit(self) -> None:
        """Quit; first ask about writing that is not saved (a review, a plan, a note)."""
        from simulator.ui.screens.base import AppScreen  # screens import this module
        from simulator.ui.screens.dialogs import UnsavedDialog

        if isinstance(self.screen, UnsavedDialog):  # already asking
            return
        waiting = next(
            (s for s in reversed(self.screen_stack) if isinstance(s, AppScreen) and s.unsaved()),
            None,
        )
        if waiting is None:
            self.exit()
        else:
            waiting.leave_asking(self.exit, leaving="quit")

    def action_help(self) -> None:
        from simulator.ui.screens.dialogs import HelpScreen  # screens import this module

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(getattr(self.screen, "HELP_SECTION", None)))

    def action_toggle_contrast(self) -> None:
        high = self.theme != HIGH_CONTRAST.name
        self.theme = HIGH_CONTRAST.name if high else "textual-dark"
        self.save_prefs(high_contrast=high)
