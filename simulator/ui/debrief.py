"""The projector debrief: a Textual app of its own, one large, bold screen at a time.

Each decision point has two screens: first what the customer said and how many of the class
chose each reply (bars and counts, never names), with a question to discuss; then the feedback on
each reply. Last come the criteria the class found hardest. Everything shown is plain text
(never markup), with control characters made visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from simulator.debrief import Debrief, DecisionPoint
from simulator.textsafe import visible

QUALITY_WORDS = {
    "strong": "Strong reply",
    "good": "Good practice",
    "fair": "Fair reply",
    "poor": "Makes it worse",
}
QUALITY_STYLES = {"strong": "bold green", "good": "bold green", "fair": "bold yellow"}


@dataclass(frozen=True)
class Page:
    """One screen of the debrief."""

    kind: str
    """choices, feedback or criteria."""
    number: int = 0
    """For a decision point: its 1-based number."""
    point: DecisionPoint | None = None


def pages_of(debrief: Debrief) -> list[Page]:
    """Every screen in order: each decision point's choices, then its feedback; the criteria."""
    pages = []
    for i, point in enumerate(debrief.points, 1):
        pages += [Page("choices", i, point), Page("feedback", i, point)]
    if debrief.criteria:
        pages.append(Page("criteria"))
    return pages


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bar(count: int, total: int, width: int) -> str:
    """A bar of ``width`` cells, filled in proportion (at least one cell for a count above 0)."""
    filled = 0 if total <= 0 else round(width * count / total)
    if count and not filled:
        filled = 1
    return "█" * filled + "░" * (width - filled)


