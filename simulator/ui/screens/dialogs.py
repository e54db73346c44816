"""Dialogs: resume or start again, the policy card, help."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from simulator.model import Scenario
from simulator.ui.widgets.layout import bullets, hanging


class ResumeDialog(ModalScreen[str | None]):
    """Offers to resume an unfinished session or start the scenario again."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "answer('resume')", "Resume"),
        Binding("n", "answer('new')", "Start again"),
        Binding("escape", "answer('')", "Cancel"),
    ]

    HELP_SECTION = "Unfinished session"

    def __init__(self, session_id: int, title: str = "this scenario", replies: int = 0) -> None:
        super().__init__()
        self.session_id = session_id
        self.title = title
        self.replies = replies

    def compose(self) -> ComposeResult:
        so_far = f"{self.replies} {'reply' if self.replies == 1 else 'replies'} so far"
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "Unfinished session"
            yield Static(
                f"You have an unfinished session of {self.title} (session {self.session_id}, "
                f"{so_far}). Resume it where you left off, or start again?",
                id="resume-question",
                markup=False,
            )
            with Horizontal(classes="buttons"):
                yield Button("Resume (r)", variant="primary", id="resume")
                yield Button("Start again (n)", id="new")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#resume", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id if event.button.id != "cancel" else "")

    def action_answer(self, answer: str | None) -> None:
        self.dismiss(answer or None)


class UnsavedDialog(ModalScreen[str | None]):
    """Asks before typed text that is not saved would be lost: save, discard or stay.

    Dismissed with "save", "discard", or None to stay where the text is."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "answer('save')", "Save"),
        Binding("d", "answer('discard')", "Discard"),
        Binding("escape", "answer('')", "Stay"),
    ]

    HELP_SECTION = "Unsaved writing"

    def __init__(self, what: str, save_label: str = "Save", leaving: str = "leave") -> None:
        super().__init__()
        self.what = what
        self.save_label = save_label
        self.leaving = leaving

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "Not saved yet"
            yield Static(
                f"You have not saved {self.what}. Save it before you {self.leaving}, throw it "
                "away, or stay and carry on?",
                id="unsaved-question",
                markup=False,
            )
            with Horizontal(classes="buttons"):
                yield Button(f"{self.save_label} (s)", variant="primary", id="save")
                yield Button("Discard (d)", variant="error", id="discard")
                yield Button("Stay (Esc)", id="stay")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#save", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id if event.button.id != "stay" else "")

    def action_answer(self, answer: str | None) -> None:
        self.dismiss(answer or None)


class TextCard(ModalScreen[None]):
    """A card that shows one text in full, scrolling if it is long (feedback that did not fit)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f,q,enter", "close", "Close")]

    HELP_SECTION = "Policy card, help"

    def __init__(self, title: str, body: RenderableType) -> None:
        super().__init__()
        self.card_title = title
        self.body = body

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog card") as card:
            card.border_title = self.card_title
            yield Static(self.body)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)


