"""A small, safe condition language for scenario files, e.g. ``mood <= -4 and not visited('x')``.

Source text is tokenised and parsed by hand (never ``eval``/``exec``/``ast``), type-checked
against the declared variables, nodes and options, and evaluated against an :class:`EvalContext`.

Grammar, lowest precedence first::

    or  <  and  <  not  <  == != < <= > >= (non-associative)  <  + - (left)  <  unary -

Atoms are whole numbers, ``true``/``false`` (or ``True``/``False``), variable names, the built-in
``turns``, parenthesised expressions and the calls ``visited('node')``, ``visits('node')`` and
``chosen('option')``.

The parser is iterative (operator precedence with explicit stacks), so no input can cause a
``RecursionError``: sources longer than :data:`MAX_LENGTH` characters, or nested (brackets,
prefix operators or operator chains) more than :data:`MAX_DEPTH` levels deep, are rejected with
an :class:`ExprError`. Trees produced by :func:`parse` are therefore at most :data:`MAX_DEPTH`
levels deep, which keeps the recursive helpers below safe.
"""

from __future__ import annotations

import typing
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeAlias

from simulator.errors import suggest

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Binary",
    "Call",
    "EvalContext",
    "Expr",
    "ExprError",
    "Literal",
    "Name",
    "Type",
    "TypeIssue",
    "Unary",
    "calls",
    "check",
    "evaluate",
    "infer",
    "literal_comparisons",
    "names",
    "parse",
    "unparse",
]

Type: TypeAlias = typing.Literal["int", "bool"]
"""The two value types of the language."""

MAX_LENGTH = 2000
"""Longest accepted expression, in characters."""

MAX_DEPTH = 100
"""Deepest accepted nesting of brackets, prefix operators and operator chains."""

FUNCTIONS: dict[str, tuple[str, Type]] = {
    "visited": ("node", "bool"),
    "visits": ("node", "int"),
    "chosen": ("option", "bool"),
}
"""Built-in functions: name -> (what the quoted argument names, result type)."""

TURNS = "turns"
"""The built-in integer variable: number of learner choices so far."""


class ExprError(Exception):
    """A syntax error in an expression."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message, offset)
        self.message = message
        """Plain-English description, without the offset."""
        self.offset = offset
        """0-based index into the source string."""

    def __str__(self) -> str:
        """Return the plain-English message."""
        return self.message


# --------------------------------------------------------------------------------------------
# Syntax tree


@dataclass(frozen=True)
class Literal:
    """A whole number or ``true``/``false``."""

    value: int | bool
    """The literal's value."""
    offset: int
    """0-based start in the source."""


@dataclass(frozen=True)
class Name:
    """A variable reference (including the built-in ``turns``)."""

    name: str
    """The variable's name."""
    offset: int
    """0-based start in the source."""


@dataclass(frozen=True)
class Call:
    """A built-in function call with one quoted argument, e.g. ``visited('details')``."""

    func: str
    """Function name: one of :data:`FUNCTIONS`."""
    arg: str
    """The argument, without quotes."""
    offset: int
    """0-based start of the function name in the source."""
    arg_offset: int
    """0-based offset of the argument's opening quote."""


@dataclass(frozen=True)
class Unary:
    """A prefix operator applied to one operand: ``-`` or ``not``."""

    op: str
    """``"-"`` or ``"not"``."""
    operand: Expr
    """The operand."""
    offset: int
    """0-based offset of the operator (the start of this expression)."""


@dataclass(frozen=True)
class Binary:
    """A binary operator: arithmetic, comparison, ``and`` or ``or``."""

    op: str
    """One of ``+ - == != < <= > >= and or``."""
    left: Expr
    """Left operand."""
    right: Expr
    """Right operand."""
    offset: int
    """0-based offset of the operator."""


Expr: TypeAlias = Literal | Name | Call | Unary | Binary
"""Any expression node."""


