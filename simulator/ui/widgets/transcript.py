"""The conversation as a chat: one message per line said, styled by who said it."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from simulator.engine import LEARNER, Line
from simulator.model import Scenario

CHANNEL_BANNERS = {
    "face_to_face": "Face to face with {name}",
    "telephone": "☎  Telephone call with {name}",
    "email": "✉  Email from {name}",
    "letter": "✉  Letter from {name}",
    "social_media": "Public post by {name} on the company's page: everyone can read your reply",
    "sms": "Text messages with {name}",
}


def channel_banner(scenario: Scenario) -> str:
    """Describe how the customer is in contact, for the top of the conversation."""
    name = scenario.context.customer.name or scenario.speaker_name("customer")
    return CHANNEL_BANNERS.get(scenario.context.channel, "{name}").format(name=name)


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
        if self.first_customer_line and s.context.channel in ("email", "letter"):
            text.append(f"\nSubject: {s.title}", style="bold")
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
    """The scrolling chat."""

    def __init__(self, scenario: Scenario) -> None:
        super().__init__(id="transcript")
        self.scenario = scenario
        self.customer_lines = 0

    def add_lines(self, lines: list[Line]) -> None:
        """Append lines and keep the newest in view."""
        widgets = []
        for line in lines:
            first = line.speaker == "customer" and self.customer_lines == 0
            if line.speaker == "customer":
                self.customer_lines += 1
            widgets.append(Message(line, self.scenario, first))
        if widgets:
            self.mount_all(widgets)
            self.call_after_refresh(self.scroll_end, animate=False)

    def reset(self, lines: list[Line]) -> None:
        """Show exactly these lines (after undo or resume)."""
        self.remove_children()
        self.customer_lines = 0
        self.add_lines(lines)
