"""Who is playing, with which qualification, in which mode."""

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
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
    Static,
)

from simulator.store import StoreError
from simulator.ui.screens.base import AppScreen


class StartScreen(AppScreen):
    """Asks who is playing (remembered), the rubric and the mode."""

    HELP_SECTION = "Who is playing"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", "Continue"),
        Binding("escape", "app.quit", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        prefs = self.roleplay.prefs
        yield Header()
        with VerticalScroll(id="start-form"):
            yield Label("Who is playing? Your name:", classes="form-title")
            yield Input(prefs.get("name", ""), placeholder="e.g. Amy Khan", id="name")
            with Horizontal(classes="pair"):
                yield Input(prefs.get("learner_ref", ""), placeholder="Learner id (optional)",
                            id="learner-ref")  # fmt: skip
                yield Input(prefs.get("group", ""), placeholder="Class or group (optional)",
                            id="group")  # fmt: skip
            yield Label("Qualification")
            with Vertical(id="rubric-slot"):  # filled just after the first frame: see on_mount
                yield Static("Loading the qualifications…", classes="hint")
            yield Label("Mode")
            with RadioSet(id="mode"):
                yield RadioButton(
                    "Practice: feedback after each reply, undo allowed",
                    value=prefs.get("mode", "practice") == "practice",
                    id="practice",
                )
                yield RadioButton(
                    "Assessment: no feedback until the end, no undo",
                    value=prefs.get("mode") == "assessment",
                    id="assessment",
                )
            yield Button("Continue", variant="primary", id="continue")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()
        self.call_after_refresh(self.show_rubrics)

    def show_rubrics(self) -> Select[str]:
        """Load the rubrics (once the form is on screen, so it appears at once) and list them."""
        for shown in self.query("#rubric").results(Select):
            return shown
        rubrics = [(r.title, r.id) for r in self.roleplay.rubrics]
        default = self.roleplay.prefs.get("rubric", "ocr-l2-unit7")
        select: Select[str] = Select(
            rubrics,
            value=default if any(rid == default for _, rid in rubrics) else Select.NULL,
            allow_blank=not rubrics,
            id="rubric",
        )
        slot = self.query_one("#rubric-slot")
        slot.remove_children()
        slot.mount(select)
        self.call_after_refresh(lambda: self.roleplay.scenarios)  # the browser's list, next
        return select

    @on(Input.Submitted)
    @on(Button.Pressed, "#continue")
    def action_start(self) -> None:
        """Remember the learner and open the scenario browser."""
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
        app.save_prefs(name=name, learner_ref=ref or "", group=group or "", rubric=rubric_id,
                       mode=mode)  # fmt: skip
        from simulator.ui.screens.browser import BrowserScreen

        self.app.switch_screen(BrowserScreen())