# --------------------------------------------------------------------------------------------
# Tokens

_WHITESPACE = " \t\r\n"
_BOOLS = {"true": True, "false": False, "True": True, "False": False}
_KEYWORDS = frozenset({"and", "or", "not", *_BOOLS})
_TWO_CHAR_OPS = frozenset({"==", "!=", "<=", ">="})
_ONE_CHAR_OPS = frozenset("+-<>(),")

_OR, _AND, _NOT, _CMP, _ADD, _NEG, _ATOM = 1, 2, 3, 4, 5, 6, 7
_BINARY_PREC = {
    "or": _OR,
    "and": _AND,
    "==": _CMP,
    "!=": _CMP,
    "<": _CMP,
    "<=": _CMP,
    ">": _CMP,
    ">=": _CMP,
    "+": _ADD,
    "-": _ADD,
}
_ORDERING = frozenset({"<", "<=", ">", ">="})
_COMPARISONS = frozenset({"==", "!=", *_ORDERING})

_END = "unexpected end of expression"
_TOO_DEEP = f"expression is nested too deeply (the limit is {MAX_DEPTH} levels)"


@dataclass(frozen=True)
class _Token:
    """One lexical token; ``text`` is the exact source text (quotes included for strings)."""

    kind: str  # "int", "name", "kw", "str", "op" or "eof"
    text: str
    offset: int


def _is_digit(c: str) -> bool:
    """Return True for an ASCII digit."""
    return "0" <= c <= "9"


def _is_name_start(c: str) -> bool:
    """Return True for a character that can start a name."""
    return c == "_" or "a" <= c <= "z" or "A" <= c <= "Z"


def _bad_character(source: str, i: int) -> str:
    """Return the message for a character that starts no token."""
    c = source[i]
    nxt = source[i + 1 : i + 2]
    if c == "=":
        if nxt in ("<", ">"):
            return f"use '{nxt}=' instead of '={nxt}'"
        return "use '==' to compare"
    if c == "!":
        return "use 'not' instead of '!'"
    if c == "&":
        return "use 'and' instead of '&&'" if nxt == "&" else "use 'and' instead of '&'"
    if c == "|":
        return "use 'or' instead of '||'" if nxt == "|" else "use 'or' instead of '|'"
    if c in "*/%":
        return f"'{c}' is not supported: only '+' and '-' arithmetic is allowed"
    return f"unexpected character {c!r}"


def _tokenize(source: str) -> list[_Token]:
    """Split source into tokens, ending with an ``eof`` token; raise ExprError on bad input."""
    tokens: list[_Token] = []
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        start = i
        if c in _WHITESPACE:
            i += 1
            continue
        if _is_digit(c):
            while i < n and _is_digit(source[i]):
                i += 1
            if source[i : i + 1] == "." and _is_digit(source[i + 1 : i + 2] or "x"):
                raise ExprError("only whole numbers are allowed", start)
            tokens.append(_Token("int", source[start:i], start))
        elif _is_name_start(c):
            while i < n and (_is_name_start(source[i]) or _is_digit(source[i])):
                i += 1
            word = source[start:i]
            tokens.append(_Token("kw" if word in _KEYWORDS else "name", word, start))
        elif c in "'\"":
            end = source.find(c, i + 1)
            if end < 0:
                raise ExprError("unterminated string: missing closing quote", start)
            i = end + 1
            tokens.append(_Token("str", source[start:i], start))
        elif source[i : i + 2] == "<>":
            raise ExprError("use '!=' instead of '<>'", start)
        elif source[i : i + 2] in _TWO_CHAR_OPS:
            i += 2
            tokens.append(_Token("op", source[start:i], start))
        elif c in _ONE_CHAR_OPS:
            i += 1
            tokens.append(_Token("op", c, start))
        else:
            raise ExprError(_bad_character(source, i), start)
    tokens.append(_Token("eof", "", len(source.rstrip(_WHITESPACE))))
    return tokens


