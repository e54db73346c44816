"""The end of a session: outcome, grade, serious errors first, every criterion with the lines the
learner chose, and the situation that was kept back before the session."""

from __future__ import annotations

import datetime
import re
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from simulator.decisions import TutorDecision
from simulator.lint import bundled_behaviours
from simulator.playthrough import Playthrough
from simulator.scoring import SessionResult, Verdict
from simulator.scoring.session import IN_PROGRESS
from simulator.store import MODE_HEADINGS
from simulator.ui.app import STORE_ERRORS
from simulator.ui.screens.base import AppScreen, header_line
from simulator.ui.screens.browser import short_title
from simulator.ui.screens.review import notes_block
from simulator.ui.widgets.layout import hanging

STATUS_MARKS = {
    "achieved": ("✓ achieved", "green"),
    "not_yet": ("✗ not yet", "red"),
    "not_covered": ("– not in this scenario", "dim"),
    "needs_tutor": ("… for your tutor", "yellow"),
}
INDICATOR_WORDS = {"specialist_equipment": "in need of specialist equipment or access arrangements"}
"""How an indicator reads after "this customer was", where its id alone does not."""
OUTCOMES = {
    "resolved": "Resolved",
    "escalated": "Escalated",
    "unresolved": "Unresolved",
    "customer_lost": "Customer lost",
}


def words(value: str) -> str:
    """Turn an id such as ``lack_of_understanding`` into words."""
    return value.replace("_", " ")


def behaviour_label(behaviour: str) -> str:
    """How a behaviour reads to a learner ("Breaches data protection")."""
    known = bundled_behaviours().get(behaviour)
    return known.label if known is not None else words(behaviour).capitalize()


def day(at: str) -> str:
    """An ISO time as a UK date ("4 December 2026"); the text itself if it is not one."""
    try:
        when = datetime.datetime.fromisoformat(at)
    except ValueError:
        return at
    return f"{when.day} {when:%B %Y}"


def quoted(line: str) -> Text:
    """A line the learner chose, in quotes."""
    return Text(f"“{line}”", style="italic")


