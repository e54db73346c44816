"""Dialogs: resume or start again, the policy card, help."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from simulator.model import Scenario


class ResumeDialog(ModalScreen[str | None]):
    """Offers to resume an unfinished session or start the scenario again."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "answer('resume')", "Resume"),
        Binding("n", "answer('new')", "Start again"),
        Binding("escape", "answer('')", "Cancel"),
    ]

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                f"You have an unfinished session (number {self.session_id}) of this scenario."
            )
            with Horizontal(classes="buttons"):
                yield Button("Resume [r]", variant="primary", id="resume")
                yield Button("Start again [n]", id="new")
                yield Button("Cancel [Esc]", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#resume", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id if event.button.id != "cancel" else "")

    def action_answer(self, answer: str | None) -> None:
        self.dismiss(answer or None)


class PolicyCard(ModalScreen[None]):
    """The organisation's policies and what the learner may do without referring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,p,q", "dismiss_card", "Close"),
    ]

    def __init__(self, scenario: Scenario) -> None:
        super().__init__()
        self.scenario = scenario

    def compose(self) -> ComposeResult:
        org = self.scenario.context.organisation
        text = Text()
        text.append(f"{org.name or 'Your organisation'}\n\n", style="bold")
        if org.policies:
            text.append("Policies\n", style="bold underline")
            for policy in org.policies:
                text.append(f"• {policy.text}\n")
        if org.authority_own:
            text.append("\nYou may do this yourself\n", style="bold underline")
            for item in org.authority_own:
                text.append(f"• {item}\n")
        if org.refer_to:
            member = self.scenario.cast.get(org.refer_to)
            who = f"{member.name} ({member.role})" if member and member.role else org.refer_to
            text.append("\nAnything else: refer to ", style="bold")
            text.append(f"{who}\n")
        with VerticalScroll(classes="dialog card"):
            yield Static(text)
            yield Label("Esc or p closes this card.", classes="hint")

    def action_dismiss_card(self) -> None:
        self.dismiss(None)


HELP_KEYS = (
    ("Everywhere", [("?", "this help"), ("F2", "high-contrast colours on or off"),
                    ("Ctrl+Q", "quit (your session is saved)"), ("Tab / Shift+Tab", "move between fields")]),
    ("Scenario list", [("↑ ↓", "choose a scenario"), ("Enter", "play it (or resume)"),
                       ("f", "filters"), ("c", "clear filters"), ("Esc", "change learner")]),
    ("Conversation", [("1-9", "say that option"), ("↑ ↓ Enter", "choose an option"),
                      ("n", "write a note"), ("p", "policy and authority card"),
                      ("u", "undo your last reply (practice mode)"),
                      ("Esc", "leave; resume later from the list")]),
    ("Results", [("r", "write your review and learning plan"), ("Esc", "back to the list")]),
    ("Review", [("Ctrl+S", "save"), ("Esc", "back without saving")]),
)  # fmt: skip


class HelpScreen(ModalScreen[None]):
    """Every key, by screen."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "close", "Close")]

    def compose(self) -> ComposeResult:
        text = Text()
        for section, keys in HELP_KEYS:
            text.append(f"{section}\n", style="bold underline")
            for key, what in keys:
                text.append(f"  {key:<16}", style="bold")
                text.append(f"{what}\n")
            text.append("\n")
        text.append("Everything works from the keyboard; the mouse works too.")
        with VerticalScroll(classes="dialog card"):
            yield Static(text)

    def action_close(self) -> None:
        self.dismiss(None)