# --------------------------------------------------------------------------------------------
# Parser


@dataclass(frozen=True)
class _Pending:
    """An operator or open bracket waiting on the parser's operator stack."""

    kind: str  # "binary", "prefix" or "paren"
    op: str
    prec: int
    offset: int


def _shown(tok: _Token) -> str:
    """Return a token quoted for a message (strings already carry their quotes)."""
    return tok.text if tok.kind == "str" else f"'{tok.text}'"


def _is_binary_op(tok: _Token) -> bool:
    """Return True if the token is a binary operator."""
    return tok.kind in ("op", "kw") and tok.text in _BINARY_PREC


class _Parser:
    """Operator-precedence parser using explicit stacks (no recursion)."""

    def __init__(self, tokens: list[_Token]) -> None:
        self._tokens = tokens
        self._pos = 0
        self._ops: list[_Pending] = []
        self._out: list[tuple[Expr, int]] = []  # (expression, tree depth)
        self._nesting = 0  # open brackets plus pending prefix operators

    def _next(self) -> _Token:
        """Consume and return the next token (``eof`` repeats forever)."""
        tok = self._tokens[self._pos]
        if tok.kind != "eof":
            self._pos += 1
        return tok

    def _peek(self) -> _Token:
        """Return the next token without consuming it."""
        return self._tokens[self._pos]

    def parse(self) -> Expr:
        """Parse the whole token list into one expression."""
        expect_operand = True
        while True:
            tok = self._next()
            if expect_operand:
                expect_operand = self._operand(tok)
            elif tok.kind == "eof":
                self._finish(tok)
                break
            else:
                self._operator(tok)
                expect_operand = tok.text != ")"
        return self._out[-1][0]

    # -- operand position ------------------------------------------------------------------

    def _operand(self, tok: _Token) -> bool:
        """Handle a token where a value is expected; return True if a value is still expected."""
        if tok.kind == "int":
            self._out.append((Literal(int(tok.text), tok.offset), 0))
        elif tok.kind == "kw" and tok.text in _BOOLS:
            self._out.append((Literal(_BOOLS[tok.text], tok.offset), 0))
        elif tok.kind == "name":
            if self._peek().text == "(" and self._peek().kind == "op":
                self._out.append((self._call(tok), 0))
            else:
                self._out.append((Name(tok.text, tok.offset), 0))
        elif tok.kind == "op" and tok.text == "(":
            self._push_nested(_Pending("paren", "(", 0, tok.offset))
            return True
        elif tok.kind == "op" and tok.text == "-":
            self._push_nested(_Pending("prefix", "-", _NEG, tok.offset))
            return True
        elif tok.kind == "kw" and tok.text == "not":
            # ``not`` may follow a bracket, ``and``, ``or`` or ``not``, but no tighter operator.
            top = self._ops[-1] if self._ops else None
            if top is not None and top.kind != "paren" and top.prec > _NOT:
                raise ExprError(
                    "unexpected token 'not' (put 'not ...' in parentheses here)", tok.offset
                )
            self._push_nested(_Pending("prefix", "not", _NOT, tok.offset))
            return True
        elif tok.kind == "str":
            raise ExprError(
                "quoted text can only be used inside visited(), visits() or chosen()", tok.offset
            )
        elif tok.kind == "eof":
            raise ExprError(_END, tok.offset)
        else:
            raise ExprError(f"unexpected token {_shown(tok)}", tok.offset)
        return False

    def _call(self, name: _Token) -> Call:
        """Parse ``func('arg')`` after its name; the next token is the opening bracket."""
        func = name.text
        if func not in FUNCTIONS:
            raise ExprError(f"unknown function '{func}'{suggest(func, FUNCTIONS)}", name.offset)
        kind = FUNCTIONS[func][0]
        self._next()  # "("
        arg = self._next()
        if arg.kind == "eof":
            raise ExprError(_END, arg.offset)
        if arg.kind in ("name", "kw", "int"):
            raise ExprError(f"put the {kind} name in quotes, e.g. {func}('{arg.text}')", arg.offset)
        if arg.kind != "str":
            raise ExprError(
                f"{func}() needs a quoted {kind} name, e.g. {func}('{kind}')", arg.offset
            )
        value = arg.text[1:-1]
        if not value:
            raise ExprError(f"the {kind} name in quotes is empty", arg.offset)
        close = self._next()
        if close.kind == "op" and close.text == ")":
            return Call(func, value, name.offset, arg.offset)
        if close.kind == "op" and close.text == ",":
            raise ExprError(f"{func}() takes exactly one {kind} name", close.offset)
        if close.kind == "eof":
            raise ExprError(f"{_END}: missing ')'", close.offset)
        raise ExprError(f"unexpected token {_shown(close)} (expected ')')", close.offset)

    def _push_nested(self, pending: _Pending) -> None:
        """Push a bracket or prefix operator, enforcing the nesting limit."""
        if self._nesting >= MAX_DEPTH:
            raise ExprError(_TOO_DEEP, pending.offset)
        self._nesting += 1
        self._ops.append(pending)

    # -- operator position -----------------------------------------------------------------

    def _operator(self, tok: _Token) -> None:
        """Handle a token that follows a complete value (a binary operator or ``)``)."""
        if _is_binary_op(tok):
            prec = _BINARY_PREC[tok.text]
            self._reduce_while(lambda p: p > prec)
            top = self._ops[-1] if self._ops else None
            if prec == _CMP and top is not None and top.kind == "binary" and top.prec == _CMP:
                raise ExprError(
                    f"comparisons cannot be chained; join them with 'and', "
                    f"e.g. 'a {top.op} b and b {tok.text} c'",
                    tok.offset,
                )
            self._reduce_while(lambda p: p >= prec)
            self._ops.append(_Pending("binary", tok.text, prec, tok.offset))
            return
        if tok.kind == "op" and tok.text == ")":
            self._reduce_while(lambda p: True)
            if not self._ops:
                raise ExprError("unexpected token ')' (no matching '(')", tok.offset)
            self._ops.pop()
            self._nesting -= 1
            return
        if tok.text == "is":
            raise ExprError("use '==' instead of 'is'", tok.offset)
        hint = suggest(tok.text.lower(), ["and", "or"]) if tok.kind == "name" else ""
        raise ExprError(f"unexpected token {_shown(tok)}{hint}", tok.offset)

    def _finish(self, eof: _Token) -> None:
        """Reduce everything at the end of input."""
        self._reduce_while(lambda p: True)
        if self._ops:
            raise ExprError(f"{_END}: missing ')'", eof.offset)

    def _reduce_while(self, wanted: typing.Callable[[int], bool]) -> None:
        """Build nodes from pending operators (stopping at a bracket) while wanted(prec)."""
        while self._ops and self._ops[-1].kind != "paren" and wanted(self._ops[-1].prec):
            pending = self._ops.pop()
            node: Expr
            if pending.kind == "prefix":
                operand, depth = self._out.pop()
                node = Unary(pending.op, operand, pending.offset)
                self._nesting -= 1
            else:
                right, right_depth = self._out.pop()
                left, depth = self._out.pop()
                depth = max(depth, right_depth)
                node = Binary(pending.op, left, right, pending.offset)
            if depth + 1 > MAX_DEPTH:
                raise ExprError(_TOO_DEEP, pending.offset)
            self._out.append((node, depth + 1))


