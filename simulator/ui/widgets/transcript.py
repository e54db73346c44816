"""The conversation as a chat: one message per line said, styled by who said it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.events import Click
from textual.widgets import Static

from simulator.engine import LEARNER, Line
from simulator.model import Scenario
from simulator.textsafe import visible

CHANNEL_BANNERS = {
    "face_to_face": "Face to face with {name}",
    "telephone": "☎  Phone call with {name}",  # fits beside the meters at 80 columns
    "email": "✉  Email from {name}",
    "letter": "✉  Letter from {name}",
    "social_media": "Public post by {name} on the company's page: everyone can read your reply",
    "sms": "Text messages with {name}",
}


EMAILS = ("email", "letter")
"""Channels whose opening message has a subject line."""


def channel_banner(scenario: Scenario) -> Text:
    """Describe how the customer is in contact, for the top of the conversation (never markup)."""
    name = scenario.context.customer.name or scenario.speaker_name("customer")
    return Text(visible(CHANNEL_BANNERS.get(scenario.context.channel, "{name}").format(name=name)))


class Message(Static):
    """One line of the conversation."""

    def __init__(self, line: Line, scenario: Scenario, first_customer_line: bool = False) -> None:
        kind = _kind(line, scenario)
        super().__init__(classes=f"msg {kind}")
        self.line = line
        self.scenario = scenario
        self.first_customer_line = first_customer_line

    def render(self) -> Text:
        line, s = self.line, self.scenario
        text = Text()
        if line.speaker == "narrator":
            text.append(line.text, style="italic")
            return text
        if line.speaker == LEARNER:
            text.append("You" + (" (automatically)" if line.auto else ""), style="bold")
        else:
            member = s.cast.get(line.speaker)
            text.append(s.speaker_name(line.speaker), style="bold")
            if member is not None and member.role:
                text.append(f" · {member.role}", style="dim")
        if self.first_customer_line and s.context.subject and s.context.channel in EMAILS:
            text.append(f"\nSubject: {s.context.subject}", style="bold")
        text.append("\n" + line.text)
        return text


def _kind(line: Line, scenario: Scenario) -> str:
    if line.speaker == LEARNER:
        return "learner"
    if line.speaker == "narrator":
        return "narrator"
    if line.speaker == "customer":
        return f"customer {scenario.context.channel.replace('_', '-')}"
    return "colleague"


class Transcript(VerticalScroll):
    """The scrolling chat.

    Only the newest lines are mounted as widgets, so a reply costs the same at turn 300 as at turn
    5: once more than ``LIVE + BATCH`` messages are on screen, the oldest are unmounted in a batch
    (while the newest line is in view). Scrolling back to the top mounts ``BATCH`` earlier lines
    at a time, so the whole conversation can still be read.
    """

    LIVE = 60
    """Messages kept mounted while following the conversation (a long scenario has ~90)."""
    BATCH = 20
    """Messages unmounted or mounted again at a time."""

    def __init__(self, scenario: Scenario) -> None:
        super().__init__(id="transcript")
        self.scenario = scenario
        self.lines: list[Line] = []
        """Every line of the conversation, mounted or not."""
        self.first = 0
        """Index in ``lines`` of the first mounted message."""
        self.mounted: list[Message] = []
        """The mounted messages, oldest first (``lines[first:]``)."""
        self.earlier = Static("", id="earlier", markup=False)

    def compose(self) -> ComposeResult:
        yield self.earlier

    def on_mount(self) -> None:
        self.earlier.display = False

    def _message(self, index: int) -> Message:
        first_customer = next(
            (i for i, line in enumerate(self.lines) if line.speaker == "customer"), None
        )
        return Message(self.lines[index], self.scenario, index == first_customer)

    def add_lines(self, lines: list[Line]) -> None:
        """Append lines and keep the newest in view."""
        start = len(self.lines)
        self.lines.extend(lines)
        if len(self.lines) > start:
            widgets = [self._message(i) for i in range(start, len(self.lines))]
            self.mounted += widgets
            self.mount_all(widgets)
            excess = len(self.lines) - self.first - self.LIVE
            if excess >= self.BATCH and self.is_vertical_scroll_end:
                self._unmount_oldest(excess)
            self.keep_newest_in_view()

    def _unmount_oldest(self, count: int) -> None:
        # only messages that have finished mounting: pruning one still starting up leaves its
        # message loop (and everything it holds) alive
        ready = 0
        while ready < count and self.mounted[ready].is_mounted:
            ready += 1
        self.remove_children(self.mounted[:ready])
        del self.mounted[:ready]
        self.first += ready
        self._show_earlier()

    def _show_earlier(self) -> None:
        self.earlier.update(
            f"↑ {self.first} earlier line{'s' if self.first != 1 else ''}: scroll up (Tab to the "
            "chat, then Home) to see them"
        )
        self.earlier.display = self.first > 0

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value <= 0 < self.first:
            self.call_later(self._at_top)

    def _at_top(self) -> None:
        if self.scroll_y <= 0:
            self.mount_earlier()

    def action_scroll_home(self) -> None:
        if self.first > 0 and self.scroll_y <= 0:  # already at the top: Home shows earlier lines
            self.mount_earlier()
            return
        super().action_scroll_home()

    def on_click(self, event: Click) -> None:
        if event.widget is self.earlier:
            self.mount_earlier()

    def mount_earlier(self) -> None:
        """Mount the previous batch of lines above the oldest one shown, keeping it in place."""
        if self.first == 0:
            return
        oldest = self.mounted[0] if self.mounted else None
        start = max(0, self.first - self.BATCH)
        widgets = [self._message(i) for i in range(start, self.first)]
        self.mounted[:0] = widgets
        self.mount_all(widgets, after=self.earlier)
        self.first = start
        self._show_earlier()
        if oldest is not None:
            self.call_after_refresh(self.scroll_to_widget, oldest, animate=False, top=True)

    def keep_newest_in_view(self) -> None:
        """Scroll to the newest line once the layout has settled (after mounting or resizing)."""
        self.call_after_refresh(self.scroll_end, animate=False, immediate=True)

    def on_resize(self) -> None:
        self.keep_newest_in_view()

    def reset(self, lines: list[Line]) -> None:
        """Show exactly these lines (after undo or resume), replacing only what changed."""
        keep = 0
        for old, new in zip(self.lines, lines, strict=False):
            if old != new:
                break
            keep += 1
        if keep < self.first:  # changed above what is mounted: start again from the newest
            keep = 0
        if keep == 0:
            self.remove_children(self.mounted)
            self.mounted = []
            self.first = max(0, len(lines) - self.LIVE)
            self.lines = list(lines[: self.first])
        else:
            self.remove_children(self.mounted[keep - self.first :])
            del self.mounted[keep - self.first :]
            self.lines = self.lines[:keep]
        self._show_earlier()
        self.add_lines(list(lines[len(self.lines) :]))