class ResultsScreen(AppScreen):
    """Shows how the session went against the rubric, and the path with better options."""

    HELP_SECTION = "Results"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "review", "Write review"),
        Binding("w", "save_sheet", "Save sheet"),
        Binding("escape", "done", "Back to the list"),
    ]

    def __init__(self, play: Playthrough) -> None:
        super().__init__()
        self.play = play

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="results"):
            yield Static(id="summary")
            yield Static(id="critical")
            yield Static(id="glance")
            yield Static(id="situation")
            yield Static(id="criteria")
            yield Static(id="recap")
            yield Static(id="results-notes")
        yield Footer()

    def on_mount(self) -> None:
        p = self.play
        self.sub_title = header_line(
            p.mode, p.rubric, f"Results, session {p.session_id}", p.scenario.title
        )
        self.refresh_results()
        self.query_one("#results").focus()

    def on_screen_resume(self) -> None:
        self.refresh_results()

    def refresh_results(self) -> None:
        """Score the session and show everything."""
        try:
            result = self.play.result()
        except STORE_ERRORS as exc:  # shown all the same; saved when the store lets it be
            result = self.play.result(save=False)
            self.roleplay.store_failed(exc)
        critical = self.query_one("#critical", Static)
        critical.update(self.critical(result))
        critical.display = bool(result is not None and result.critical)
        self.query_one("#summary", Static).update(self.summary(result))
        self.query_one("#glance", Static).update(self.glance(result))
        self.query_one("#situation", Static).update(self.situation())
        self.query_one("#criteria", Static).update(self.criteria(result))
        self.query_one("#recap", Static).update(self.recap())
        notes = self.query_one("#results-notes", Static)
        notes.display = bool(self.play.notes)
        if self.play.notes:
            notes.update(Group(Text(), notes_block(self.play.notes)))

    def summary(self, result: SessionResult | None) -> Text:
        p = self.play
        s = p.session
        text = Text()
        text.append(MODE_HEADINGS.get(p.mode, "Practice"), style="bold")
        text.append(": feedback, not an assessment decision\n\n", style="dim")
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
            text.append("\nNo rubric chosen, so no criteria were judged.")
            return text
        g = result.grade
        text.append("Session grade: ", style="bold")
        if g.value == IN_PROGRESS:
            text.append(g.label, style="bold yellow")
            text.append(
                "  (the conversation did not reach an ending, so there is no grade)", style="dim"
            )
            return text
        if g.ruled_out_by:
            text.append("No grade", style="bold red")
            text.append(" because a serious error was not put right.\n")
            several = len(g.ruled_out_by) > 1
            text.append(
                "Whatever else a session shows, a serious error that is not put right rules out "
                "every grade. "
                + ("The errors, with the lines you chose, are" if several
                   else "The error, with the line you chose, is")
                + " just below.",
                style="dim",
            )  # fmt: skip
            return text
        text.append(g.label, style="bold green" if g.value != "not_yet" else "bold red")
        text.append(f"  (judged on {', '.join(g.over)})")
        if g.not_covered:
            text.append(f"\nThis scenario cannot show {', '.join(g.not_covered)}", style="dim")
            if g.ceiling == "not_yet":
                ceiling = ", so it cannot earn a grade on its own."
            elif g.ceiling:
                ceiling = f"; the best it allows is {self.grade_name(g.ceiling)}."
            else:
                ceiling = "."
            text.append(ceiling, style="dim")
        return text

    def grade_name(self, value: str) -> str:
        """How a grade value reads: its band's label ("Merit"), else the value in words."""
        rubric = self.play.rubric
        bands = rubric.bands if rubric is not None else ()
        return next((b.label for b in bands if b.id == value), words(value).capitalize())

    def critical(self, result: SessionResult | None) -> RenderableType:
        """Every serious error, first: the line, the turn, and whether it was put right."""
        if result is None or not result.critical:
            return Text()
        rows: list[tuple[RenderableType, RenderableType]] = []
        for error in result.critical:
            head = Text(behaviour_label(error.behaviour), style="bold")
            fixed = error.corrected_by
            if fixed is None:
                mark = Text("✗", style="bold red")
                head.append(": not put right", style="red")
            else:
                mark = Text("✓", style="bold green")
                head.append(f": put right at turn {fixed.turn}", style="green")
            rows.append((mark, head))
            lines = [
                (Text(f"turn {error.evidence.turn}:", style="red"), quoted(error.evidence.line))
            ]
            if fixed is not None:
                lines.append((
                    Text(f"turn {fixed.turn}:", style="green"),
                    Text.assemble(("put right: ", "green"), quoted(fixed.line)),
                ))  # fmt: skip
            width = max(len(marker.plain) for marker, _ in lines) + 1
            rows.append(("", hanging(lines, width)))
        return Group(
            Text(self._critical_title(result), style="bold underline red"),
            hanging(rows, 2),
        )

    @staticmethod
    def _critical_title(result: SessionResult) -> str:
        open_count = len(result.open_errors)
        count = len(result.critical)
        title = f"\nSerious error{'s' if count > 1 else ''}"
        if open_count:
            title += f" ({open_count} not put right)"
        return title

    def glance(self, result: SessionResult | None) -> Text:
        """Every verdict at a glance, those the session grade is judged on first, then those
        that come from what the learner writes (so a grade above a row of "not yet" reads
        true); the reasons follow."""
        text = Text()
        rubric = self.play.rubric
        if result is None or rubric is None:
            return text
        graded = set(result.grade.over)
        groups = [
            ("", [c for c in rubric.criteria if not graded or c.code in graded]),
            ("From what you write (not in the session grade)",
             [c for c in rubric.criteria if graded and c.code not in graded]),
        ]  # fmt: skip
        text.append("\n")
        for heading, criteria in groups:
            if not criteria:
                continue
            if heading:
                text.append(heading + "\n", style="bold")
            for status, (label, style) in STATUS_MARKS.items():
                codes = [c.code for c in criteria if result.criteria[c.code].status == status]
                if codes:
                    text.append(f"{label[0]} {label[2:].capitalize()}: ", style=f"bold {style}")
                    text.append(" ".join(codes) + "\n")
        text.append("Why, criterion by criterion, is below (↓ or PgDn to scroll).", style="dim")
        return text

    def situation(self) -> RenderableType:
        """The issue and the customer (kept back before the session), and the learner's own
        assessment of them."""
        p = self.play
        ctx = p.scenario.context
        text = Text()
        if p.session.finished:
            text.append("\nThe situation\n", style="bold underline")
            text.append(f"The issue was {words(ctx.issue)}")
            customer = ctx.customer
            if customer.indicators:
                signs = [INDICATOR_WORDS.get(i, words(i)) for i in customer.indicators]
                text.append(f"; this customer was {', '.join(signs)}")
            if customer.characteristics:
                text.append(
                    f" (characteristics: {', '.join(words(c) for c in customer.characteristics)})"
                )
            text.append(".\n")
        cause = p.responses.cause_assessment
        if cause is None:
            text.rstrip()
            return text
        chose = words(cause.issue or "no issue")
        traits = [words(t) for t in (*cause.indicators, *cause.characteristics)]
        if traits:
            chose += "; " + ", ".join(traits)
        rows: list[tuple[RenderableType, RenderableType]] = [
            (Text("You chose:", style="bold"), Text(chose))
        ]
        for label, written in (
            ("The issue:", cause.issue_words),
            ("Challenging:", cause.challenge_words),
        ):
            rows.append((Text(label, style="bold"), Text(written.strip() or "(not written)")))
        if p.session.finished:
            text.append("\nYour assessment", style="bold")
        else:
            text.append("\nYour assessment of the situation", style="bold underline")
        return Group(text, hanging(rows, 14))

    def criteria(self, result: SessionResult | None) -> RenderableType:
        if result is None or self.play.rubric is None:
            return Text()
        parts: list[RenderableType] = [Text("\nCriteria", style="bold underline")]
        for criterion in self.play.rubric.criteria:
            verdict = result.criteria[criterion.code]
            label, style = STATUS_MARKS[verdict.status]
            head = Text()
            head.append(label, style=style)
            if verdict.decision is not None:
                head.append(" (your tutor's decision)", style=style)
            head.append(f"  {criterion.text}", style="dim")
            rows: list[tuple[RenderableType, RenderableType]] = [
                (Text(criterion.code, style="bold"), head)
            ]
            if verdict.decision is not None:
                rows.append(("", self.decision(verdict.decision)))
            elif verdict.detail:
                rows.append(("", Text(verdict.detail)))
            lines = self.choices(verdict)
            if lines:
                width = max(len(marker.plain) for marker, _ in lines) + 1
                rows.append(("", Text("Your choices:", style="bold")))
                rows.append(("", hanging(lines, width)))
            if verdict.feedback:
                rows.append(("", Text(verdict.feedback, style="cyan")))
            parts += [Text(), hanging(rows, 4)]
        return Group(*parts)

    @staticmethod
    def decision(d: TutorDecision) -> Text:
        """A tutor's decision as the learner reads it: what, who, when and why."""
        text = Text.assemble(
            ("Your tutor's decision: ", "bold yellow"),
            (words(d.verdict), "bold"),
            f", by {d.by} on {day(d.at)}",
        )
        if d.note:
            text.append(": ")
            text.append(f"“{d.note}”", style="italic")
        return text

    @staticmethod
    def choices(verdict: Verdict) -> list[tuple[Text, Text]]:
        """The lines the learner chose that count for a verdict, then those that count against."""
        lines: list[tuple[Text, Text]] = []
        seen = set()
        for e in verdict.evidence:
            if (e.turn, e.line) not in seen:  # one line can show two behaviours
                seen.add((e.turn, e.line))
                lines.append((Text(f"turn {e.turn}:", style="dim"), quoted(e.line)))
        for e in verdict.concerns:
            lines.append((
                Text(f"turn {e.turn}:", style="red"),
                Text.assemble((f"✗ {behaviour_label(e.behaviour)}: ", "red"), quoted(e.line)),
            ))  # fmt: skip
        return lines

    def recap(self) -> RenderableType:
        """Every reply with its feedback and, where there was one, the stronger reply: the
        debrief (in assessment mode, the first feedback the learner sees)."""
        rows: list[tuple[RenderableType, RenderableType]] = []
        for item in self.play.recap():
            rows.append((Text(f"{item.turn:>3}.", style="bold"), quoted(item.chosen.say)))
            details: list[tuple[RenderableType, RenderableType]] = []
            if item.chosen.feedback:
                details.append((Text("Feedback:", style="cyan"), Text(item.chosen.feedback)))
            if item.stronger is not None:
                details.append(
                    (Text("Stronger:", style="green"), Text(item.stronger.say, style="italic"))
                )
            if details:
                rows.append(("", hanging(details, 10)))
        return Group(
            Text("\nYour route, reply by reply", style="bold underline"),
            hanging(rows, 5),
            Text(
                "\nPress r to write your review and learning plan, w to save this feedback "
                "as a file; Esc to go back to the list."
            ),
        )

    def action_review(self) -> None:
        from simulator.ui.screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen(self.play))

    def action_save_sheet(self) -> None:
        """Write the learner's own feedback sheet (HTML and Markdown) to a file, and say where."""
        from simulator import report  # the templates load only when a sheet is saved

        app = self.roleplay
        p = self.play
        try:
            record = app.store.session(p.session_id)
        except STORE_ERRORS as exc:
            app.store_failed(exc)
            return
        if record is None:
            return
        extra = [c.path for c in app.scenarios if c.scenario.id == p.scenario.id]
        folder = app.sheets_folder
        title = re.sub(r"[^a-z0-9]+", "-", short_title(p.scenario.title, 40).lower()).strip("-")
        stem = f"session-{p.session_id}-{title or p.scenario.id}"
        try:
            view, _ = report.sheet_view(record, report.Library(extra, app.store))
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{stem}.html").write_text(report.render("sheet.html", view), "utf-8")
            (folder / f"{stem}.md").write_text(report.render("sheet.md", view), "utf-8")
        except (OSError, report.ReportError) as exc:
            self.notify(f"The sheet could not be saved: {exc}", severity="error", timeout=10)
            return
        self.notify(
            f"Your feedback sheet is saved: {folder / stem}.html (open it in a browser to read "
            "or print it) and a Markdown copy, .md, beside it.",
            timeout=8,
        )

    def action_done(self) -> None:
        self.app.pop_screen()
