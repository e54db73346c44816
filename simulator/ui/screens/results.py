"""The end of a session: outcome, mood, grade, every criterion with the learner's own lines."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from simulator.playthrough import Playthrough
from simulator.scoring import SessionResult
from simulator.ui.screens.base import AppScreen

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

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "review", "Write review"),
        Binding("escape", "done", "Back to scenarios"),
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
        self.sub_title = f"{self.play.scenario.title} · results"
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
                text.append(f"{s.variables[var.name]}\n")
        if result is None:
            text.append("\nNo rubric chosen, so no criteria were judged.\n")
            return text
        g = result.grade
        text.append("Session grade: ", style="bold")
        text.append(g.label, style="bold green" if g.value != "not_yet" else "bold red")
        text.append(f"  (over {', '.join(g.over)})\n")
        if g.not_covered:
            text.append(f"This scenario cannot show {', '.join(g.not_covered)}", style="dim")
            text.append(
                f"; the best it allows is {g.ceiling}.\n" if g.ceiling else ".\n", style="dim"
            )
        return text

    def criteria(self, result: SessionResult | None) -> Text:
        text = Text()
        if result is None or self.play.rubric is None:
            return text
        text.append("\nCriteria\n", style="bold underline")
        for criterion in self.play.rubric.criteria:
            verdict = result.criteria[criterion.code]
            label, style = STATUS_MARKS[verdict.status]
            text.append(f"\n{criterion.code:<4}", style="bold")
            text.append(f"{label}", style=style)
            text.append(f"  {criterion.text}\n", style="dim")
            if verdict.detail:
                text.append(f"     {verdict.detail}\n")
            for e in verdict.evidence:
                text.append(f"     turn {e.turn}: ", style="dim")
                text.append(f"“{e.line}”\n", style="italic")
            for e in verdict.concerns:
                text.append(
                    f"     but turn {e.turn} ({e.behaviour.replace('_', ' ')}): ", style="red"
                )
                text.append(f"“{e.line}”\n", style="italic")
            if verdict.feedback:
                text.append(f"     {verdict.feedback}\n", style="cyan")
        return text

    def recap(self) -> Text:
        text = Text()
        text.append("\nYour route\n", style="bold underline")
        for item in self.play.recap():
            text.append(f"{item.turn:>3}. ", style="bold")
            text.append(f"{item.chosen.say}\n")
            if self.play.practice and item.stronger is not None:
                text.append("     Stronger: ", style="green")
                text.append(f"{item.stronger.say}\n", style="italic")
        text.append("\nPress r to write your review and learning plan; Esc to go back to the list.")
        return text

    def action_review(self) -> None:
        from simulator.ui.screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen(self.play))

    def action_done(self) -> None:
        self.app.pop_screen()
