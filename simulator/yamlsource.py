"""Safe YAML loading that keeps where every value and key starts (1-based line and column).

Only plain data is accepted: no Python tags, no custom constructors. Files larger than
``MAX_BYTES``, nesting deeper than ``MAX_DEPTH`` and alias expansion beyond ``MAX_NODES`` values
are refused with a located problem before any large structure is built, so a "billion laughs"
file or a 50 MB file fails in milliseconds rather than hanging.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from simulator.codes import rule
from simulator.errors import Problem

try:  # libyaml is several times faster; the pure-Python loader is the fallback.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 2 * 1024 * 1024
"""Largest file accepted (a 25-node scenario is about 20 kB)."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists accepted."""
MAX_NODES = 100_000
"""Most values accepted after alias expansion."""
MAX_NUMBER_CHARS = 1000
"""Longest whole number accepted, in characters (Python refuses to convert over 4,300 digits)."""

_Y = "tag:yaml.org,2002:"
_INT = _Y + "int"
_STR = _Y + "str"
_SCALAR_TAGS = frozenset(
    _Y + t for t in ("str", "int", "float", "bool", "null", "timestamp", "binary")
)
"""Tags a scalar value may have (binary is then refused with its own message)."""
_TEXT_TAGS = frozenset((_Y + "merge", _Y + "value"))
"""Tags PyYAML gives the plain scalars `<<` and `=`; scenarios do not merge, so they are text."""
_KEY_TAGS = (_SCALAR_TAGS | _TEXT_TAGS) - {_Y + "binary"}
"""Tags a mapping key may have."""

YamlPath = tuple[str | int, ...]
"""Where a value sits in the document: mapping keys and list indexes from the root."""


class Mark(NamedTuple):
    """A 1-based position in a source file (a named tuple: there is one for every value)."""

    line: int
    """1-based line."""
    col: int
    """1-based column."""


@dataclass
class Document:
    """Plain data (dicts, lists, scalars) loaded from YAML, plus the position of every value."""

    path: str
    """The file name as the user gave it, used in every problem."""
    data: Any
    """The loaded value: dicts with str keys, lists, str, int, float, bool or None."""
    marks: dict[YamlPath, Mark] = field(default_factory=dict)
    """Where each value starts (for quoted strings, the first character inside the quotes)."""
    key_marks: dict[YamlPath, Mark] = field(default_factory=dict)
    """Where each mapping key starts, by the path of the value it introduces."""
    one_line: set[YamlPath] = field(default_factory=set)
    """Scalars written on one line (plain or quoted), where a character offset maps to a column."""
    broken: set[YamlPath] = field(default_factory=set)
    """Values already reported and dropped or left incomplete while loading. Later checks that
    depend on them stay silent, so one mistake gives one problem rather than a cascade."""
    refused: set[YamlPath] = field(default_factory=set)
    """Values refused while reading the YAML (a tag), loaded as None: not checked again."""
    text: str = ""
    """The source text (empty when it is not known)."""

    def damaged(self, path: YamlPath) -> bool:
        """True if the value at ``path``, anything inside it or anything around it is broken."""
        n = len(path)
        return any(p[:n] == path or path[: len(p)] == p for p in self.broken)

    def mark(self, path: YamlPath) -> Mark:
        """Return where the value at ``path`` starts, or its nearest ancestor's position."""
        while path not in self.marks and path:
            path = path[:-1]
        return self.marks.get(path, Mark(1, 1))

    def key_mark(self, path: YamlPath) -> Mark:
        """Return where the key introducing ``path`` starts (the value's mark if it has no key)."""
        return self.key_marks.get(path) or self.mark(path)

    def problem(
        self, code: str, path: YamlPath, message: str, *, at_key: bool = False, offset: int = 0
    ) -> Problem:
        """Build a problem of rule ``code`` at the value (or key) at ``path``.

        ``offset`` is a character offset inside a one-line string value (an expression), added to
        the column when the string is written on one line.
        """
        where = self.key_mark(path) if at_key else self.mark(path)
        col = where.col + (offset if path in self.one_line and not at_key else 0)
        return Problem(self.path, where.line, col, rule(code).severity, code, message)


class _Refused(Exception):
    """Raised inside the walk when a resource limit is hit."""

    def __init__(self, message: str, node: Node) -> None:
        super().__init__(message)
        self.message = message
        self.node = node