class PolicyCard(ModalScreen[None]):
    """The organisation's policies and what the learner may do without referring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,p,q", "dismiss_card", "Close"),
    ]

    def __init__(self, scenario: Scenario) -> None:
        super().__init__()
        self.scenario = scenario

    HELP_SECTION = "Policy card, help"

    def compose(self) -> ComposeResult:
        org = self.scenario.context.organisation
        parts: list[RenderableType] = [Text(f"{org.name or 'Your organisation'}\n", style="bold")]
        if org.policies:
            parts += [
                Text("Policies", style="bold underline"),
                bullets(p.text for p in org.policies),
            ]
        if org.authority_own:
            parts += [
                Text("\nYou may do this yourself", style="bold underline"),
                bullets(org.authority_own),
            ]
        if org.refer_to:
            member = self.scenario.cast.get(org.refer_to)
            who = f"{member.name} ({member.role})" if member and member.role else org.refer_to
            parts.append(Text.assemble(("\nAnything else: refer to ", "bold"), who))
        with VerticalScroll(classes="dialog card") as card:
            card.border_title = "Policy card"
            yield Static(Group(*parts))
        yield Footer()

    def action_dismiss_card(self) -> None:
        self.dismiss(None)


HELP_KEYS = (
    ("Everywhere", [("? or F1", "this help (F1 while typing)"), ("F2", "high-contrast colours on or off"),
                    ("Ctrl+Q", "quit (your session is saved; asks about unsaved writing)"), ("Tab / Shift+Tab", "move between fields")]),
    ("Who is playing", [("Enter or Ctrl+S", "continue to the scenarios"), ("Ctrl+L", "join a lesson"), ("Esc", "quit")]),
    ("Joining a lesson", [("Enter", "find the lesson; pick the name typed"), ("Down", "to the names"), ("Esc", "back")]),
    ("Scenario list", [("↑ ↓", "choose a scenario"), ("Enter", "play it (or resume)"),
                       ("f", "filters"), ("c", "clear filters"), ("s", "my sessions"),
                       ("Esc", "change learner")]),
    ("My sessions", [("↑ ↓", "choose a session"),
                     ("Enter", "its results and review (or resume it)"),
                     ("Esc", "back to the list")]),
    ("Before the conversation", [("↑ ↓ Space", "choose the issue and tick boxes"),
                                 ("Tab", "next list, then the text boxes"),
                                 ("Ctrl+S", "start the conversation"),
                                 ("Esc", "back (asks first if you wrote)")]),
    ("Conversation", [("1-9", "say that option"), ("↑ ↓ Enter", "choose an option"),
                      ("n", "write a note (Esc closes it)"),
                      ("f", "all of the feedback on your last reply (practice)"),
                      ("Tab", "to the chat, to scroll it (↑ ↓ Home)"), ("p", "policy and authority card"),
                      ("u", "undo last reply (practice mode, even the one that ended it)"),
                      ("Enter", "at the end: on to your results"),
                      ("Esc", "leave; resume later from the list")]),
    ("Unfinished session", [("r", "resume it"), ("n", "start again"), ("Esc", "cancel")]),
    ("Unsaved writing", [("s", "save it, then go on"), ("d", "throw it away and go on"),
                         ("Esc", "stay and carry on writing")]),
    ("Policy card, help", [("Esc", "close (or p, f, ?)"), ("↑ ↓ PgUp PgDn", "scroll")]),
    ("Results", [("↑ ↓ PgUp PgDn", "scroll"), ("r", "write your review and plan"),
                 ("w", "save your feedback sheet as a file"),
                 ("Esc", "back to the list")]),
    ("Review", [("Ctrl+S", "save"), ("Esc", "back (asks first if you changed it)")]),
)  # fmt: skip


class HelpScreen(ModalScreen[None]):
    """Every key, by screen; the keys of the screen it was opened from come first."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, current: str | None = None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        sections = sorted(HELP_KEYS, key=lambda section: section[0] != self.current)
        blocks = []
        for name, keys in sections:
            title = f"{name} (this screen)" if name == self.current else name
            rows = [(Text(f"  {key}", style="bold"), Text(what)) for key, what in keys]
            blocks.append((len(keys) + 2, Group(Text(title, style="bold underline"),
                                                hanging(rows, 18), Text())))  # fmt: skip
        half = sum(size for size, _ in blocks) / 2
        left: list[RenderableType] = []
        right: list[RenderableType] = []
        used = 0
        for size, block in blocks:
            (left if used < half else right).append(block)
            used += size
        right.append(Text("Everything works from the keyboard; the mouse works too.", style="dim"))
        with VerticalScroll(classes="dialog card help") as card:
            card.border_title = "Help: every key"
            with Horizontal(id="help-columns"):
                yield Static(Group(*left), classes="help-column")
                yield Static(Group(*right), classes="help-column")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
