"""Text is text: the one rule for showing strings from scenarios, rubrics, stores and imports.

Any string a scenario author, an imported export or a store file supplies may hold terminal
control sequences (ESC, CSI, OSC, BEL and the C1 controls). Written raw to a terminal they can
retitle the window, clear the screen or write to the clipboard. :func:`visible` turns every
control character except newline and tab into a visible stand-in (ESC becomes ``␛``), so the
text reads as it was written and nothing acts on the terminal.

Everything the command line prints goes through :class:`SafeStream` (``cli.main`` wraps stdout
and stderr in it), so no command can forget; JSON output is unchanged, because ``json.dumps``
already escapes every control character. The terminal interface makes the same strings literal
Textual content (never markup) with :func:`visible` applied; see ``simulator/ui``.

Pure: no UI imports.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import IO, Any, TextIO

_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
"""Control characters that act on a terminal or reorder text: C0 except tab and newline, DEL,
C1, the Unicode line and paragraph separators and the bidirectional controls."""


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␛ for ESC, ␇ for BEL
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def visible(text: str) -> str:
    """Return ``text`` with every control character shown as a harmless visible stand-in."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(_stand_in, text)


def has_control(text: str) -> bool:
    """True when ``text`` holds a control character :func:`visible` would replace."""
    return _CONTROL.search(text) is not None


class SafeStream:
    """A text stream that passes everything written through :func:`visible` first.

    Carriage returns are kept only as part of ``\\r\\n``; everything else that could move the
    cursor or talk to the terminal is made visible. Attributes other than ``write`` are those of
    the stream wrapped (``buffer`` for binary output, ``isatty``, ``encoding``...).
    """

    def __init__(self, stream: TextIO | IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        """Write ``text`` made safe; return the length of what was given, as files do."""
        self._stream.write(visible(text.replace("\r\n", "\n")))
        return len(text)

    def write_own(self, text: str) -> int:
        """Write text this program made itself, with its own control codes (a progress line
        rewritten in place), as it is: never text from a scenario, a rubric or a store."""
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def visible_copy(value: Any) -> Any:
    """Return ``value`` with :func:`visible` applied to every string inside it.

    Walks frozen dataclasses (rebuilt with ``dataclasses.replace``), tuples, lists and dicts;
    anything else is returned as it is. The terminal interface shows scenarios through such a
    copy, so no screen can show an author's control sequence raw.
    """
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, tuple):
        copied = (visible_copy(v) for v in value)
        return type(value)(*copied) if hasattr(value, "_fields") else tuple(copied)
    if isinstance(value, list):
        return [visible_copy(v) for v in value]
    if isinstance(value, dict):
        return {visible_copy(k): visible_copy(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: visible_copy(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.init
        }
        return dataclasses.replace(value, **changes)
    return value


def json_text(data: Any, indent: int | None = 2) -> str:
    """JSON with readable non-ASCII text and every control character escaped (``\\u009b``).

    ``json.dumps`` escapes C0 controls itself; with ``ensure_ascii=False`` it leaves C1 and the
    bidirectional controls raw, which :class:`SafeStream` would then change. Escaping them keeps
    the JSON exact and the terminal safe.
    """
    text = json.dumps(data, indent=indent, ensure_ascii=False)
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