def parse(source: str) -> Expr:
    """Parse an expression; raise ExprError (with a 0-based offset) on any syntax problem."""
    if len(source) > MAX_LENGTH:
        raise ExprError(
            f"expression is too long ({len(source)} characters; the limit is {MAX_LENGTH})",
            MAX_LENGTH,
        )
    tokens = _tokenize(source)
    if tokens[0].kind == "eof":
        raise ExprError("empty expression", 0)
    return _Parser(tokens).parse()


# --------------------------------------------------------------------------------------------
# Type checking


@dataclass(frozen=True)
class TypeIssue:
    """A problem found by type checking."""

    kind: str
    """``"undeclared"``, ``"unknown-node"``, ``"unknown-option"`` or ``"type"``."""
    message: str
    """Plain-English description, with a "did you mean" suggestion for unknown names."""
    offset: int
    """0-based offset of the offending sub-expression or argument."""


_TYPE_WORDS: dict[Type, str] = {"int": "an int", "bool": "true/false"}


def _start(expr: Expr) -> int:
    """Return the 0-based offset where an expression's text starts."""
    while isinstance(expr, Binary):
        expr = expr.left
    return expr.offset


def _describe(expr: Expr) -> str:
    """Return a short quoted rendering of an expression for messages."""
    return unparse(expr) if isinstance(expr, Call) else f"'{unparse(expr)}'"


