"""The end of a session: outcome, mood, grade, every criterion with the learner's own lines."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from simulator.playthrough import Playthrough
from simulator.scoring import SessionResult
from simulator.ui.screens.base import AppScreen
from simulator.ui.widgets.layout import hanging

STATUS_MARKS = {
    "achieved": ("✓ achieved", "green"),
    "not_yet": ("✗ not yet", "red"),
    "not_covered": ("– not in this scenario", "dim"),
    "needs_tutor": ("… for your tutor", "yellow"),
}
OUTCOMES = {
    "resolved": "Resolved",
    "escalated": "Escalated",
    "unresolved": "Unresolved",
    "customer_lost": "Customer lost",
}


class ResultsScreen(AppScreen):
    """Shows how the session went against the rubric, and the path with better options."""

    HELP_SECTION = "Results"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "review", "Write review"),
        Binding("escape", "done", "Back to the list"),
    ]

    def __init__(self, play: Playthrough) -> None:
        super().__init__()
        self.play = play

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="results"):
            yield Static(id="summary")
            yield Static(id="criteria")
            yield Static(id="recap")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Results · session {self.play.session_id} · {self.play.scenario.title}"
        self.refresh_results()
        self.query_one("#results").focus()

    def on_screen_resume(self) -> None:
        self.refresh_results()

    def refresh_results(self) -> None:
        """Score the session and show everything."""
        result = self.play.result()
        self.query_one("#summary", Static).update(self.summary(result))
        self.query_one("#criteria", Static).update(self.criteria(result))
        self.query_one("#recap", Static).update(self.recap())

    def summary(self, result: SessionResult | None) -> Text:
        p = self.play
        s = p.session
        text = Text()
        text.append("Practice feedback, not an assessment decision\n\n", style="dim")
        outcome = OUTCOMES.get(s.outcome or "", "Not finished")
        text.append("Outcome: ", style="bold")
        text.append(outcome + "\n")
        for var in p.scenario.variables.values():
            if var.meter:
                text.append(f"Final {var.display_name.lower()}: ", style="bold")
                text.append(str(s.variables[var.name]))
                if var.min is not None and var.max is not None:  # as the feedback sheet says it
                    text.append(f" (on a scale of {var.min} to {var.max})", style="dim")
                text.append("\n")
        if result is None:
            text.append("\nNo rubric chosen, so no criteria were judged.\n")
            return text
        g = result.grade
        text.append("Session grade: ", style="bold")
        text.append(g.label, style="bold green" if g.value != "not_yet" else "bold red")
        text.append(f"  (judged on {', '.join(g.over)})\n")
        if g.not_covered:
            text.append(f"This scenario cannot show {', '.join(g.not_covered)}", style="dim")
            text.append(
                f"; the best it allows is {g.ceiling}.\n" if g.ceiling else ".\n", style="dim"
            )
        if self.play.rubric is not None:  # every verdict at a glance; the reasons follow
            text.append("\n")
            for status, (label, style) in STATUS_MARKS.items():
                codes = [
                    c.code for c in self.play.rubric.criteria
                    if result.criteria[c.code].status == status
                ]  # fmt: skip
                if codes:
                    text.append(f"{label[0]} {label[2:].capitalize()}: ", style=f"bold {style}")
                    text.append(" ".join(codes) + "\n")
            text.append("Why, criterion by criterion, is below (↓ or PgDn to scroll).", style="dim")
        return text

    def criteria(self, result: SessionResult | None) -> RenderableType:
        if result is None or self.play.rubric is None:
            return Text()
        parts: list[RenderableType] = [Text("\nCriteria", style="bold underline")]
        for criterion in self.play.rubric.criteria:
            verdict = result.criteria[criterion.code]
            label, style = STATUS_MARKS[verdict.status]
            head = Text()
            head.append(label, style=style)
            head.append(f"  {criterion.text}", style="dim")
            rows: list[tuple[RenderableType, RenderableType]] = [
                (Text(criterion.code, style="bold"), head)
            ]
            if verdict.detail:
                rows.append(("", Text(verdict.detail)))
            lines: list[tuple[RenderableType, RenderableType]] = []
            seen = set()
            for e in verdict.evidence:
                if (e.turn, e.line) not in seen:  # one line can show two behaviours
                    seen.add((e.turn, e.line))
                    lines.append(
                        (Text(f"turn {e.turn}:", style="dim"), Text(f"“{e.line}”", style="italic"))
                    )
            for e in verdict.concerns:
                lines.append(
                    (
                        Text(f"turn {e.turn}:", style="red"),
                        Text.assemble(
                            (f"but {e.behaviour.replace('_', ' ')}: ", "red"),
                            (f"“{e.line}”", "italic"),
                        ),
                    )
                )
            if lines:
                width = max(len(marker) for marker, _ in lines if isinstance(marker, Text)) + 1
                rows.append(("", hanging(lines, width)))
            if verdict.feedback:
                rows.append(("", Text(verdict.feedback, style="cyan")))
            parts += [Text(), hanging(rows, 4)]
        return Group(*parts)

    def recap(self) -> RenderableType:
        rows: list[tuple[RenderableType, RenderableType]] = []
        for item in self.play.recap():
            rows.append((Text(f"{item.turn:>3}.", style="bold"), Text(item.chosen.say)))
            if self.play.practice and item.stronger is not None:
                stronger = hanging(
                    [(Text("Stronger:", style="green"), Text(item.stronger.say, style="italic"))],
                    10,
                )
                rows.append(("", stronger))
        return Group(
            Text("\nYour route", style="bold underline"),
            hanging(rows, 5),
            Text("\nPress r to write your review and learning plan; Esc to go back to the list."),
        )

    def action_review(self) -> None:
        from simulator.ui.screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen(self.play))

    def action_done(self) -> None:
        self.app.pop_screen()
