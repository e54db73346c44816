"""``roleplay observe``: the observer's screen for a live role-play in threes.

At each turn the observer sees what the person playing the customer should say and the agent's
possible replies, and picks the one closest to what the agent said, or "something else", which
asks for the agent's words and then which reply they were closest to, so the conversation goes
on. ``n`` adds a note at any time. Every pick is committed to the store at once (through
`Playthrough`), as in the simulator, and the session is scored by the same engine at the end.
"""

from __future__ import annotations

import sqlite3
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option as Row

from simulator.cards import words
from simulator.engine import LEARNER
from simulator.model import Option
from simulator.playthrough import Playthrough
from simulator.store import StoreError
from simulator.textsafe import visible

SOMETHING_ELSE = "something-else"


class WordsScreen(ModalScreen[str | None]):
    """One line of text from the observer: a note, or the agent's own words."""

    DEFAULT_CSS = """
    WordsScreen { align: center middle; }
    WordsScreen > Vertical { width: 90%; max-width: 100; height: auto; border: thick $accent;
        background: $panel; padding: 1 2; }
    WordsScreen Label { width: 100%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, prompt: str) -> None:
        super().__init__()
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(visible(self.prompt), id="words-prompt", markup=False)
            yield Input(id="words")
            yield Label("Enter to keep it · Esc to cancel", classes="muted")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        """Return the text (None when empty)."""
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        """Close without text."""
        self.dismiss(None)


class ObserveApp(App[None]):
    """Record a live role-play as it happens."""

    TITLE = "Observed role-play"
    ENABLE_COMMAND_PALETTE = False  # every key is in the footer
    CSS = """
    #heading { background: $primary; color: $text; padding: 0 1; height: auto; }
    #said { height: 1fr; border: round $secondary; padding: 0 1; }
    #prompt { padding: 0 1; height: auto; text-style: bold; }
    #replies { height: auto; max-height: 55%; }
    .agent { color: $text-muted; }
    .customer { text-style: bold; }
    #ended { padding: 0 1; height: auto; border: round $success; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"pick({n})", show=False) for n in range(1, 10)),
        Binding("0", "something_else", "Something else"),
        Binding("n", "note", "Note"),
        Binding("q", "quit_observing", "Finish"),
        Binding("escape", "forget_words", "Forget their words", show=False),
    ]

    def __init__(self, play: Playthrough, observer: str) -> None:
        super().__init__()
        self.play = play
        self.observer = observer
        self.offered: list[Option] = []
        """The replies on screen, in their order."""
        self.own_words: str | None = None
        """The agent's words after "something else", until the closest reply is picked."""
        self._shown = 0

    # -- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="heading", markup=False)
        yield VerticalScroll(id="said")
        yield Static(id="prompt", markup=False)
        yield OptionList(id="replies")
        yield Footer()

    def on_mount(self) -> None:
        """Show the first turn."""
        self.show_turn()

    @property
    def turn(self) -> int:
        """The agent's turn now, 1-based."""
        return sum(1 for s in self.play.session.steps if not s.auto) + 1

    def _heading(self) -> str:
        play = self.play
        where = "ended" if play.session.ended else f"turn {self.turn}"
        return visible(
            f"Observed role-play: {play.scenario.title}\n"
            f"Agent: {play.learner.display} · Observer: {self.observer} · "
            f"session {play.session_id} · {where}"
        )

    def show_turn(self) -> None:
        """Add what was said since the last pick; offer the replies, or say it has ended."""
        play = self.play
        said = self.query_one("#said", VerticalScroll)
        for line in play.session.transcript[self._shown :]:
            if line.speaker == LEARNER:
                text, kind = f"Agent (closest reply): {line.text}", "agent"
            else:
                who = play.scenario.speaker_name(line.speaker)
                text, kind = f"{who} says, read this out: “{line.text}”", "customer"
            said.mount(Static(visible(text), classes=kind, markup=False))
        self._shown = len(play.session.transcript)
        said.scroll_end(animate=False)
        self.query_one("#heading", Static).update(self._heading())
        replies = self.query_one("#replies", OptionList)
        replies.clear_options()
        prompt = self.query_one("#prompt", Static)
        if play.session.ended or play.session.stuck_reason:
            self.offered = []
            replies.display = False
            outcome = words(play.session.outcome) or "not finished"
            prompt.update(
                visible(
                    f"The role-play has ended: {outcome}. Session {play.session_id} is saved "
                    f"as an observed role-play; its observation record: roleplay sheet "
                    f"{play.session_id}. Press q to finish."
                )
            )
            return
        self.offered = play.options()
        if self.own_words is None:
            prompt.update("Which reply is closest to what the agent said? (0: something else)")
        else:
            prompt.update(
                visible(
                    f"They said: “{self.own_words}”. Which reply was it closest to? "
                    "(Esc: forget their words)"
                )
            )
        rows = [Row(Text(visible(f"{i}. {o.say}")), id=o.id) for i, o in enumerate(self.offered, 1)]
        if self.own_words is None:
            rows.append(
                Row(Text("0. Something else: write down the agent's words"), id=SOMETHING_ELSE)
            )
        replies.add_options(rows)
        replies.highlighted = 0
        replies.focus()

    # -- picking ------------------------------------------------------------------------------
    def choose(self, option: Option) -> None:
        """Record the reply the agent's words were closest to (with their words, if any)."""
        turn = self.turn
        try:
            self.play.choose(option.id)
        except (StoreError, sqlite3.Error) as exc:  # not saved, so not recorded: pick again
            self.notify(f"Not saved, so not recorded: {exc}. Pick again.", severity="error")
            return
        try:
            if self.own_words is not None:
                self.play.add_note(
                    f"Turn {turn}: the agent's own words: “{self.own_words}” "
                    f"(recorded as closest to '{option.id}')"
                )
            self.own_words = None
            if self.play.session.ended:
                self.play.result()
        except (StoreError, sqlite3.Error) as exc:
            self.notify(f"The reply is saved, but not the rest: {exc}", severity="error")
        self.show_turn()

    @on(OptionList.OptionSelected, "#replies")
    def selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a reply."""
        if event.option_id == SOMETHING_ELSE:
            self.action_something_else()
            return
        found = next((o for o in self.offered if o.id == event.option_id), None)
        if found is not None:
            self.choose(found)

    def action_pick(self, number: int) -> None:
        """1-9: the reply with that number."""
        if 1 <= number <= len(self.offered) and not isinstance(self.screen, WordsScreen):
            self.choose(self.offered[number - 1])

    def action_something_else(self) -> None:
        """Ask for the agent's words, then which reply they were closest to."""
        if not self.offered or self.own_words is not None:
            return

        def keep(words: str | None) -> None:
            if words:
                self.own_words = words
                self.show_turn()

        self.push_screen(WordsScreen("What did the agent say? Write down their words."), keep)

    def action_forget_words(self) -> None:
        """Esc after "something else": drop the agent's words and pick again."""
        if self.own_words is not None:
            self.own_words = None
            self.show_turn()

    def action_note(self) -> None:
        """A note on the turn now (after the end: on the last turn)."""
        turn = self.turn - 1 if self.play.session.ended else self.turn

        def keep(text: str | None) -> None:
            if not text:
                return
            try:
                self.play.add_note(f"Turn {turn}: {text}")
            except (StoreError, sqlite3.Error) as exc:
                self.notify(f"The note was not saved: {exc}", severity="error")
                return
            self.notify(f"Note kept on turn {turn}.")

        self.push_screen(WordsScreen(f"A note on turn {turn}:"), keep)

    def action_quit_observing(self) -> None:
        """Finish: the session stays in the store as it is (unfinished if it has not ended)."""
        self.exit()
