"""The tutor's live view (``roleplay watch``): every learner of a lesson or group on one screen,
one line each, updated as they play; Enter opens a learner's conversation so far.

An app of its own: it reads the store (read-only, see `Store.open_live`) through
`simulator.classroom.Classroom` and never writes to it.
"""

from __future__ import annotations

import sqlite3
import time
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from simulator.classroom import (
    FINISHED,
    NOT_STARTED,
    PLAYING,
    STATE_WORDS,
    WAITING_SECONDS,
    Classroom,
    ClassView,
    LearnerStatus,
    Mood,
)
from simulator.engine import LEARNER
from simulator.store import StoreError
from simulator.textsafe import visible

REFRESH_SECONDS = 1.0
"""How often the view reads the store again."""
STUCK_SECONDS = 300
"""Playing with no reply for this long shows in red (from WAITING_SECONDS, yellow)."""
COLUMNS = ("Learner", "Scenario", "Turn", "Mood", "Wait", "Status", "Serious error")


def idle_text(seconds: float | None) -> str:
    """Time since the last reply, in at most five characters: "45s", "3m05s", "12m", "1h02m"."""
    if seconds is None:
        return ""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 600:
        return f"{whole // 60}m{whole % 60:02d}s"
    if whole < 3600:
        return f"{whole // 60}m"
    if whole < 36000:
        return f"{whole // 3600}h{whole % 3600 // 60:02d}m"
    return f"{whole // 3600}h" if whole < 360000 else f"{whole // 86400}d"


def mood_text(mood: Mood | None) -> Text:
    """The mood's value, coloured as the learner's meter colours it."""
    if mood is None:
        return Text("")
    if isinstance(mood.value, bool):
        return Text("yes" if mood.value else "no")
    low = mood.low if mood.low is not None else min(0, mood.value)
    high = mood.high if mood.high is not None else max(0, mood.value)
    share = (mood.value - low) / max(high - low, 1)
    style = "red" if share < 0.34 else "yellow" if share < 0.67 else "green"
    return Text(f"{mood.value:+d}", style=style)


def status_text(row: LearnerStatus) -> Text:
    """Playing, not started, or how it ended and its grade ("resolved, Merit")."""
    if row.state == FINISHED:
        ending = (row.outcome or "finished").replace("_", " ")
        return Text(f"{ending}, {row.grade}" if row.grade else ending)
    style = "dim" if row.state == NOT_STARTED else ""
    return Text(STATE_WORDS[row.state], style=style)


def errors_text(row: LearnerStatus, wide: bool = True) -> Text:
    """The first serious error not put right (and how many more; its turn if ``wide``), or that
    it was put right."""
    open_errors = row.open_errors
    if open_errors:
        first = open_errors[0]
        more = f" +{len(open_errors) - 1}" if len(open_errors) > 1 else ""
        turn = f", turn {first.turn}" if wide else ""
        return Text(f"⚠ {first.short}{more}{turn}", style="bold red")
    if row.errors:
        return Text("put right", style="dim")
    if not row.available and row.state != NOT_STARTED:
        return Text("scenario not here", style="dim")
    return Text("")


def line_of(cells: list[Text], widths: tuple[int, ...]) -> Text:
    """Cells side by side in columns of these widths (cut short with an ellipsis)."""
    line = Text(no_wrap=True, overflow="ellipsis")
    for n, (cell, width) in enumerate(zip(cells, widths, strict=True)):
        cell = cell.copy()
        if cell.justify == "right":
            cell.pad_left(max(0, width - cell.cell_len))
        cell.truncate(width, overflow="ellipsis", pad=True)
        if n:
            line.append(" ")
        line.append_text(cell)
    return line


def row_key(row: LearnerStatus) -> str:
    """A learner's row, kept across refreshes whatever the order."""
    if row.learner_id is not None:
        return f"learner:{row.learner_id}"
    return f"roster:{row.learner_ref}:{row.name}"


