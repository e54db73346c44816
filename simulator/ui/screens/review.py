"""After the session: the learner's review (P8, P9) and learning plan (M4)."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, Static, TextArea

from simulator.playthrough import Playthrough
from simulator.scoring import LearnerResponses, PlanEntry, Review
from simulator.ui.app import STORE_ERRORS
from simulator.ui.screens.base import AppScreen, header_line

PARTS = (
    ("strengths", "What went well? (strengths)"),
    ("weaknesses", "What went less well? (weaknesses)"),
    ("challenges", "What was hard? (challenges)"),
    ("improvements", "What will you change? (improvements)"),
)
PLAN_ROWS = 3


def notes_block(notes: list[str]) -> Group:
    """The notes the learner wrote during the conversation, to write the review from."""
    from simulator.ui.widgets.layout import bullets

    return Group(Text("Your notes from the conversation", style="bold"), bullets(notes))


class ReviewScreen(AppScreen):
    """Typed review and optional learning plan, saved with the session."""

    HELP_SECTION = "Review"
    UNSAVED = "your review and plan"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Back"),
    ]

    def __init__(self, play: Playthrough) -> None:
        super().__init__()
        self.play = play

    def compose(self) -> ComposeResult:
        review = self.play.responses.review or Review()
        plan = list(self.play.responses.learning_plan)
        yield Header()
        with VerticalScroll(id="review-form"):
            yield Label("Review your performance", classes="form-title")
            yield Label(
                "Tab moves to the next box; Ctrl+S saves. Your tutor reads this review.",
                classes="hint",
            )
            if self.play.notes:
                yield Static(notes_block(self.play.notes), id="review-notes")
            with Grid(id="review-grid"):
                for key, prompt in PARTS:
                    with Vertical(classes="review-part"):
                        yield Label(prompt)
                        yield TextArea(
                            getattr(review, key),
                            id=f"review-{key}",
                            classes="review-text",
                            highlight_cursor_line=False,
                        )
            yield Label(
                "Learning plan (optional): activity, criterion, target date", classes="form-title"
            )
            for i in range(PLAN_ROWS):
                entry = plan[i] if i < len(plan) else PlanEntry("")
                with Horizontal(classes="plan-row"):
                    yield Input(entry.activity, placeholder="Activity", id=f"plan-activity-{i}")
                    yield Input(entry.criterion, placeholder="e.g. P4", id=f"plan-criterion-{i}",
                                classes="short")  # fmt: skip
                    yield Input(entry.target_date, placeholder="YYYY-MM-DD", id=f"plan-date-{i}",
                                classes="short")  # fmt: skip
            yield Button("Save review", variant="primary", id="save")
        yield Footer()

    def on_mount(self) -> None:
        p = self.play
        self.sub_title = header_line(p.mode, p.rubric, "Review", p.scenario.title)
        self.query_one("#review-strengths", TextArea).focus()

    def responses(self) -> LearnerResponses:
        """The responses as typed."""
        review = Review(**{k: self.query_one(f"#review-{k}", TextArea).text for k, _ in PARTS})
        plan = []
        for i in range(PLAN_ROWS):
            activity = self.query_one(f"#plan-activity-{i}", Input).value.strip()
            if activity:
                plan.append(
                    PlanEntry(
                        activity,
                        self.query_one(f"#plan-criterion-{i}", Input).value.strip(),
                        self.query_one(f"#plan-date-{i}", Input).value.strip(),
                    )
                )
        return LearnerResponses(self.play.responses.cause_assessment, review, tuple(plan))

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Save the review and plan, then go back to the results."""
        if self.save_unsaved():
            self.app.pop_screen()

    def save_unsaved(self) -> bool:
        """Save the review and plan as typed; False (and why) if they cannot be saved yet."""
        responses = self.responses()
        bad = [e for e in responses.learning_plan if not e.complete]
        if bad:
            self.notify(
                "A plan row needs an activity, a criterion and a date like 2026-12-04.",
                severity="warning",
            )
            return False
        try:
            self.play.save_responses(responses)
        except STORE_ERRORS as exc:  # what was typed stays in the form, to save again
            self.roleplay.store_failed(exc)
            return False
        self.notify("Review saved.", timeout=3)
        return True

    def unsaved(self) -> bool:
        """True when the review or plan on screen differs from what is saved."""
        typed = self.responses()
        saved = self.play.responses
        return (typed.review or Review()) != (saved.review or Review()) or list(
            typed.learning_plan
        ) != [e for e in saved.learning_plan if e.activity.strip()]

    def action_cancel(self) -> None:
        """Back to the results; asks first when something typed is not saved."""
        self.leave_asking(self.app.pop_screen)
