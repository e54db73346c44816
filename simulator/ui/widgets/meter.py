"""A live meter for a variable such as the customer's mood."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from simulator.model import Variable


class Meter(Static):
    """Shows an int variable as a bar between its min and max, or a bool as yes/no."""

    value: reactive[int | bool] = reactive(0)

    def __init__(self, variable: Variable, value: int | bool) -> None:
        super().__init__(classes="meter")
        self.variable = variable
        self.set_reactive(Meter.value, value)

    def render(self) -> Text:
        v = self.variable
        text = Text()
        text.append(f"{v.display_name} ", style="bold")
        if v.type == "bool" or isinstance(self.value, bool):
            text.append("yes" if self.value else "no")
            return text
        lo = v.min if v.min is not None else min(0, int(self.value))
        hi = v.max if v.max is not None else max(0, int(self.value))
        span = max(hi - lo, 1)
        width = 10 if self.app.size.width >= 100 else 5  # room for the banner at 80 columns
        filled = round((int(self.value) - lo) / span * width)
        share = (int(self.value) - lo) / span
        style = "red" if share < 0.34 else "yellow" if share < 0.67 else "green"
        text.append("█" * filled, style=style)
        text.append("░" * (width - filled), style="dim")
        text.append(f" {int(self.value):+d}")
        return text