class TranscriptScreen(Screen[None]):
    """One learner's conversation so far, with their serious errors first; kept up to date."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back to the class"),
    ]

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="who", markup=False)
        with VerticalScroll(id="conversation"):
            yield Static(id="lines", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#conversation").focus()
        self.show()

    def show(self) -> None:
        """Draw the learner's row and conversation as the app last read them."""
        app = self.app
        assert isinstance(app, WatchApp)
        row = app.row(self.key)
        who = self.query_one("#who", Static)
        if row is None:
            who.update("This learner is no longer in the store.")
            return
        head = Text()
        head.append(visible(row.display), style="bold")
        head.append(f" · {visible(row.scenario_title)}\n")
        head.append(f"{STATE_WORDS[row.state].capitalize()}, turn {row.turn}")
        if row.mood is not None:
            head.append(f" · {visible(row.mood.label)} ")
            head.append_text(mood_text(row.mood))
        if row.state == PLAYING and row.idle is not None:
            head.append(f" · last reply {idle_text(row.idle)} ago")
        if row.state == FINISHED:
            head.append(" · ")
            head.append_text(status_text(row))
        for error in row.errors:
            head.append("\n")
            put_right = f" (put right at turn {error.corrected_at})" if error.corrected_at else ""
            style = "dim" if error.corrected_at else "bold red"
            head.append(f"⚠ Turn {error.turn}: {error.label}{put_right}", style=style)
        who.update(head)
        self.query_one("#lines", Static).update(app.conversation(row))
        scroll = self.query_one("#conversation", VerticalScroll)
        self.call_after_refresh(scroll.scroll_end, animate=False)


