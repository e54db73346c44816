"""The simulator app. For now a scenario list: the conversation screen is its own piece of work."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.markup import escape
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from simulator.catalog import bundled_scenario_paths
from simulator.lint import check_scenario_file
from simulator.model import Scenario


def _load_bundled() -> list[Scenario]:
    found = []
    for path in bundled_scenario_paths():
        loaded, _ = check_scenario_file(path)
        if loaded.scenario is not None:
            found.append(loaded.scenario)
    return found


class RoleplayApp(App[None]):
    """Lists the bundled scenarios and previews the one under the cursor."""

    TITLE = "customer-roleplay"
    SUB_TITLE = "Practise handling challenging customers"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def __init__(self, scenario: str | None = None, store_path: Path | None = None) -> None:
        super().__init__()
        self.requested = scenario
        self.store_path = store_path
        self.scenarios = _load_bundled()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield OptionList(
                *[Option(s.title, id=s.id) for s in self.scenarios], id="scenario-list"
            )
            with VerticalScroll(id="preview"):
                yield Static(id="preview-text")
        yield Static(
            "Headless play works today: roleplay run SCENARIO --choose ID,ID,...  "
            "The interactive conversation screen is on its way.",
            id="notice",
        )
        yield Footer()

    def on_mount(self) -> None:
        if self.scenarios:
            self.query_one(OptionList).highlighted = 0

    @on(OptionList.OptionHighlighted)
    def show_preview(self, event: OptionList.OptionHighlighted) -> None:
        scenario = next(s for s in self.scenarios if s.id == event.option.id)
        c = scenario.context
        text = (
            f"[b]{escape(scenario.title)}[/b]\n\n{escape(scenario.summary)}\n\n"
            f"Issue: {c.issue.replace('_', ' ')}\nChannel: {c.channel.replace('_', ' ')}\n"
            f"Customer: {escape(c.customer.name)} ({', '.join(c.customer.indicators)})"
        )
        self.query_one("#preview-text", Static).update(text)
