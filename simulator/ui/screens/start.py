"""Who is playing, with which qualification, in which mode.

On a shared computer the last learner is offered, never signed in: "Continue as NAME" or
"Someone else", so the next person does not play (or read reviews) as the one before."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, Input, Label, RadioSet, Select, Static

from simulator.store import StoreError
from simulator.ui.screens.base import AppScreen, cut, unit_name
from simulator.ui.widgets.toggles import MarkedRadioButton

if TYPE_CHECKING:
    from simulator.model import Rubric

NAME_SHOWN = 24
"""Characters of the last learner's name shown on the "Continue as" button (with "Someone
else" beside it, both fit at 80 columns)."""


def rubric_label(rubric: Rubric) -> str:
    """How a qualification reads in the list: awarding body and qualification, unit, then the
    unit's title ("OCR Cambridge Technicals Level 2 Customer Service, Unit 7: Handling ...")."""
    qualification = re.sub(r"\s*\([^)]*\)", "", rubric.qualification).strip()
    named = ", ".join(part for part in (qualification, unit_name(rubric)) if part)
    return f"{named}: {rubric.title}" if named else rubric.title


class StartScreen(AppScreen):
    """Asks who is playing, the rubric and the mode."""

    HELP_SECTION = "Who is playing"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", "Continue"),
        Binding("ctrl+l", "join_lesson", "Join a lesson"),
        Binding("escape", "app.quit", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.remembered = bool(str(self.roleplay.prefs.get("name") or "").strip())
        """True while the last learner is offered ("Continue as"), until "Someone else"."""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="start-form"):
            yield Label("Who is playing?", classes="form-title")
            with Vertical(id="who"):
                if self.remembered:
                    yield from self.last_learner()
                else:
                    yield from self.identity_fields()
            # the qualification and mode: mounted just after the first frame, see on_mount
            yield Vertical(Static("Loading the qualifications…", classes="hint"), id="settings")
            # in a lesson, learners pick themselves from the roster instead (screens/lesson.py)
            yield Button("Join a lesson with a code (Ctrl+L)", id="join-lesson")
        yield Footer()

    def last_learner(self) -> ComposeResult:
        """The last learner, offered (not signed in): continue as them, or someone else."""
        prefs = self.roleplay.prefs
        who = Text(f"Continue as {cut(str(prefs.get('name', '')).strip(), NAME_SHOWN)}")
        extra = " · ".join(str(prefs.get(k) or "").strip() for k in ("learner_ref", "group"))
        if extra.strip(" ·"):
            who.append(f" ({cut(extra.strip(' ·'), 14)})")
        with Horizontal(classes="buttons", id="who-buttons"):
            yield Button(who, variant="primary", id="continue-as")
            yield Button("Someone else", id="someone-else")
        yield Static(
            "Not you? Choose Someone else: each learner's sessions and reviews open only for them.",
            classes="hint",
        )

    @staticmethod
    def identity_fields() -> list[Widget]:
        """Empty boxes for a learner's name, id and group."""
        return [
            Input(placeholder="Your name, e.g. Amy Khan", id="name"),
            Horizontal(
                Input(placeholder="Learner id (optional)", id="learner-ref"),
                Input(placeholder="Class or group (optional)", id="group"),
                classes="pair",
            ),
        ]

    def on_mount(self) -> None:
        first: Widget = self.query_one("#continue-as" if self.remembered else "#name")
        first.focus()
        self.call_after_refresh(self.show_rubrics)

    @on(Button.Pressed, "#someone-else")
    def someone_else(self) -> None:
        """Replace the last learner's button with empty boxes for the one now at the keyboard."""
        self.remembered = False
        for practice in self.query("#practice").results(MarkedRadioButton):
            practice.value = True  # the last learner's mode is theirs: a new one starts in practice
        for go in self.query("#continue").results(Button):
            go.display = True
        who = self.query_one("#who")
        who.remove_children()
        who.mount_all(self.identity_fields())
        self.call_after_refresh(lambda: self.query_one("#name", Input).focus())

    def show_rubrics(self) -> Select[str]:
        """Load the rubrics (once the form is on screen, so it appears at once) and list them,
        with the mode and the Continue button."""
        for shown in self.query("#rubric").results(Select):
            return shown
        prefs = self.roleplay.prefs
        rubrics = [(rubric_label(r), r.id) for r in self.roleplay.rubrics]
        default = prefs.get("rubric", "ocr-l2-unit7")
        select: Select[str] = Select(
            rubrics,
            value=default if any(rid == default for _, rid in rubrics) else Select.NULL,
            allow_blank=not rubrics,
            id="rubric",
        )
        mode = RadioSet(
            MarkedRadioButton(
                "Practice: feedback after each reply, undo allowed",
                value=prefs.get("mode", "practice") != "assessment",
                id="practice",
            ),
            MarkedRadioButton(
                "Assessment practice: no feedback until the end, no undo",
                value=prefs.get("mode") == "assessment",
                id="assessment",
            ),
            id="mode",
        )
        go = Button("Continue", variant="primary", id="continue")
        go.display = not self.remembered  # "Continue as" is the button while a learner is offered
        slot = self.query_one("#settings")
        slot.remove_children()
        slot.mount_all([Label("Qualification"), select, Label("Mode"), mode, go])
        self.call_after_refresh(lambda: self.roleplay.scenarios)  # the browser's list, next
        return select

    @on(Button.Pressed, "#join-lesson")
    def action_join_lesson(self) -> None:
        """Join a lesson: its code, then one's own name from its roster."""
        from simulator.ui.screens.lesson import JoinScreen

        self.app.switch_screen(JoinScreen())

    @on(Input.Submitted)
    @on(Button.Pressed, "#continue, #continue-as")
    def action_start(self) -> None:
        """Sign the learner in and open the scenario browser."""
        prefs = self.roleplay.prefs
        if self.remembered:
            name = str(prefs.get("name") or "").strip()
            ref = str(prefs.get("learner_ref") or "").strip() or None
            group = str(prefs.get("group") or "").strip() or None
        else:
            name = self.query_one("#name", Input).value.strip()
            if not name:
                self.notify("Type your name first.", severity="warning")
                self.query_one("#name", Input).focus()
                return
            ref = self.query_one("#learner-ref", Input).value.strip() or None
            group = self.query_one("#group", Input).value.strip() or None
        rubric_value = self.show_rubrics().value
        rubric_id = rubric_value if isinstance(rubric_value, str) else None
        pressed = self.query_one("#mode", RadioSet).pressed_button
        mode = pressed.id if pressed is not None and pressed.id else "practice"
        app = self.roleplay
        try:
            app.learner = app.store.learner(name, ref, group)
        except StoreError as exc:
            self.notify(str(exc), severity="error")
            return
        app.rubric = app.rubric_by_id(rubric_id)
        app.mode = mode
        app.lesson = None  # practising alone
        app.save_prefs(name=name, learner_ref=ref or "", group=group or "", rubric=rubric_id,
                       mode=mode)  # fmt: skip
        from simulator.ui.screens.browser import BrowserScreen

        self.app.switch_screen(BrowserScreen())
