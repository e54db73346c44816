"""Radio buttons and tick lists whose on and off differ by glyph, not by colour only: in a plain
capture, on a monochrome screen or for a learner with low vision, "●" and "X" say what is chosen."""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import RadioButton, SelectionList
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist

ON_RADIO = "●"
ON_TICK = "X"
OFF = " "


class MarkedRadioButton(RadioButton):
    """A radio button showing ● when chosen and a blank when not."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # read by ToggleButton
        return ON_RADIO if self.value else OFF


class MarkedSelectionList(SelectionList[str]):
    """A tick list showing X beside each ticked item and a blank beside the others."""

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        segments = list(line)
        if len(segments) < 2 or segments[1].text != ToggleButton.BUTTON_INNER:
            return line  # not an item row
        _, scroll_y = self.scroll_offset
        try:
            item = self.get_option_at_index(scroll_y + y)
        except OptionDoesNotExist:  # past the last item
            return line
        mark = ON_TICK if item.value in self.selected else OFF
        segments[1] = Segment(mark, segments[1].style, segments[1].control)
        return Strip(segments, line.cell_length)