class WatchApp(App[None]):
    """The tutor's live view of a lesson or group."""

    TITLE = "customer-roleplay · the class"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    #summary { height: 1; padding: 0 1; background: $boost; }
    #heading { height: 1; }
    #class { height: 1fr; border: none; padding: 0; }
    #who { padding: 0 1; border-bottom: solid $primary; height: auto; }
    #conversation { height: 1fr; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Transcript", priority=True),
        Binding("r", "reload", "Read now"),
        Binding("q,ctrl+q", "quit", "Quit"),
    ]

    def __init__(self, classroom: Classroom, interval: float = REFRESH_SECONDS) -> None:
        super().__init__()
        self.classroom = classroom
        self.interval = interval
        self.view: ClassView | None = None
        self.problem: str | None = None
        """Why the last read failed (the view then shows the read before it), or None."""
        self.refresh_times: list[float] = []
        """Seconds each refresh took: reading the store and updating the table."""
        self.read_times: list[float] = []
        """Seconds each refresh spent reading the store."""
        self._rows: dict[str, LearnerStatus] = {}
        self._lines: dict[tuple[int, int], Text] = {}
        self._layout: tuple[int, ...] = ()
        self._shown: list[tuple[str, Text]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="summary", markup=False)
        yield Static(id="heading", markup=False)
        yield OptionList(id="class")
        yield Footer()

    @property
    def main(self) -> Screen[None]:
        """The screen with the class on it (under an open transcript)."""
        return self.screen_stack[0]

    def on_mount(self) -> None:
        self.sub_title = self.classroom.title
        self.reload()
        if self.interval > 0:
            self.set_interval(self.interval, self.reload)

    def on_resize(self) -> None:
        if self.view is not None:
            self._fill(self.view)

    # -- reading ----------------------------------------------------------------------------
    def action_reload(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the store again and redraw the table (and an open transcript)."""
        start = time.perf_counter()
        try:
            view = self.classroom.read()
            self.read_times.append(time.perf_counter() - start)
        except (StoreError, sqlite3.Error) as exc:
            self.problem = f"the store could not be read ({exc}); trying again"
        else:
            self.problem = None
            self.view = view
            self._rows = {row_key(r): r for r in view.rows}
        if self.view is not None:
            self._fill(self.view)
        if isinstance(self.screen, TranscriptScreen):
            self.screen.show()
        self.refresh_times.append(time.perf_counter() - start)

    def row(self, key: str) -> LearnerStatus | None:
        """A learner's row as last read."""
        return self._rows.get(key)

    def conversation(self, row: LearnerStatus) -> Text:
        """A learner's conversation so far (replayed once for each turn it reaches)."""
        if row.session_id is None:
            return Text("Not started yet.", style="dim")
        key = (row.session_id, row.turn)
        text = self._lines.get(key)
        if text is None:
            text = self._draw_conversation(row)
            self._lines = {key: text}  # only the one on screen is kept
        return text

    def _draw_conversation(self, row: LearnerStatus) -> Text:
        assert row.session_id is not None
        scenario, lines = self.classroom.transcript(row.session_id)
        if scenario is None:
            return Text(
                f"Scenario '{row.scenario_id}' is not available on this computer, so the "
                "conversation cannot be shown.",
                style="dim",
            )
        wrong = {e.turn: e for e in row.errors}
        text = Text()
        turn = 0
        for line in lines:
            if line.speaker == LEARNER:
                turn += 1
                text.append(f"\n{row.name if not line.auto else 'Automatically'} ", style="bold")
                text.append(f"(turn {turn})\n", style="dim")
                error = wrong.get(turn)
                style = "red" if error is not None and error.corrected_at is None else ""
                text.append(visible(line.text) + "\n", style=style)
                if error is not None:
                    text.append(f"⚠ {error.label}\n", style="bold red")
            elif line.speaker == "narrator":
                text.append(f"\n{visible(line.text)}\n", style="italic")
            else:
                text.append(f"\n{visible(scenario.speaker_name(line.speaker))}\n", style="bold")
                text.append(visible(line.text) + "\n")
        return text

    # -- drawing ----------------------------------------------------------------------------
    def widths(self) -> tuple[int, ...]:
        """Each column's width at the terminal's width now (the last takes what is left)."""
        widths = (24, 26, 4, 5, 6, 22) if self.size.width >= 120 else (14, 11, 4, 4, 5, 17)
        rest = self.size.width - sum(widths) - len(widths) - 4  # gaps, padding, scroll bar
        return (*widths, max(8, rest))

    def _fill(self, view: ClassView) -> None:
        """Put the rows in the list, one line each, keeping the cursor on the same learner."""
        table = self.main.query_one("#class", OptionList)
        widths = self.widths()
        if widths != self._layout:  # the heading again only when the terminal's width changed
            self._layout = widths
            self._shown = []
            heading = [Text(name, style="bold") for name in COLUMNS]
            self.main.query_one("#heading", Static).update(line_of(heading, widths))
        shown = [(row_key(row), line_of(self.cells(row), widths)) for row in view.rows]
        if [k for k, _ in shown] == [k for k, _ in self._shown]:
            for index, ((_, line), (_, before)) in enumerate(zip(shown, self._shown, strict=True)):
                if line != before:  # only a line that changed is drawn again
                    table.replace_option_prompt_at_index(index, line)
        else:
            chosen = table.highlighted_option.id if table.highlighted_option else None
            table.set_options(Option(line, id=key) for key, line in shown)
            keys = [k for k, _ in shown]
            table.highlighted = keys.index(chosen) if chosen in keys else 0 if keys else None
        self._shown = shown
        counts = view.counts
        summary = (
            f"{counts['learners']} learners: {counts['started']} started, "
            f"{counts['playing']} playing, {counts['finished']} finished, "
            f"{counts['errors']} serious {'error' if counts['errors'] == 1 else 'errors'} · "
            f"{view.at.astimezone():%H:%M:%S}"
        )
        self.main.query_one("#summary", Static).update(
            Text(self.problem, style="bold red") if self.problem else Text(summary)
        )

    def line(self, key: str) -> str:
        """A learner's line as the view shows it now (plain text)."""
        return next((line.plain.rstrip() for k, line in self._shown if k == key), "")

    def cells(self, row: LearnerStatus) -> list[Text]:
        """A learner's cells, one for each of COLUMNS."""
        waiting = Text("")
        if row.state == PLAYING:
            idle = row.idle or 0.0
            style = (
                "bold red" if idle >= STUCK_SECONDS else "yellow" if idle >= WAITING_SECONDS else ""
            )
            waiting = Text(idle_text(row.idle), style=style)
        who = row.display if self.size.width >= 120 else row.name  # the id: in the transcript
        name = Text(visible(who), style="bold red" if row.open_errors else "")
        turn = Text(str(row.turn) if row.state != NOT_STARTED else "", justify="right")
        return [
            name,
            Text(visible(row.scenario_title.split(":")[0])),  # "Faulty kettle"
            turn,
            mood_text(row.mood),
            waiting,
            status_text(row),
            errors_text(row, wide=self.size.width >= 120),
        ]

    # -- keys -------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Enter opens a learner from the class's list only (hidden on a transcript)
        return not (action == "open" and isinstance(self.screen, TranscriptScreen))

    def action_open(self) -> None:
        if isinstance(self.screen, TranscriptScreen):
            return
        table = self.main.query_one("#class", OptionList)
        if table.highlighted_option:
            self._open(table.highlighted_option.id)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._open(event.option.id)

    def _open(self, key: str | None) -> None:
        row = self.row(key or "")
        if row is None:
            return
        if row.session_id is None:
            self.notify(f"{row.display} has not started yet.", markup=False)
            return
        self.push_screen(TranscriptScreen(row_key(row)))
