"""The scenario browser: filter, preview, start or resume."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Select, Static

from simulator import spec
from simulator.scoring import coverable
from simulator.store import SessionRecord
from simulator.textsafe import visible
from simulator.ui.app import STORE_ERRORS, Choice
from simulator.ui.screens.base import cut, header_line
from simulator.ui.screens.dialogs import ResumeDialog
from simulator.ui.screens.rows import RowsScreen
from simulator.ui.widgets.layout import bullets, hanging


def words(value: str) -> str:
    """Turn an id such as ``face_to_face`` into words."""
    return value.replace("_", " ")


def came_to(record: SessionRecord) -> str:
    """What a finished session came to, in words: its grade, else its outcome.

    A session whose grade was ruled out by a serious error reads "No grade (serious error)", not
    "Not yet", as its results screen says.
    """
    if record.ruled_out:
        return "No grade (serious error)"
    return (record.grade or record.outcome or "finished").replace("_", " ").capitalize()


def short_title(title: str, limit: int = 30) -> str:
    """The part of a title before its colon, or the title cut to ``limit`` characters."""
    head = title.split(":", 1)[0].strip()
    return head if len(head) <= limit else head[: limit - 1] + "…"


class BrowserScreen(RowsScreen):
    """Lists the scenarios with filters and a preview of the one under the cursor."""

    HELP_SECTION = "Scenario list"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Play", priority=True),
        Binding("f", "focus_filters", "Filters"),
        Binding("c", "clear_filters", "Clear"),
        Binding("s", "my_sessions", "My sessions"),
        Binding("escape", "change_learner", "Change learner"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        # each filter offers only what some scenario in the list has: never a value that empties it
        contexts = [c.scenario.context for c in self.roleplay.scenarios]
        issues = {c.issue for c in contexts}
        channels = {c.channel for c in contexts}
        indicators = {i for c in contexts for i in c.customer.indicators}
        with Horizontal(id="filters"):
            if not self.concealing():  # a filter on the issue or the customer would give it away
                yield Select([(words(i), i) for i in spec.ISSUES if i in issues], prompt="Issue",
                             id="f-issue")  # fmt: skip
            yield Select([(words(c), c) for c in spec.CHANNELS if c in channels],
                         prompt="Channel", id="f-channel")  # fmt: skip
            if not self.concealing():
                yield Select([(words(i), i) for i in spec.INDICATORS if i in indicators],
                             prompt="Customer", id="f-indicator")  # fmt: skip
            rubric = self.roleplay.rubric
            criteria = list(rubric.session_criteria) if rubric else []
            yield Select([(f"{c.code} {cut(c.text, 44)}", c.code) for c in criteria],
                         prompt="Criterion", id="f-criterion")  # fmt: skip
        with Vertical(id="browser-body"):
            yield DataTable(id="scenario-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="preview"):
                yield Static(id="preview-text")
        yield Footer()

    def on_mount(self) -> None:
        learner = self.roleplay.learner
        rubric = self.roleplay.rubric
        who = learner.display if learner else "?"
        self.sub_title = header_line(self.roleplay.mode, rubric, who)
        table = self.query_one(DataTable)
        if self.shows_issues():
            table.add_columns("Scenario", "Issue", "Channel", "Level", "Last result")
        else:
            table.add_columns("Scenario", "Channel", "Level", "Last result")
        self.refresh_table()
        table.focus()

    def concealing(self) -> bool:
        """True when some scenario's cause assessment is judged, so its issue stays hidden."""
        return any(self.roleplay.assesses_cause(c.scenario) for c in self.roleplay.scenarios)

    def shows_issues(self) -> bool:
        """True when some scenario's issue may be shown (its cause assessment is not judged)."""
        return not all(self.roleplay.assesses_cause(c.scenario) for c in self.roleplay.scenarios)

    def on_screen_resume(self) -> None:
        self.refresh_table()

    # -- data ---------------------------------------------------------------------------------
    def latest(self, scenario_id: str) -> SessionRecord | None:
        """The learner's most recent session of a scenario (a summary)."""
        return self.latest_all().get(scenario_id)

    def latest_all(self) -> dict[str, SessionRecord]:
        """The learner's most recent session of each scenario, by scenario id: one query."""
        learner = self.roleplay.learner
        if learner is None:
            return {}
        return self.roleplay.store.latest_sessions(learner.id)

    def visible_choices(self) -> list[Choice]:
        """The scenarios that pass the filters."""
        out = []
        values = {
            key: select.value
            for key in ("issue", "channel", "indicator", "criterion")
            for select in self.query(f"#f-{key}").results(Select)
        }
        rubric = self.roleplay.rubric
        for choice in self.roleplay.scenarios:
            ctx = choice.scenario.context
            issue, indicator = values.get("issue"), values.get("indicator")
            if isinstance(issue, str) and ctx.issue != issue:
                continue
            if isinstance(values.get("channel"), str) and ctx.channel != values["channel"]:
                continue
            if isinstance(indicator, str) and indicator not in ctx.customer.indicators:
                continue
            wanted = values.get("criterion")
            if isinstance(wanted, str) and rubric is not None:
                criterion = rubric.criterion(wanted)
                if criterion is None or criterion.rule is None:
                    continue
                if not coverable(criterion.rule, choice.scenario):
                    continue
            out.append(choice)
        return out

    def refresh_table(self) -> None:
        """Fill the table from the scenarios that pass the filters, keeping the cursor on the
        scenario it was on (back from a conversation, the list is where the learner left it)."""
        table = self.query_one(DataTable)
        was = (
            table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if table.row_count
            else None
        )
        table.clear()
        with_issue = self.shows_issues()
        latest = self.latest_all()
        for choice in self.visible_choices():
            s = choice.scenario
            last = latest.get(s.id)
            if last is None:
                result = "Not tried"
            elif last.state == "in_progress":
                result = "In progress"
            else:
                result = came_to(last)
            cells: list[str | Text] = [Text(short_title(s.title))]
            if with_issue:
                hidden = self.roleplay.assesses_cause(s)
                cells.append("you assess it" if hidden else words(s.context.issue))
            cells += [words(s.context.channel), str(s.difficulty or "-"), result]
            # a cell is literal text, never markup: a stored grade can come from an import
            table.add_row(
                *(c if isinstance(c, Text) else Text(visible(c)) for c in cells), key=s.id
            )
        if was is not None and was in table.rows:
            table.move_cursor(row=table.get_row_index(was))
        if table.row_count:
            self.show_preview(
                str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
            )
        else:
            self.query_one("#preview-text", Static).update(
                "No scenario matches these filters (c clears them)."
            )

    def choice(self, scenario_id: str) -> Choice | None:
        """Find a loaded scenario by id."""
        return next((c for c in self.roleplay.scenarios if c.scenario.id == scenario_id), None)

    def show_preview(self, scenario_id: str) -> None:
        """Show the summary, customer, policies and authority of a scenario."""
        choice = self.choice(scenario_id)
        if choice is None:
            return
        s = choice.scenario
        c = s.context
        hidden = self.roleplay.assesses_cause(s)
        text = Text()
        # the part of a title after its colon often names the customer ("an angry customer")
        text.append((short_title(s.title, limit=80) if hidden else s.title) + "\n", style="bold")
        text.append(s.summary + "\n\n")
        text.append("Channel: ", style="bold")
        text.append(words(c.channel))
        if s.difficulty:
            text.append("  Level: ", style="bold")
            text.append(str(s.difficulty))
        text.append("\n")
        if hidden:
            text.append(
                "You will assess the issue yourself: what the problem is and what makes this "
                "customer challenging. Both are shown after the session.\n",
                style="italic",
            )
        text.append("Customer: ", style="bold")
        text.append(f"{c.customer.name or s.speaker_name('customer')}")
        if c.customer.indicators and not hidden:
            text.append(f" ({', '.join(words(i) for i in c.customer.indicators)})")
        text.append("\n")
        org = c.organisation
        if org.name:
            text.append("You work for: ", style="bold")
            text.append(org.name + "\n")
        text.rstrip()
        parts: list[RenderableType] = [text]
        rubric = self.roleplay.rubric
        if rubric is not None:
            can = [
                cr for cr in rubric.session_criteria
                if cr.rule is not None and coverable(cr.rule, s)
            ]  # fmt: skip
            parts.append(Text("\nCan evidence (the criteria this conversation can show):",
                              style="bold"))  # fmt: skip
            if can:
                parts.append(hanging([(Text(f" {cr.code}", style="bold"), Text(cut(cr.text, 120)))
                                      for cr in can], 5))  # fmt: skip
            else:
                parts.append(Text(" none of this rubric's session criteria"))
        if org.authority_own:
            parts += [Text("\nYou may:", style="bold"), bullets(org.authority_own, indent=1)]
        if org.refer_to:
            member = s.cast.get(org.refer_to)
            parts.append(Text.assemble(
                ("Otherwise refer to: ", "bold"),
                f"{member.name}, {member.role}" if member else org.refer_to,
            ))  # fmt: skip
        if org.policies:
            parts += [
                Text("\nPolicies:", style="bold"),
                bullets((policy.text for policy in org.policies), indent=1),
            ]
        self.query_one("#preview-text", Static).update(Group(*parts))

    # -- events -------------------------------------------------------------------------------
    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.show_preview(str(event.row_key.value))

    @on(Select.Changed)
    def filter_changed(self) -> None:
        self.refresh_table()

    def open_row(self, key: str) -> None:
        self.open_scenario(key)

    def action_focus_filters(self) -> None:
        self.query(Select).first().focus()

    def action_clear_filters(self) -> None:
        for select in self.query(Select):
            select.clear()
        self.query_one(DataTable).focus()

    def action_my_sessions(self) -> None:
        from simulator.ui.screens.sessions import SessionsScreen

        self.app.push_screen(SessionsScreen())

    def action_change_learner(self) -> None:
        if self.roleplay.served:  # in a browser: sign out, then the join code again
            self.roleplay.back_to_start()
            return
        from simulator.ui.screens.start import StartScreen

        self.app.switch_screen(StartScreen())

    def open_scenario(self, scenario_id: str) -> None:
        """Resume an unfinished session of the scenario, or start a new one."""
        choice = self.choice(scenario_id)
        if choice is None:
            return
        try:
            last = self.latest(scenario_id)
            record = None
            if last is not None and last.state == "in_progress":
                record = self.roleplay.store.session(last.id)
        except STORE_ERRORS as exc:
            self.roleplay.store_failed(exc)
            return
        if last is not None and last.state == "in_progress":
            replies = len(record.choices) if record is not None else 0
            self.app.push_screen(
                ResumeDialog(last.id, short_title(choice.scenario.title), replies),
                lambda answer: self.after_resume(choice, last.id, answer),
            )
        else:
            self.start_new(choice)

    def after_resume(self, choice: Choice, session_id: int, answer: str | None) -> None:
        if answer == "resume":
            from simulator.ui.screens.conversation import ConversationScreen

            try:
                record = self.roleplay.store.session(session_id)
            except STORE_ERRORS as exc:
                self.roleplay.store_failed(exc)
                return
            screen = None
            if record is not None:
                screen = ConversationScreen.resuming(self.roleplay, record, choice.scenario)
            if screen is not None:
                self.app.push_screen(screen)
        elif answer == "new":
            try:  # kept for the record, no longer resumable
                self.roleplay.store.abandon(session_id)
            except STORE_ERRORS as exc:
                self.roleplay.store_failed(exc)
                return
            self.start_new(choice)

    def start_new(self, choice: Choice) -> None:
        """Ask the cause-assessment questions, then start the conversation."""
        from simulator.ui.screens.cause import CauseScreen

        self.app.push_screen(CauseScreen(choice.scenario))