class _Checker:
    """Infers types bottom-up, collecting every issue without cascading."""

    def __init__(
        self,
        variables: Mapping[str, Type],
        nodes: Collection[str] | None,
        options: Collection[str] | None,
    ) -> None:
        self.variables = variables
        self.nodes = nodes
        self.options = options
        self.issues: list[TypeIssue] = []

    def visit(self, expr: Expr) -> Type | None:
        """Return the expression's type, or None if it cannot be known (already reported)."""
        if isinstance(expr, Literal):
            return "bool" if isinstance(expr.value, bool) else "int"
        if isinstance(expr, Name):
            return self._name(expr)
        if isinstance(expr, Call):
            return self._call(expr)
        if isinstance(expr, Unary):
            operand = self.visit(expr.operand)
            if expr.op == "not":
                self._need(expr.operand, operand, "bool", "'not' needs true/false values")
                return "bool"
            self._need(expr.operand, operand, "int", "'-' needs a number")
            return "int"
        return self._binary(expr)

    def _name(self, expr: Name) -> Type | None:
        """Type a variable reference."""
        if expr.name == TURNS:
            return "int"
        found = self.variables.get(expr.name)
        if found is not None:
            return found
        if expr.name in FUNCTIONS:
            kind = FUNCTIONS[expr.name][0]
            message = f"'{expr.name}' is a function: write {expr.name}('{kind}')"
        else:
            candidates = [*self.variables, TURNS]
            message = f"unknown variable '{expr.name}'{suggest(expr.name, candidates)}"
        self.issues.append(TypeIssue("undeclared", message, expr.offset))
        return None

    def _call(self, expr: Call) -> Type | None:
        """Type a call and check its argument names a known node or option."""
        spec = FUNCTIONS.get(expr.func)
        if spec is None:
            message = f"unknown function '{expr.func}'{suggest(expr.func, FUNCTIONS)}"
            self.issues.append(TypeIssue("undeclared", message, expr.offset))
            return None
        kind, result = spec
        known = self.nodes if kind == "node" else self.options
        if known is not None and expr.arg not in known:
            message = f"unknown {kind} '{expr.arg}'{suggest(expr.arg, known)}"
            self.issues.append(TypeIssue(f"unknown-{kind}", message, expr.arg_offset))
        return result

    def _binary(self, expr: Binary) -> Type | None:
        """Type a binary operation; its result type is known even if an operand is wrong."""
        left = self.visit(expr.left)
        right = self.visit(expr.right)
        op = expr.op
        if op in ("and", "or"):
            for side, found in ((expr.left, left), (expr.right, right)):
                self._need(side, found, "bool", f"'{op}' needs true/false values")
            return "bool"
        if op in ("+", "-") or op in _ORDERING:
            for side, found in ((expr.left, left), (expr.right, right)):
                self._need(side, found, "int", f"'{op}' needs numbers")
            return "int" if op in ("+", "-") else "bool"
        if op in ("==", "!="):
            if left is not None and right is not None and left != right:
                message = (
                    f"'{op}' compares {_describe(expr.left)} ({_TYPE_WORDS[left]}) with "
                    f"{_describe(expr.right)} ({_TYPE_WORDS[right]}); "
                    "both sides must be the same type"
                )
                self.issues.append(TypeIssue("type", message, expr.offset))
            return "bool"
        self.issues.append(TypeIssue("type", f"unknown operator '{op}'", expr.offset))
        return None

    def _need(self, expr: Expr, found: Type | None, want: Type, requirement: str) -> None:
        """Report a type mismatch for an operand (silently skip unknown types)."""
        if found is not None and found != want:
            message = f"{_describe(expr)} is {_TYPE_WORDS[found]} but {requirement}"
            self.issues.append(TypeIssue("type", message, _start(expr)))


