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
    RadioButton,
    RadioSet,
    SelectionList,
    Static,
)

from simulator import spec
from simulator.model import Scenario
from simulator.scoring import CauseAssessment, LearnerResponses
from simulator.ui.screens.base import AppScreen


def words(value: str) -> str:
    """Turn an id into words."""
    return value.replace("_", " ")


class CauseScreen(AppScreen):
    """Asks the learner to assess the causes of the situation from the brief."""

    HELP_SECTION = "Before the conversation"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "begin", "Start the conversation"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, scenario: Scenario) -> None:
        super().__init__()
        self.scenario = scenario

    def compose(self) -> ComposeResult:
        s = self.scenario
        yield Header()
        with VerticalScroll(id="cause-form"):
            yield Static(f"[b]{_escape(s.title)}[/b]\n{_escape(s.summary)}", id="cause-brief")
            yield Label(
                "Before you start: what is the problem, and what makes this customer challenging?",
                classes="form-title",
            )
            with Horizontal(id="cause-choices"):
                with Vertical(classes="choice issue-choice"):
                    yield Label("The issue")
                    with RadioSet(id="issue"):
                        for issue in spec.ISSUES:
                            yield RadioButton(words(issue), id=f"issue-{issue}")
                with Vertical(classes="choice"):
                    yield Label("The customer (characteristics)")
                    yield SelectionList[str](
                        *[(words(c), c) for c in spec.CHARACTERISTICS], id="characteristics"
                    )
                with Vertical(classes="choice"):
                    yield Label("Signs to expect (indicators)")
                    yield SelectionList[str](
                        *[(words(i), i) for i in spec.INDICATORS], id="indicators"
                    )
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
        )

    @on(Button.Pressed, "#begin")
    def action_begin(self) -> None:
        """Record the assessment and start the conversation."""
        from simulator.ui.screens.conversation import ConversationScreen

        cause = self.assessment()
        if cause.issue is None:
            self.notify("Choose the issue first (it is part of P1).", severity="warning")
            self.query_one(RadioSet).focus()
            return
        responses = LearnerResponses(cause_assessment=cause)
        self.app.switch_screen(ConversationScreen.starting(self.roleplay, self.scenario, responses))

    def action_back(self) -> None:
        self.app.pop_screen()


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
