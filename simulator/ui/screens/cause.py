"""Before the conversation: what is the issue and what makes this customer challenging (P1)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Button,
    Footer,
    Header,
    Label,
    RadioSet,
    SelectionList,
    Static,
    TextArea,
)

from simulator import spec
from simulator.model import Scenario
from simulator.scoring import CauseAssessment, LearnerResponses
from simulator.ui.app import STORE_ERRORS
from simulator.ui.screens.base import AppScreen
from simulator.ui.screens.browser import short_title
from simulator.ui.widgets.toggles import MarkedRadioButton, MarkedSelectionList

OWN_WORDS = (
    ("issue-words", "In your own words: what is the issue?", "what the issue is"),
    (
        "challenge-words",
        "In your own words: what makes this customer challenging?",
        "what makes this customer challenging",
    ),
)
"""The two boxes the learner writes in: id, label, and how a reminder names it."""


def words(value: str) -> str:
    """Turn an id into words."""
    return value.replace("_", " ")


class CauseScreen(AppScreen):
    """Asks the learner to assess the causes of the situation from the brief."""

    HELP_SECTION = "Before the conversation"
    UNSAVED = "your assessment of the situation"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "begin", "Start the conversation"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, scenario: Scenario) -> None:
        super().__init__()
        self.scenario = scenario

    def compose(self) -> ComposeResult:
        s = self.scenario
        # the part of a title after its colon often names the customer ("an angry customer")
        title = short_title(s.title, limit=80) if self.roleplay.assesses_cause(s) else s.title
        yield Header()
        with VerticalScroll(id="cause-form"):
            yield Static(f"[b]{_escape(title)}[/b]\n{_escape(s.summary)}", id="cause-brief")
            yield Label(
                "Before you start: what is the problem, and what makes this customer challenging?",
                classes="form-title",
            )
            yield Label(
                "Choose from the lists (↑ ↓, Space), then write it in your own words. Tab moves "
                "on; Ctrl+S starts the conversation.",
                classes="hint",
            )
            with Horizontal(id="cause-choices"):
                with Vertical(classes="choice issue-choice"):
                    yield Label("The issue")
                    with RadioSet(id="issue"):
                        for issue in spec.ISSUES:
                            yield MarkedRadioButton(words(issue), id=f"issue-{issue}")
                with Vertical(classes="choice"):
                    yield Label("The customer (characteristics)")
                    yield MarkedSelectionList(
                        *[(words(c), c) for c in spec.CHARACTERISTICS], id="characteristics"
                    )
                with Vertical(classes="choice"):
                    yield Label("Signs to expect (indicators)")
                    yield MarkedSelectionList(
                        *[(words(i), i) for i in spec.INDICATORS], id="indicators"
                    )
            with Horizontal(id="own-words"):
                for box_id, prompt, _ in OWN_WORDS:
                    with Vertical(classes="own-words-part"):
                        yield Label(prompt, classes="form-title")
                        yield TextArea(id=box_id, highlight_cursor_line=False)
            yield Button("Start the conversation", variant="primary", id="begin")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Assess the situation (P1)"
        self.query_one(RadioSet).focus()

    def assessment(self) -> CauseAssessment:
        """What the learner has chosen so far."""
        pressed = self.query_one(RadioSet).pressed_button
        issue = pressed.id.removeprefix("issue-") if pressed is not None and pressed.id else None
        return CauseAssessment(
            issue=issue,
            characteristics=tuple(self.query_one("#characteristics", SelectionList).selected),
            indicators=tuple(self.query_one("#indicators", SelectionList).selected),
            issue_words=self.query_one("#issue-words", TextArea).text.strip(),
            challenge_words=self.query_one("#challenge-words", TextArea).text.strip(),
        )

    @on(Button.Pressed, "#begin")
    def action_begin(self) -> None:
        """Record the assessment and start the conversation."""
        self.save_unsaved()

    def save_unsaved(self) -> bool:
        """Start the conversation, which saves the assessment with it; False if it cannot
        start yet (no issue chosen, or the store refused)."""
        from simulator.ui.screens.conversation import ConversationScreen

        cause = self.assessment()
        if cause.issue is None:
            self.notify("Choose the issue first (it is part of P1).", severity="warning")
            self.query_one(RadioSet).focus()
            return False
        unwritten = [
            part
            for box_id, _, part in OWN_WORDS
            if not self.query_one(f"#{box_id}", TextArea).text.strip()
        ]
        if unwritten and self.roleplay.assesses_cause(self.scenario):
            self.notify(
                f"You did not write {' or '.join(unwritten)}, so P1 cannot be achieved in this "
                "session.",
                severity="warning",
                timeout=6,
            )
        responses = LearnerResponses(cause_assessment=cause)
        try:
            screen = ConversationScreen.starting(self.roleplay, self.scenario, responses)
        except STORE_ERRORS as exc:  # what was typed stays in the boxes, to start again
            self.roleplay.store_failed(exc)
            return False
        self.app.switch_screen(screen)
        return True

    def unsaved(self) -> bool:
        """True once anything is chosen or written (saved only when the conversation starts)."""
        cause = self.assessment()
        return bool(
            cause.issue or cause.characteristics or cause.indicators
            or cause.issue_words or cause.challenge_words
        )  # fmt: skip

    def action_back(self) -> None:
        """Back to the list; what was chosen or written is asked about first (saving it starts
        the conversation)."""
        self.leave_asking(
            self.app.pop_screen,
            "Start the conversation",
            leaving="go back",
            after_save=lambda: None,
        )


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