def check(
    expr: Expr,
    variables: Mapping[str, Type],
    nodes: Collection[str] | None = None,
    options: Collection[str] | None = None,
    expect: Type | None = "bool",
) -> list[TypeIssue]:
    """Return every type and name issue in expr, sorted by offset (empty if it is fine)."""
    checker = _Checker(variables, nodes, options)
    found = checker.visit(expr)
    if expect is not None and found is not None and found != expect:
        if expect == "bool":
            message = f"condition must be true or false, but this is {_TYPE_WORDS[found]}"
        else:
            message = f"value must be a number, but this is {_TYPE_WORDS[found]}"
        checker.issues.append(TypeIssue("type", message, _start(expr)))
    return sorted(checker.issues, key=lambda issue: issue.offset)


def infer(expr: Expr, variables: Mapping[str, Type]) -> Type | None:
    """Return the type of a well-typed expression, or None if it has any type or name issue."""
    checker = _Checker(variables, None, None)
    found = checker.visit(expr)
    return None if checker.issues else found


# --------------------------------------------------------------------------------------------
# Evaluation


class EvalContext(Protocol):
    """What evaluation reads: variable values, visit and choice counts, turns."""

    def value(self, name: str) -> int | bool:
        """Return a variable's current value (also called with ``"turns"``)."""
        ...

    def visits(self, node: str) -> int:
        """Return how many times the node has been visited."""
        ...

    def chosen(self, option: str) -> int:
        """Return how many times the option has been chosen."""
        ...


def _as_int(value: int | bool, expr: Expr, op: str) -> int:
    """Return value if it is an int (not a bool), else raise TypeError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"'{op}' needs numbers, but {unparse(expr)} is {value!r}")
    return value


def _as_bool(value: int | bool, expr: Expr, op: str) -> bool:
    """Return value if it is a bool, else raise TypeError."""
    if not isinstance(value, bool):
        raise TypeError(f"'{op}' needs true/false values, but {unparse(expr)} is {value!r}")
    return value


def evaluate(expr: Expr, ctx: EvalContext) -> int | bool:
    """Evaluate a checked expression; raise TypeError on a type mismatch at run time."""
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, Name):
        return ctx.value(expr.name)
    if isinstance(expr, Call):
        if expr.func == "visited":
            return ctx.visits(expr.arg) > 0
        if expr.func == "visits":
            return ctx.visits(expr.arg)
        if expr.func == "chosen":
            return ctx.chosen(expr.arg) > 0
        raise TypeError(f"unknown function '{expr.func}'")
    if isinstance(expr, Unary):
        operand = evaluate(expr.operand, ctx)
        if expr.op == "not":
            return not _as_bool(operand, expr.operand, "not")
        return -_as_int(operand, expr.operand, "-")
    op = expr.op
    if op in ("and", "or"):
        left_bool = _as_bool(evaluate(expr.left, ctx), expr.left, op)
        if left_bool == (op == "or"):
            return left_bool
        return _as_bool(evaluate(expr.right, ctx), expr.right, op)
    left = evaluate(expr.left, ctx)
    right = evaluate(expr.right, ctx)
    if op in ("==", "!="):
        if isinstance(left, bool) != isinstance(right, bool):
            raise TypeError(
                f"'{op}' compares {left!r} ({unparse(expr.left)}) with "
                f"{right!r} ({unparse(expr.right)}), which are different types"
            )
        return (left == right) == (op == "==")
    a = _as_int(left, expr.left, op)
    b = _as_int(right, expr.right, op)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    raise TypeError(f"unknown operator '{op}'")


# --------------------------------------------------------------------------------------------
# Queries and printing


def _walk(expr: Expr) -> Iterator[Expr]:
    """Yield every node, parents first, in source order (iteratively)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Unary):
            stack.append(node.operand)
        elif isinstance(node, Binary):
            stack.append(node.right)
            stack.append(node.left)


