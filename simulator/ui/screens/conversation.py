"""The conversation: the chat, live meters, numbered options, notes, feedback in practice mode."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option as ListOption

from simulator.model import Scenario
from simulator.playthrough import ChoiceOutcome, Playthrough, ResumeRefused
from simulator.scoring import LearnerResponses
from simulator.store import SessionRecord
from simulator.ui.app import STORE_ERRORS
from simulator.ui.screens.base import AppScreen, header_line
from simulator.ui.screens.dialogs import PolicyCard, TextCard
from simulator.ui.widgets.layout import hanging
from simulator.ui.widgets.meter import Meter
from simulator.ui.widgets.transcript import Transcript, channel_banner

if TYPE_CHECKING:
    from simulator.ui.app import RoleplayApp

RESULTS = "__results__"
"""The id of the one item offered once the conversation is over: on to the results."""


class NotesPanel(Vertical):
    """The notes beside the chat; Esc closes it while typing."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close notes")]

    def action_close(self) -> None:
        screen = self.screen
        if isinstance(screen, ConversationScreen):
            screen.close_notes()


class ConversationScreen(AppScreen):
    """Plays one scenario; every reply is saved before its result is shown."""

    HELP_SECTION = "Conversation"
    UNSAVED = "your note"
    BINDINGS: ClassVar[list[BindingType]] = [
        *[Binding(str(n), f"choose({n})", show=False) for n in range(1, 10)],
        Binding("n", "notes", "Note"),
        Binding("p", "policy", "Policy card"),
        Binding("f", "feedback", "All feedback"),
        Binding("u", "undo", "Undo"),
        Binding("escape", "leave", "Leave"),
    ]

    def __init__(self, play: Playthrough) -> None:
        super().__init__()
        self.play = play
        self._could_undo = bool(play.session.chosen_path())
        self._feedback: Text | None = None
        """The feedback on the last reply (practice mode), for f to show in full."""
        self._accept_from = 0.0
        """When (time.monotonic) a reply may next be taken: keys pressed while a turn is being
        drawn, or just after, were meant for options the learner has not yet seen."""

    @classmethod
    def starting(
        cls, app: RoleplayApp, scenario: Scenario, responses: LearnerResponses
    ) -> ConversationScreen:
        """A new session for the app's learner."""
        assert app.learner is not None
        code = app.lesson.code if app.lesson is not None else None
        play = Playthrough.begin(
            app.store, app.learner, scenario, app.rubric, app.mode, responses, lesson_code=code
        )
        return cls(play)

    @classmethod
    def resuming(
        cls, app: RoleplayApp, record: SessionRecord, scenario: Scenario
    ) -> ConversationScreen | None:
        """A stored session, continued from its last committed turn (None if it cannot be)."""
        rubric = app.rubric_by_id(record.rubric_id) or app.rubric
        try:
            play = Playthrough.resume(app.store, record, scenario, rubric)
        except ResumeRefused as exc:
            app.notify(str(exc), severity="error", timeout=10)
            return None
        return cls(play)

    # -- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        s = self.play.scenario
        yield Header()
        with Horizontal(id="status"):
            yield Static(channel_banner(s), id="channel-banner")
            for var in s.variables.values():
                if var.meter:
                    yield Meter(var, self.play.session.variables[var.name])
        with Horizontal(id="conversation-body"):
            yield Transcript(s)
            with NotesPanel(id="notes-panel"):
                yield Static("Notes", classes="panel-title")
                with VerticalScroll(id="notes-scroll"):
                    yield Static(id="notes-list")
                yield Input(placeholder="Enter saves", id="note-input")
        with VerticalScroll(id="feedback"):
            yield Static(id="feedback-text")
        yield OptionList(id="options")
        yield Static(id="options-more")
        yield Footer()

    def on_mount(self) -> None:
        p = self.play
        self.sub_title = header_line(p.mode, p.rubric, p.scenario.title)
        self.query_one(Transcript).add_lines(list(p.session.transcript))
        self.query_one("#feedback").display = False
        self.show_meters()
        self.show_notes()
        self.refresh_options()

    def show_meters(self) -> None:
        """In assessment mode the meters are feedback too: hidden until the conversation ends."""
        shown = self.play.practice or self.play.session.finished
        for meter in self.query(Meter):
            meter.display = shown

    # -- options ------------------------------------------------------------------------------
    def refresh_options(self) -> None:
        """Offer the options available now, numbered 1-9; once it is over, the way on to the
        results (the customer's last line and the feedback on the last reply stay in view)."""
        options = self.query_one("#options", OptionList)
        options.clear_options()
        session = self.play.session
        if session.finished:
            self.show_ending()
        else:
            for n, option in enumerate(self.play.options(), 1):
                options.add_option(
                    ListOption(hanging([(f"{n}.", Text(option.say))], 3), id=option.id)
                )
        if options.option_count:
            options.highlighted = 0
        options.focus()
        self.hold_replies()
        self.call_after_refresh(self.show_more_hint)

    def show_ending(self) -> None:
        """The conversation is over: one item, on to the results; undo still possible."""
        later = (
            " · u takes your reply back" if self.play.practice and self.play.session.steps else ""
        )
        item = Text.assemble(("Enter", "bold"), "  See your results", (later, "dim"))
        self.query_one("#options", OptionList).add_option(ListOption(item, id=RESULTS))
        self.show_meters()
        stuck = self.play.session.stuck_reason
        if stuck is not None:
            self.notify(
                f"The conversation cannot go on: {stuck}. Please tell your tutor.",
                severity="error",
                timeout=10,
            )

    def show_more_hint(self) -> None:
        """Say when the replies do not all fit, rather than leave them cut off."""
        options = self.query_one("#options", OptionList)
        hint = self.query_one("#options-more", Static)
        more = options.max_scroll_y > 0 and options.scroll_y < options.max_scroll_y
        hint.update("↓ more below: press ↓ to read every reply" if more else "")
        hint.display = more

    @on(OptionList.OptionHighlighted, "#options")
    def highlighted(self) -> None:
        self.call_after_refresh(self.show_more_hint)

    # -- the guard against keys meant for the turn before ----------------------------------------
    def hold_replies(self) -> None:
        """Take no reply until the new options are drawn and have been on screen a moment."""
        guard = self.roleplay.reply_guard
        if guard <= 0:
            return
        self._accept_from = float("inf")  # until drawn

        def drawn() -> None:
            self._accept_from = time.monotonic() + guard

        self.call_after_refresh(drawn)

    def ready_for_reply(self) -> bool:
        """True once the options on screen have been seen long enough to be meant."""
        return time.monotonic() >= self._accept_from

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Undo is hidden in assessment mode, and greyed out until there is a reply to undo."""
        if action == "feedback" and not self.play.practice:
            return False  # assessment: the feedback is the debrief at the end
        if action == "undo":
            if not self.play.practice:
                return False
            return True if self.play.session.chosen_path() else None
        return True

    def refresh_undo(self) -> None:
        """Update the footer when undo becomes possible or impossible (only then: every footer
        refresh builds new keys, and Textual keeps the old ones alive, issue #6666)."""
        can_undo = bool(self.play.session.chosen_path())
        if can_undo != self._could_undo:
            self._could_undo = can_undo
            self.refresh_bindings()

    def action_choose(self, number: int) -> None:
        """Say the option with this number."""
        if isinstance(self.focused, Input):
            return
        if self.play.session.finished or not self.ready_for_reply():
            return
        options = self.play.options()
        if 1 <= number <= len(options):
            self.say(options[number - 1].id)

    @on(OptionList.OptionSelected, "#options")
    def selected(self, event: OptionList.OptionSelected) -> None:
        if not self.ready_for_reply():
            return
        if event.option.id == RESULTS:
            self.finish()
        elif event.option.id is not None:
            self.say(event.option.id)

    def say(self, option_id: str) -> None:
        """Take an option: saved first, then shown (not shown at all if it could not be saved)."""
        if self.play.session.finished:
            return
        try:
            outcome = self.play.choose(option_id)
        except STORE_ERRORS as exc:
            self.roleplay.store_failed(exc)
            return
        self.query_one(Transcript).add_lines(outcome.lines)
        self.update_meters()
        if self.play.practice:
            self.show_feedback(outcome)
        self.refresh_options()
        self.refresh_undo()

    def update_meters(self) -> None:
        for meter in self.query(Meter):
            meter.value = self.play.session.variables[meter.variable.name]

    def show_feedback(self, outcome: ChoiceOutcome) -> None:
        """Practice mode: why the reply was strong or weak, what it showed, what it changed."""
        text = Text()
        text.append("Your reply: ", style="bold")
        for behaviour in outcome.behaviours:
            good = behaviour.polarity == "positive"
            text.append("✓ " if good else "✗ ", style="green" if good else "red")
            text.append(behaviour.label + "  ")
        for name, (before, after) in outcome.changes.items():
            var = self.play.scenario.variables[name]
            if var.meter:
                text.append(f"{var.display_name} {before} → {after}  ", style="bold")
        if outcome.option.feedback:
            text.append("\n" + outcome.option.feedback)
        shown = bool(outcome.behaviours or outcome.changes or outcome.option.feedback)
        self._feedback = text if shown else None
        self.query_one("#feedback-text", Static).update(text)
        panel = self.query_one("#feedback", VerticalScroll)
        panel.display = shown
        panel.scroll_home(animate=False)
        self.call_after_refresh(self.show_feedback_hint)

    def show_feedback_hint(self) -> None:
        """Name the key that shows the whole feedback when it does not fit the panel."""
        panel = self.query_one("#feedback", VerticalScroll)
        panel.border_title = "more: f shows all of it" if panel.max_scroll_y > 0 else None

    def action_feedback(self) -> None:
        """The feedback on the last reply, in full, in a card of its own."""
        if isinstance(self.focused, Input):
            return
        if self._feedback is None:
            message = (
                "Feedback comes at the end in assessment mode."
                if not self.play.practice
                else "No feedback yet: it appears after your first reply."
            )
            self.notify(message, timeout=3)
            return
        self.app.push_screen(TextCard("Feedback on your last reply", self._feedback))

    # -- notes, policy, undo, leaving ----------------------------------------------------------
    def action_notes(self) -> None:
        panel = self.query_one("#notes-panel")
        panel.add_class("open")
        self.query_one("#note-input", Input).focus()
        self.query_one(Transcript).keep_newest_in_view()

    def close_notes(self) -> None:
        """Hide the notes and go back to the options."""
        self.query_one("#notes-panel").remove_class("open")
        self.query_one("#options", OptionList).focus()
        self.query_one(Transcript).keep_newest_in_view()

    @on(Input.Submitted, "#note-input")
    def note_added(self) -> None:
        if self.unsaved() and self.save_unsaved():  # if refused, the note stays in the box
            self.notify("Note saved.", timeout=2)

    def show_notes(self) -> None:
        notes = self.play.notes
        self.query_one("#notes-list", Static).update(
            Text("\n".join(f"• {n}" for n in notes) if notes else "No notes yet (n to write one).")
        )
        scroll = self.query_one("#notes-scroll", VerticalScroll)
        self.call_after_refresh(scroll.scroll_end, animate=False)  # the newest note in view

    def action_policy(self) -> None:
        if not isinstance(self.focused, Input):
            self.app.push_screen(PolicyCard(self.play.scenario))

    def action_undo(self) -> None:
        if isinstance(self.focused, Input):
            return
        if not self.play.practice:
            self.notify("Undo is only available in practice mode.", severity="warning")
            return
        try:
            undone = self.play.undo()
        except STORE_ERRORS as exc:
            self.roleplay.store_failed(exc)
            return
        if undone:
            self.query_one(Transcript).reset(list(self.play.session.transcript))
            self.update_meters()
            self.show_meters()
            self._feedback = None
            self.query_one("#feedback").display = False
            self.refresh_options()
            self.refresh_undo()
            self.notify("Your last reply was taken back.", timeout=2)
        else:
            self.notify("Nothing to undo yet.", timeout=2)

    def action_leave(self) -> None:
        if isinstance(self.focused, Input):
            self.close_notes()
            return
        if self.play.session.finished:  # nothing to resume: on to the results
            self.finish()
            return
        self.leave_asking(self.leave, "Save the note")

    def leave(self) -> None:
        self.notify("Saved. Choose the scenario again to resume.", timeout=3)
        self.app.pop_screen()

    # -- unsaved text (asked about before leaving or quitting: see UnsavedDialog) --------------
    def unsaved(self) -> bool:
        """True when a note is typed but not yet saved."""
        return bool(self.query_one("#note-input", Input).value.strip())

    def save_unsaved(self) -> bool:
        """Save the half-typed note; False if the store refused it."""
        box = self.query_one("#note-input", Input)
        try:
            self.play.add_note(box.value)
        except STORE_ERRORS as exc:
            self.roleplay.store_failed(exc)
            return False
        box.value = ""
        self.show_notes()
        return True

    def finish(self) -> None:
        """Show the results once the conversation has ended (or is stuck)."""
        from simulator.ui.screens.results import ResultsScreen

        self.app.switch_screen(ResultsScreen(self.play))