def _tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _mark(node: Node) -> Mark:
    m = node.start_mark
    style = getattr(node, "style", None)  # only scalars have one: '' or None when plain
    if style == "'" or style == '"':
        return Mark(m.line + 1, m.column + 2)
    return Mark(m.line + 1, m.column + 1)


class _Builder:
    """Turns a composed YAML node graph into plain data, recording marks and problems."""

    def __init__(self, display: str, tree: bool = False) -> None:
        self.display = display
        self.tree = tree
        """Building a tree (no aliases) for `_parse_simple`: keys count as values, as `_scan`
        counts them, and a key that is not a scalar stops the build."""
        self.doc = Document(display, None)
        self.problems: list[Problem] = []
        self.count = 0
        self.constructor = SafeConstructor()
        self.seen: set[int] = set()
        """Ids of the YAML nodes built so far: meeting one again means an alias (``*name``)."""
        self.stack: list[tuple[Node, bool]] = []
        """The nodes being built, from the root down, each with whether it is an alias."""
        if tree:  # no node is met twice, so skip the bookkeeping for aliases
            self.build = self.build_value  # type: ignore[method-assign]

    def located(self, code: str, node: Node, message: str, path: YamlPath) -> None:
        """Record a problem at ``node`` and mark ``path`` as broken (incomplete or unusable)."""
        m = _mark(node)
        self.problems.append(
            Problem(self.display, m.line, m.col, rule(code).severity, code, message)
        )
        self.doc.broken.add(path)

    def refuse(self, node: Node, message: str, path: YamlPath) -> None:
        """Report a value that is not plain data (E003); it is loaded as None."""
        self.located("E003", node, message, path)
        self.doc.refused.add(path)

    def build(self, node: Node, path: YamlPath, depth: int) -> Any:
        self.stack.append((node, id(node) in self.seen))
        self.seen.add(id(node))
        try:
            return self.build_value(node, path, depth)
        finally:
            self.stack.pop()

    def build_value(self, node: Node, path: YamlPath, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            if not self.stack:  # a file without aliases (read as a plain tree): simply too big
                raise _Refused(
                    f"the file has more than {MAX_NODES:,} values; refusing to load it", node
                )
            raise _Refused(
                f"the file expands to more than {MAX_NODES:,} values (too many aliases?); "
                "refusing to load it",
                self.expanding(),
            )
        if depth > MAX_DEPTH:
            raise _Refused(f"the file is nested more than {MAX_DEPTH} levels deep", node)
        start = node.start_mark
        if isinstance(node, MappingNode):
            self.doc.marks[path] = Mark(start.line + 1, start.column + 1)
            return self.build_mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            self.doc.marks[path] = Mark(start.line + 1, start.column + 1)
            if node.tag != "tag:yaml.org,2002:seq":
                self.refuse(node, f"YAML tag '{_tag(node.tag)}' is not allowed here", path)
                return None
            build = self.build
            return [build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        # plain style is '' from libyaml and None from PyYAML; quoted is ' or ". An offset in the
        # value is a column offset only if the source is the value itself (no escapes like \" or '')
        style = node.style
        quoted = style == "'" or style == '"'
        self.doc.marks[path] = Mark(start.line + 1, start.column + (2 if quoted else 1))
        end = node.end_mark
        if (
            (quoted or style is None or style == "")
            and start.line == end.line
            and end.column - start.column == len(node.value) + (2 if quoted else 0)
        ):
            self.doc.one_line.add(path)
        return self.build_scalar(node, path)

    def expanding(self) -> Node:
        """Return where to report too many values: the value holding the outermost alias.

        An alias's node is the anchored value itself, whose position is the anchor's, not the
        place that repeats it; the value that contains the alias is where the expansion happens.
        """
        for (parent, _), (_, alias) in zip(self.stack, self.stack[1:], strict=False):
            if alias:
                return parent
        return self.stack[-1][0]

    def build_mapping(self, node: MappingNode, path: YamlPath, depth: int) -> Any:
        if node.tag not in ("tag:yaml.org,2002:map",):
            self.refuse(node, f"YAML tag '{_tag(node.tag)}' is not allowed here", path)
            return None
        result: dict[str, Any] = {}
        key_marks = self.doc.key_marks
        build = self.build
        if self.tree:
            self.count += len(node.value)  # the keys: `_scan` counts them as values
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                if self.tree:
                    raise _NotTree  # its insides count for `_scan`, but are never built
                self.located(
                    "E010", key_node, "a mapping key must be plain text, not a list or map", path
                )
                continue
            key = str(key_node.value)
            child = (*path, key)
            if key_node.tag not in _KEY_TAGS:
                self.located(
                    "E003", key_node, f"YAML tag '{_tag(key_node.tag)}' is not allowed here", child
                )
                continue
            if key in result:
                first = self.doc.key_marks[child]
                self.located(
                    "E004",
                    key_node,
                    f"duplicate key '{key}' (first written at line {first.line}); a key can "
                    "appear only once here, so rename or remove one of them",
                    child,
                )
                continue
            start = key_node.start_mark
            style = key_node.style
            key_marks[child] = Mark(
                start.line + 1, start.column + (2 if style == "'" or style == '"' else 1)
            )
            result[key] = build(value_node, child, depth + 1)
        return result

    def build_scalar(self, node: ScalarNode, path: YamlPath) -> Any:
        if node.tag == _STR:
            return node.value  # what SafeConstructor gives for text, without the detour
        if node.tag in _TEXT_TAGS:
            return str(node.value)  # a plain `<<` or `=` is text here, not a merge
        if node.tag == _Y + "timestamp":
            return str(node.value)  # dates are text to us (even 2024-13-45); keep what was written
        if node.tag not in _SCALAR_TAGS:  # e.g. `!!set x`, which would construct a Python set
            self.refuse(node, f"YAML tag '{_tag(node.tag)}' is not allowed here", path)
            return None
        if node.tag == _INT and len(node.value) > MAX_NUMBER_CHARS:
            self.located(
                "E002",
                node,
                f"a number {len(node.value):,} characters long; the limit is {MAX_NUMBER_CHARS}",
                path,
            )
            self.doc.refused.add(path)
            return None
        try:
            value = self.constructor.construct_object(node)
        except ConstructorError:
            self.refuse(node, f"YAML tag '{_tag(node.tag)}' is not allowed here", path)
            return None
        except (ValueError, TypeError, LookupError, AttributeError, ArithmeticError):
            # a standard tag on text it does not fit, e.g. `!!int abc` or `!!bool maybe`
            shown = node.value if len(node.value) <= 30 else node.value[:27] + "..."
            self.refuse(node, f"'{shown}' is not a valid {_tag(node.tag)} value", path)
            return None
        if isinstance(value, bytes):
            self.refuse(node, "binary values are not allowed in a scenario", path)
            return None
        return value


_SYNTAX_HINTS = {
    "mapping values are not allowed": "text containing ': ' must be in quotes",
    "found character '\\t'": "indent with spaces, not tabs",
    "found a tab character": "indent with spaces, not tabs",
}
"""Plain-English advice for the YAML errors authors meet most, by the start of the message."""


def _syntax_problem(display: str, exc: yaml.YAMLError, text: str = "") -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    context, problem = getattr(exc, "context", None), getattr(exc, "problem", None)
    context_mark = getattr(exc, "context_mark", None)
    here = (mark.line, mark.column) if mark is not None else None
    if context and context_mark is not None and (context_mark.line, context_mark.column) != here:
        # e.g. an unclosed '[' is only noticed lines later: say where it was opened
        context = f"{context} that starts at line {context_mark.line + 1}, column {context_mark.column + 1}"
    parts = [problem, context]
    message = ", ".join(str(p) for p in parts if p) or str(exc).splitlines()[0]
    hint = next((h for start, h in _SYNTAX_HINTS.items() if message.startswith(start)), "")
    row = text.split("\n")[line - 1] if line <= text.count("\n") + 1 else ""
    if not hint and row[col - 1 : col] == "\t":  # libyaml does not name the character
        hint = "indent with spaces, not tabs"
    if hint:
        message += f" ({hint})"
    return Problem(
        display, line, col, rule("E001").severity, "E001", f"YAML syntax error: {message}"
    )


def _scan(display: str, text: str) -> Problem | None:
    """Refuse deep nesting or too many values from the event stream, before composing.

    libyaml's composer recurses in C, so a few hundred thousand nested '[' crash the interpreter
    (no RecursionError); the event stream is flat, and reading it stops at the first offence.
    """
    try:
        return _scan_events(display, text)
    except yaml.YAMLError as exc:
        # libyaml 0.2.6 has a nesting limit of its own (1,000 levels), which its scanner can meet
        # while looking ahead, before the parser hands over the event that passes ours
        if "maximum nesting depth" not in str(getattr(exc, "problem", "") or exc):
            raise
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        message = f"the file is nested more than {MAX_DEPTH} levels deep"
        return Problem(display, line, col, rule("E002").severity, "E002", message)


def _scan_events(display: str, text: str) -> Problem | None:
    depth = count = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH + 1:  # a collection nested in more than MAX_DEPTH others
                message = f"the file is nested more than {MAX_DEPTH} levels deep"
            elif (count := count + 1) > MAX_NODES:
                message = f"the file has more than {MAX_NODES:,} values; refusing to load it"
            else:
                continue
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            continue
        elif (
            isinstance(event, yaml.ScalarEvent | yaml.AliasEvent)
            and (count := count + 1) > MAX_NODES
        ):
            message = f"the file has more than {MAX_NODES:,} values; refusing to load it"
        else:
            continue
        m = event.start_mark
        line, col = (m.line + 1, m.column + 1) if m is not None else (1, 1)
        return Problem(display, line, col, rule("E002").severity, "E002", message)
    return None


_SAFE_DEPTH = 500
"""Nesting libyaml's (recursive, C) composer is trusted with on any thread's stack."""


class _NotTree(Exception):
    """A one-pass parse met something `_parse_checked` must see (see `_parse_simple`)."""


def _position(text: str, index: int) -> tuple[int, int]:
    """Return the 1-based line and column of the character at ``index``."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _unreadable(display: str, text: str) -> Problem | None:
    """Report a lone surrogate (text that is not Unicode, which YAML cannot read), or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return Problem(
            display,
            *_position(text, exc.start),
            rule("E001").severity,
            "E001",
            f"the text contains an invalid character (U+{ord(text[exc.start]):04X}, a lone "
            "surrogate); save the file as UTF-8",
        )
    return None


def _reader_problem(display: str, text: str, exc: yaml.reader.ReaderError) -> Problem:
    """Report a character YAML does not allow (NUL, other control characters) where it is."""
    found = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if found is None:  # pragma: no cover - libyaml and PyYAML refuse the same characters
        return _syntax_problem(display, exc)
    return Problem(
        display,
        *_position(text, found.start()),
        rule("E001").severity,
        "E001",
        f"YAML syntax error: the character U+{ord(found.group()):04X} is not allowed "
        "(control characters cannot appear in YAML); remove it",
    )


def parse_document(text: str, display: str) -> tuple[Document | None, list[Problem]]:
    """Parse YAML text into a located Document; problems replace exceptions."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None, [_too_large(display, len(text.encode("utf-8", "surrogatepass")))]
    unreadable = _unreadable(display, text)
    if unreadable is not None:
        return None, [unreadable]
    parsed = _parse_simple(text, display)
    if parsed is None:
        parsed = _parse_checked(text, display)
    if parsed[0] is not None:
        parsed[0].text = text
    return parsed


def _parse_checked(text: str, display: str) -> tuple[Document | None, list[Problem]]:
    """Parse any text: refuse what is too deep or too large before libyaml composes it."""
    try:
        too_big = _scan(display, text)
        if too_big is not None:
            return None, [too_big]
        root = yaml.compose(text, Loader=_Loader)
    except yaml.reader.ReaderError as exc:
        return None, [_reader_problem(display, text, exc)]
    except yaml.YAMLError as exc:
        return None, [_syntax_problem(display, exc, text)]
    except (RecursionError, MemoryError):
        return None, [
            Problem(
                display,
                1,
                1,
                rule("E002").severity,
                "E002",
                "the file is nested too deeply to read",
            )
        ]
    if root is None:
        return None, [Problem(display, 1, 1, rule("E001").severity, "E001", "the file is empty")]
    bomb = _alias_bomb(root)
    if bomb is not None:
        message = (
            f"the file expands to more than {MAX_NODES:,} values (too many aliases?); "
            "refusing to load it"
        )
        return None, [Problem(display, *_pos(bomb), rule("E002").severity, "E002", message)]
    builder = _Builder(display)
    try:
        builder.doc.data = builder.build(root, (), 0)
    except _Refused as refused:
        builder.problems.append(
            Problem(display, *_pos(refused.node), rule("E002").severity, "E002", refused.message)
        )
        return None, builder.problems
    return builder.doc, builder.problems


def _parse_simple(text: str, display: str) -> tuple[Document | None, list[Problem]] | None:
    """Parse a text plainly within the limits in one pass; None if it may not be.

    `_parse_checked` parses every text twice: once as an event stream (`_scan`), so that
    nesting deep enough to crash libyaml's recursive composer is refused first, then to compose
    it. Nesting a composed collection inside another takes a ``[`` or ``{``, or (in block style)
    a column further right at least every second level, so twice the longest line plus the
    brackets bounds the depth: within `_SAFE_DEPTH`, composing is safe. A text without aliases
    (no ``*``) composes to a tree, which the builder measures as `_scan` would (collections
    nested, keys and values counted). Whatever that or the builder would refuse, and anything
    unusual (no document, a syntax error, a key that is a list or map), returns None, and
    `_parse_checked` starts again, so every problem and its place is exactly as before.
    """
    if "*" in text:
        return None
    longest = max(map(len, text.split("\n")))
    if 2 * (longest + 1) + text.count("[") + text.count("{") + 2 > _SAFE_DEPTH:
        return None
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None
    if root is None:
        return None
    builder = _Builder(display, tree=True)
    try:
        builder.doc.data = builder.build(root, (), 0)
    except (_Refused, _NotTree):
        return None
    return builder.doc, builder.problems


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _alias_bomb(root: Node) -> Node | None:
    """Return where alias expansion exceeds ``MAX_NODES`` values, or None if it does not.

    Aliases share node objects, so sizes are counted once per distinct node (memoised), without
    expanding anything: a "billion laughs" file is measured in microseconds, and an alias to the
    value containing it counts as infinite. The place reported is the first value, in document
    order, that passes the limit although none of its parts does.
    """
    limit = MAX_NODES + 1
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node) -> int:  # nesting is already limited to MAX_DEPTH, so recursion is safe
        key = id(node)
        if key in active:
            return limit  # the value contains itself
        if key not in sizes:
            active.add(key)
            sizes[key] = min(1 + sum(size(c) for c in _children(node)), limit)
            active.discard(key)
        return sizes[key]

    if size(root) < limit:
        return None
    node, seen = root, {id(root)}
    while True:
        over = next((c for c in _children(node) if sizes.get(id(c), 0) >= limit), None)
        if over is None or id(over) in seen:
            return node
        seen.add(id(over))
        node = over


def _pos(node: Node) -> tuple[int, int]:
    m = _mark(node)
    return m.line, m.col


def _too_large(display: str, size: int) -> Problem:
    return Problem(
        display,
        1,
        1,
        rule("E002").severity,
        "E002",
        f"the file is too large ({size:,} bytes); the limit is {MAX_BYTES // 1_048_576} MB "
        f"({MAX_BYTES:,} bytes)",
    )


def read_document(path: Path, display: str | None = None) -> tuple[Document | None, list[Problem]]:
    """Read and parse a YAML file; a missing, unreadable or oversized file is a located problem."""
    shown = display if display is not None else str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, [_too_large(shown, size)]
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return None, [
            Problem(shown, 1, 1, rule("E001").severity, "E001", f"cannot read file: {reason}")
        ]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Problem(
                shown,
                line,
                col,
                rule("E001").severity,
                "E001",
                "the file is not UTF-8 text (save it as UTF-8)",
            )
        ]
    return parse_document(text, shown)


def walk_strings(value: Any, path: YamlPath = ()) -> Iterator[tuple[YamlPath, str]]:
    """Yield every string value in the data with its path (for content checks such as TODO).

    Depth first, in document order (iteratively: every file is walked by the content checks).
    """
    stack: list[tuple[YamlPath, Any]] = [(path, value)]
    pop, push = stack.pop, stack.append
    while stack:
        here, item = pop()
        if isinstance(item, str):
            yield here, item
        elif isinstance(item, dict):
            for key in reversed(item):
                push(((*here, key), item[key]))
        elif isinstance(item, list):
            for i in range(len(item) - 1, -1, -1):
                push(((*here, i), item[i]))
