"""The learner's own sessions, newest first: reread a result, write a review later, or resume."""

from __future__ import annotations

import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Static

from simulator.playthrough import Playthrough, ResumeRefused
from simulator.store import SessionRecord
from simulator.textsafe import visible
from simulator.ui.app import STORE_ERRORS
from simulator.ui.screens.browser import short_title
from simulator.ui.screens.rows import RowsScreen

STATES = {"in_progress": "In progress", "abandoned": "Started again"}
MODE_NAMES = {"practice": "Practice", "assessment": "Assessment"}


def local_time(at: str) -> str:
    """A stored (UTC) time as the learner's clock reads it ("4 Dec 15:13")."""
    try:
        when = datetime.datetime.fromisoformat(at)
    except ValueError:
        return at[:16].replace("T", " ")
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    local = when.astimezone()
    return f"{local.day} {local:%b %H:%M}"


def outcome_of(record: SessionRecord) -> str:
    """How the conversation ended (or that it has not)."""
    return STATES.get(record.state) or (record.outcome or "finished").replace("_", " ").capitalize()


def grade_of(record: SessionRecord) -> str:
    """The session's grade in words; "No grade" when a serious error ruled every grade out."""
    if record.state in STATES:
        return "–"
    if record.ruled_out:
        return "No grade"  # the results say why: a serious error
    return (record.grade or "–").replace("_", " ").capitalize()


def review_of(record: SessionRecord) -> str:
    """Whether the learner has written a review and a learning plan for it."""
    written = [
        name
        for name, done in (
            ("review", "review" in record.written),
            ("plan", "learning_plan" in record.written),
        )
        if done
    ]
    return "+".join(written) if written else "–"


class SessionsScreen(RowsScreen):
    """Every session of the learner playing, with what it came to and whether it was reviewed."""

    HELP_SECTION = "My sessions"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", priority=True),
        Binding("escape", "back", "Back to scenarios"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="sessions-intro")
        yield DataTable(id="session-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        learner = self.roleplay.learner
        self.sub_title = f"My sessions · {learner.display if learner else '?'}"
        table = self.query_one(DataTable)
        # what a learner looks for first, first: at 80 columns the mode is what scrolls off
        table.add_columns("When", "Scenario", "Outcome", "Grade", "Written", "Mode")
        self.refresh_table()
        table.focus()

    def on_screen_resume(self) -> None:
        self.refresh_table()

    def records(self) -> list[SessionRecord]:
        """The learner's sessions, newest first."""
        learner = self.roleplay.learner
        if learner is None:
            return []
        return self.roleplay.store.sessions(learner_id=learner.id)

    def refresh_table(self) -> None:
        """Fill the table from the store."""
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        titles = {c.scenario.id: c.scenario.title for c in self.roleplay.scenarios}
        records = self.records()
        for r in records:
            title = short_title(titles.get(r.scenario_id, r.scenario_id), limit=20)
            mode = MODE_NAMES.get(r.mode, r.mode)
            cells = (local_time(r.started), title, outcome_of(r), grade_of(r), review_of(r), mode)
            # literal text, never markup
            table.add_row(*(Text(visible(c)) for c in cells), key=str(r.id))
        intro = (
            "Enter opens a session: its results and your review (or, if it is unfinished, the "
            "conversation where you left it)."
            if records
            else "No sessions yet: choose a scenario from the list and play it."
        )
        self.query_one("#sessions-intro", Static).update(intro)
        if records:
            table.move_cursor(row=min(cursor, len(records) - 1))

    def open_row(self, key: str) -> None:
        self.open_session(int(key))

    def action_back(self) -> None:
        self.app.pop_screen()

    def open_session(self, session_id: int) -> None:
        """Resume an unfinished session; show the results of any other."""
        app = self.roleplay
        try:
            record = app.store.session(session_id)
        except STORE_ERRORS as exc:
            app.store_failed(exc)
            return
        if record is None:
            return
        choice = next((c for c in app.scenarios if c.scenario.id == record.scenario_id), None)
        if choice is None:
            app.notify(
                f"The scenario '{record.scenario_id}' is not in the list any more, so this "
                "session cannot be opened here; your tutor can still print its feedback sheet.",
                severity="warning",
                timeout=10,
            )
            return
        if record.state == "in_progress":
            from simulator.ui.screens.conversation import ConversationScreen

            screen = ConversationScreen.resuming(app, record, choice.scenario)
            if screen is not None:
                app.push_screen(screen)
            return
        from simulator.ui.screens.results import ResultsScreen

        rubric = app.rubric_by_id(record.rubric_id)
        try:
            play = Playthrough.resume(app.store, record, choice.scenario, rubric)
        except ResumeRefused as exc:
            app.notify(
                f"Session {record.id} cannot be shown here ({exc}); its feedback sheet still "
                f"can (roleplay sheet {record.id}).",
                severity="error",
                timeout=10,
            )
            return
        app.push_screen(ResultsScreen(play))