class DebriefApp(App[None]):
    """Large-type debrief screens for a projector."""

    TITLE = "customer-roleplay debrief"
    ENABLE_COMMAND_PALETTE = False
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012 - as Textual declares it
    CSS = """
    Screen { background: $background; }
    #where {
        dock: top; height: 1; padding: 0 2;
        background: $primary; color: $text; text-style: bold;
    }
    #body { padding: 1 3; }
    .-narrow #body { padding: 0 1; }
    #body > Static { width: 1fr; height: auto; text-style: bold; }
    #body > .label { color: $text-muted; }
    #body > .said { text-style: bold italic; margin: 0 0 1 0; }
    #body > .note { color: $text-muted; text-style: none; }
    #body > .head { margin: 0 0 0 0; }
    #body > .text { padding: 0 0 0 5; }
    #body > .feedback { padding: 0 0 0 5; text-style: none; }
    .-wide #body > .text, #body > .feedback { margin: 0 0 1 0; }
    #body > .tally { color: $text-muted; text-style: none; margin: 1 0 0 0; }
    #body > .prompt { color: $warning; margin: 1 0 0 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # with priority: the scrolling body would take PageDown, Home and End for itself
        Binding("right,space,pagedown", "next", "Next", key_display="→/Space", priority=True),
        Binding("left,pageup", "previous", "Back", key_display="←", priority=True),
        Binding("home", "first", "First", show=False, priority=True),
        Binding("end", "last", "Last", show=False, priority=True),
        Binding("q,escape", "quit", "Quit", key_display="q", priority=True),
    ]

    def __init__(self, debrief: Debrief) -> None:
        super().__init__()
        self.debrief = debrief
        self.pages = pages_of(debrief)
        self.at = 0

    def compose(self) -> ComposeResult:
        yield Static(id="where")
        yield VerticalScroll(id="body")
        yield Footer()

    def on_mount(self) -> None:
        self.show()
        self.query_one("#body").focus()

    def on_resize(self) -> None:
        self.show()

    # -- moving ---------------------------------------------------------------------------------
    def go(self, at: int) -> None:
        """Show page ``at`` (kept within the pages)."""
        self.at = max(0, min(at, len(self.pages) - 1))
        self.show()

    def action_next(self) -> None:
        self.go(self.at + 1)

    def action_previous(self) -> None:
        self.go(self.at - 1)

    def action_first(self) -> None:
        self.go(0)

    def action_last(self) -> None:
        self.go(len(self.pages) - 1)

    # -- drawing --------------------------------------------------------------------------------
    @property
    def wide(self) -> bool:
        """True at 120 columns or more."""
        return self.size.width >= 120

    def header(self, page: Page) -> str:
        """The top line: the scenario, and which screen this is."""
        total = len(self.debrief.points)
        if page.kind == "criteria":
            where = "what the class found hardest"
        else:
            where = f"decision {page.number} of {total}"
            if page.kind == "feedback":
                where += " · feedback"
        room = max(12, self.size.width - 4 - 5 - len(where))
        return f"{_shorten(visible(self.debrief.title), room)}  ·  {where}"

    def show(self) -> None:
        """Draw the current page."""
        if not self.pages or not self.query("#body"):
            return
        page = self.pages[self.at]
        self.query_one("#where", Static).update(Text(self.header(page)))
        if page.kind == "criteria":
            blocks = self.criteria_blocks()
        elif page.kind == "feedback" and page.point is not None:
            blocks = self.feedback_blocks(page.point)
        else:
            assert page.point is not None
            blocks = self.choices_blocks(page.point)
        body = self.query_one("#body", VerticalScroll)
        body.remove_children()
        body.mount_all(Static(text, classes=kind) for kind, text in blocks)
        body.scroll_home(animate=False)

    def _bar_width(self) -> int:
        return max(10, min(40, self.size.width // 3))

    def _limit(self) -> int:
        """How much of a reply's words a choices screen shows."""
        width = self.size.width
        return 2 * (width - 12) if self.wide else width - 12

    def choices_blocks(self, point: DecisionPoint) -> list[tuple[str, Text]]:
        """What was said, the replies with bars and counts, and the question."""
        width = self.size.width
        said = point.said if self.wide else _shorten(point.said, 3 * (width - 6))
        blocks = [
            ("label", Text(f"{visible(point.speaker).upper()} SAID")),
            ("said", Text(f"“{visible(said)}”")),
        ]
        if point.heard_other:
            blocks.append(("note", Text(f"({point.heard_other} heard it said another way)")))
        for reply in point.replies:
            head = Text()
            head.append(f" {reply.letter} ", style="reverse")
            head.append("  " + bar(reply.count, point.reached, self._bar_width()), style="cyan")
            head.append(f"  {reply.count}")
            blocks += [
                ("head", head),
                ("text", Text(_shorten(visible(reply.say), self._limit()))),
            ]
        learners = self.debrief.learners
        blocks.append(
            (
                "tally",
                Text(
                    f"{point.reached} of {learners} learner{'' if learners == 1 else 's'} "
                    "chose here (first visits only)"
                ),
            )
        )
        blocks.append(("prompt", Text(f"▶ {visible(point.prompt)}")))
        return blocks

    def feedback_blocks(self, point: DecisionPoint) -> list[tuple[str, Text]]:
        """Each reply with how it was rated, how many chose it, its words and its feedback."""
        blocks: list[tuple[str, Text]] = []
        for reply in point.replies:
            head = Text()
            head.append(f" {reply.letter} ", style="reverse")
            word = QUALITY_WORDS.get(reply.quality, "")
            if word:
                head.append(f"  {word}", style=QUALITY_STYLES.get(reply.quality, "red"))
            head.append(f"  · chosen by {reply.count}")
            blocks += [
                ("head", head),
                ("text", Text(f"“{visible(' '.join(reply.say.split()))}”", style="italic")),
            ]
            if reply.feedback:
                blocks.append(("feedback", Text(visible(" ".join(reply.feedback.split())))))
        return blocks

    def criteria_blocks(self) -> list[tuple[str, Text]]:
        """The criteria, hardest first, with how many learners achieved each."""
        blocks = [("label", Text(visible(self.debrief.rubric)))]
        for c in self.debrief.criteria:
            head = Text()
            head.append(f" {visible(c.code):<3} ", style="reverse")
            head.append("  " + bar(c.achieved, c.judged, self._bar_width()), style="cyan")
            head.append(f"  {c.achieved} of {c.judged} achieved")
            blocks += [("head", head), ("text", Text(_shorten(visible(c.text), self._limit())))]
        blocks.append(("prompt", Text("▶ Which of these shall we practise next?")))
        return blocks
