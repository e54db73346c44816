"""Joining a lesson: the learner types the join code, sees the lesson, and picks themselves
from the group's roster (or types their learner id). The app's identity is then that roster
entry, and the lesson's rubric and mode apply."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Header, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from simulator.lessons import Lesson, LessonError, RosterEntry, lesson_to_join, roster
from simulator.store import MODE_HEADINGS
from simulator.ui.app import STORE_ERRORS
from simulator.ui.screens.base import AppScreen
from simulator.ui.screens.start import rubric_label


def matching(entries: list[RosterEntry], typed: str) -> list[RosterEntry]:
    """The roster entries with a word of their name starting with each word typed, in any case
    ("am kh" finds Amy Khan), or whose learner id is what was typed."""
    typed_words = typed.casefold().split()
    exact = [e for e in entries if e.learner_ref == typed.strip()]
    if exact:
        return exact
    return [
        e
        for e in entries
        if all(any(w.startswith(t) for w in e.name.casefold().split()) for t in typed_words)
    ]


class JoinScreen(AppScreen):
    """The join code, then the lesson's roster to pick oneself from."""

    HELP_SECTION = "Joining a lesson"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("down", "to_list", "Names", show=False),
    ]

    def __init__(self, today: date | None = None, code: str | None = None) -> None:
        super().__init__()
        self.today = today or date.today()
        self.code = code
        """The join code fixed for this screen (``roleplay serve --lesson``), or None."""
        self.lesson: Lesson | None = None
        self.entries: list[RosterEntry] = []
        self.shown: list[RosterEntry] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="join-form"):  # not scrolled: the list of names takes the room left
            yield Label("Join a lesson", classes="form-title")
            yield Static("Type the join code your tutor gave you, then Enter.", classes="hint")
            yield Input(placeholder="Join code, e.g. K7QX3M", id="join-code")
            yield Static("", id="join-message")
            with Vertical(id="join-roster"):
                yield Static("", id="lesson-about")
                yield Label("Who are you? Type your name to find it, or your learner id")
                yield Input(placeholder="Your name or learner id", id="find")
                yield OptionList(id="roster-list")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#join-roster").display = False
        code_box = self.query_one("#join-code", Input)
        code_box.focus()
        if self.code is not None:  # the lesson is fixed: look it up at once, no other code
            code_box.value = self.code
            code_box.disabled = True
            self.look_up(Input.Submitted(code_box, self.code))

    def say(self, message: str) -> None:
        """Show why something did not work, where the learner is looking."""
        self.query_one("#join-message", Static).update(Text(message, style="bold"))

    # -- the join code ------------------------------------------------------------------------
    @on(Input.Submitted, "#join-code")
    def look_up(self, event: Input.Submitted) -> None:
        """Find the lesson; show its roster, or say why it cannot be joined."""
        app = self.roleplay
        self.lesson, self.entries = None, []  # another code typed: not the last lesson's names
        self.query_one("#join-roster").display = False
        try:
            found = lesson_to_join(app.store, event.value, self.today)
            entries = roster(app.store, found.group)
        except LessonError as exc:
            self.say(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
            return
        except STORE_ERRORS as exc:
            app.store_failed(exc)
            return
        if not entries:
            self.say(f"Group {found.group} has no list of learners yet: ask your tutor.")
            return
        self.lesson, self.entries = found, entries
        self.say("")
        about = Text()
        about.append(found.title or f"Lesson {found.code}", style="bold")
        about.append(f"  ·  group {found.group}  ·  {MODE_HEADINGS.get(found.mode, found.mode)}")
        self.query_one("#lesson-about", Static).update(about)
        roster_box = self.query_one("#join-roster")
        roster_box.display = True
        if found.rubric is None and not self.query("#join-rubric"):
            rubrics = [(rubric_label(r), r.id) for r in app.rubrics]
            roster_box.mount(Label("Qualification"), before="#find")
            roster_box.mount(
                Select(rubrics, value=rubrics[0][1] if rubrics else Select.NULL,
                       allow_blank=not rubrics, id="join-rubric"),
                before="#find",
            )  # fmt: skip
        self.show_names("")
        self.query_one("#find", Input).focus()

    # -- the roster ---------------------------------------------------------------------------
    def show_names(self, typed: str) -> None:
        """List the roster entries that match what is typed (a name twice shows its id)."""
        self.shown = matching(self.entries, typed)
        names = [e.name.casefold() for e in self.entries]
        listing = self.query_one("#roster-list", OptionList)
        listing.clear_options()
        listing.add_options(
            Option(Text(f"{e.name} ({e.learner_ref})" if names.count(e.name.casefold()) > 1
                        else e.name), id=e.learner_ref)
            for e in self.shown
        )  # fmt: skip
        if self.shown:
            listing.highlighted = 0

    @on(Input.Changed, "#find")
    def filter_names(self, event: Input.Changed) -> None:
        self.show_names(event.value)

    def action_to_list(self) -> None:
        if self.focused is self.query_one("#find") and self.shown:
            self.query_one("#roster-list", OptionList).focus()

    @on(Input.Submitted, "#find")
    def pick_typed(self, event: Input.Submitted) -> None:
        """Enter in the box: the one learner it matches, else say what to do."""
        typed = event.value.strip()
        if len(self.shown) == 1 and typed:
            self.sign_in(self.shown[0])
        elif not typed:
            self.say("Type your name or your learner id first.")
        elif not self.shown:
            group = self.lesson.group if self.lesson else "this group"
            if any(ch.isdigit() for ch in typed):
                self.say(f"Learner id {typed} is not on the list for {group}: check it, or ask your tutor.")  # fmt: skip
            else:
                self.say(f"Nobody called {typed} is on the list for {group}: check the spelling, or type your learner id.")  # fmt: skip
        else:
            self.say(f"{len(self.shown)} names match: press Down, then Enter on yours.")

    @on(OptionList.OptionSelected, "#roster-list")
    def pick_listed(self, event: OptionList.OptionSelected) -> None:
        entry = next((e for e in self.shown if e.learner_ref == event.option.id), None)
        if entry is not None:
            self.sign_in(entry)

    def sign_in(self, entry: RosterEntry) -> None:
        """Play as this roster entry, in this lesson: its rubric and mode, its scenarios first."""
        app, found = self.roleplay, self.lesson
        assert found is not None
        try:
            app.learner = app.store.learner(entry.name, entry.learner_ref, entry.group)
            seated = app.take_seat(app.learner)  # in a browser: one browser per learner
        except STORE_ERRORS as exc:
            app.store_failed(exc)
            return
        if not seated:
            app.learner = None
            self.say(
                f"{entry.name} is already playing in another browser. Close that one first "
                "(or wait half a minute after it closed), then pick your name again."
            )
            return
        if found.rubric is not None:
            app.rubric = app.rubric_by_id(found.rubric)
        else:
            value = self.query_one("#join-rubric", Select).value
            app.rubric = app.rubric_by_id(value if isinstance(value, str) else None)
        app.mode = found.mode
        app.lesson = found
        here = {c.scenario.id for c in app.scenarios}
        missing = [s for s in found.scenarios if s not in here]
        if missing:  # the tutor's own scenario files, played from the store's copy
            try:
                missing = app.add_kept_scenarios(missing)
            except STORE_ERRORS as exc:
                app.store_failed(exc)
                return
        if missing:
            app.notify(
                f"Not on this computer: {', '.join(missing)}. Ask your tutor.",
                severity="warning",
                timeout=10,
            )
        from simulator.ui.screens.browser import BrowserScreen

        self.app.switch_screen(BrowserScreen())

    def action_back(self) -> None:
        if self.roleplay.served:  # in a browser there is no other way in: start again here
            self.app.switch_screen(self.roleplay.sign_in_screen())
            return
        from simulator.ui.screens.start import StartScreen

        self.app.switch_screen(StartScreen())