def names(expr: Expr) -> set[str]:
    """Return the variable names the expression reads (including ``turns``; no function names)."""
    return {node.name for node in _walk(expr) if isinstance(node, Name)}


def calls(expr: Expr) -> list[Call]:
    """Return every function call in the expression, in source order."""
    return [node for node in _walk(expr) if isinstance(node, Call)]


def _int_literal(expr: Expr) -> tuple[int, int] | None:
    """Return (value, offset) for an int literal, possibly negated (``-7``), else None."""
    sign, offset = 1, expr.offset
    while isinstance(expr, Unary) and expr.op == "-":
        sign, expr = -sign, expr.operand
    if isinstance(expr, Literal) and not isinstance(expr.value, bool):
        return sign * expr.value, offset
    return None


def literal_comparisons(expr: Expr) -> list[tuple[str, int, int]]:
    """Return (variable, literal value, literal offset) for each variable-vs-int comparison."""
    found: list[tuple[str, int, int]] = []
    for node in _walk(expr):
        if not (isinstance(node, Binary) and node.op in _COMPARISONS):
            continue
        for var, other in ((node.left, node.right), (node.right, node.left)):
            literal = _int_literal(other)
            if isinstance(var, Name) and literal is not None:
                found.append((var.name, *literal))
    return found


def _precedence(expr: Expr) -> int:
    """Return how tightly an expression binds when printed without brackets."""
    if isinstance(expr, Binary):
        return _BINARY_PREC[expr.op]
    if isinstance(expr, Unary):
        return _NOT if expr.op == "not" else _NEG
    if isinstance(expr, Literal) and not isinstance(expr.value, bool) and expr.value < 0:
        return _NEG
    return _ATOM


def _quote(text: str) -> str:
    """Quote a call argument, preferring single quotes."""
    return f'"{text}"' if "'" in text else f"'{text}'"


def unparse(expr: Expr) -> str:
    """Return canonical source text, bracketed only where needed; parse(unparse(e)) is e."""
    if isinstance(expr, Literal):
        if isinstance(expr.value, bool):
            return "true" if expr.value else "false"
        return str(expr.value)
    if isinstance(expr, Name):
        return expr.name
    if isinstance(expr, Call):
        return f"{expr.func}({_quote(expr.arg)})"
    if isinstance(expr, Unary):
        inner = unparse(expr.operand)
        if expr.op == "not":
            return f"not ({inner})" if _precedence(expr.operand) < _NOT else f"not {inner}"
        return f"-({inner})" if _precedence(expr.operand) < _ATOM else f"-{inner}"
    prec = _BINARY_PREC[expr.op]
    left, right = unparse(expr.left), unparse(expr.right)
    left_prec = _precedence(expr.left)
    if left_prec < prec or (prec == _CMP and left_prec == _CMP):
        left = f"({left})"
    if _precedence(expr.right) <= prec:
        right = f"({right})"
    return f"{left} {expr.op} {right}"
