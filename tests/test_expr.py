"""Tests for the scenario condition language in simulator.expr."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.expr import (
    Binary,
    Call,
    Expr,
    ExprError,
    Literal,
    Name,
    Type,
    Unary,
    calls,
    check,
    evaluate,
    infer,
    literal_comparisons,
    names,
    parse,
    unparse,
)

VARIABLES: dict[str, Type] = {"mood": "int", "trust": "int", "angry": "bool", "calm": "bool"}
NODES = {"intro", "details", "refund_offer"}
OPTIONS = {"apologise", "refund"}


def shape(expr: Expr) -> str:
    """Fully bracketed rendering, so tests can assert the tree's structure."""
    if isinstance(expr, Literal):
        return str(expr.value).lower() if isinstance(expr.value, bool) else str(expr.value)
    if isinstance(expr, Name):
        return expr.name
    if isinstance(expr, Call):
        return f"{expr.func}({expr.arg!r})"
    if isinstance(expr, Unary):
        sep = " " if expr.op == "not" else ""
        return f"({expr.op}{sep}{shape(expr.operand)})"
    return f"({shape(expr.left)} {expr.op} {shape(expr.right)})"


@dataclass
class FakeContext:
    """A tiny evaluation context backed by dicts."""

    values: dict[str, int | bool] = field(default_factory=dict)
    visit_counts: dict[str, int] = field(default_factory=dict)
    choice_counts: dict[str, int] = field(default_factory=dict)
    turns: int = 0
    reads: list[str] = field(default_factory=list)

    def value(self, name: str) -> int | bool:
        self.reads.append(name)
        if name == "turns":
            return self.turns
        return self.values[name]

    def visits(self, node: str) -> int:
        return self.visit_counts.get(node, 0)

    def chosen(self, option: str) -> int:
        return self.choice_counts.get(option, 0)


def make_context() -> FakeContext:
    return FakeContext(
        values={"mood": -5, "trust": 3, "angry": True, "calm": False},
        visit_counts={"details": 2, "intro": 0},
        choice_counts={"refund": 1},
        turns=4,
    )


# ---------------------------------------------------------------------------------------------
# Parsing: precedence and associativity


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 - 3", "((1 + 2) - 3)"),
        ("1 - (2 - 3)", "(1 - (2 - 3))"),
        ("not a and b", "((not a) and b)"),
        ("a or b and c", "(a or (b and c))"),
        ("a and b or c", "((a and b) or c)"),
        ("a or b or c", "((a or b) or c)"),
        ("a and not b or c", "((a and (not b)) or c)"),
        ("not a == b", "(not (a == b))"),
        ("not not a", "(not (not a))"),
        ("-a + b", "((-a) + b)"),
        ("-(a + b)", "(-(a + b))"),
        ("--a", "(-(-a))"),
        ("a + b < c - 1", "((a + b) < (c - 1))"),
        ("(a < b) == c", "((a < b) == c)"),
        ("a == (b != c)", "(a == (b != c))"),
        ("x == 1 or y != 2", "((x == 1) or (y != 2))"),
        ("True and false or False", "((true and false) or false)"),
        ("((mood))", "mood"),
        ("turns>=3", "(turns >= 3)"),
        (
            "mood <= -4 and not visited('details')",
            "((mood <= (-4)) and (not visited('details')))",
        ),
        ('visits("intro") + 1 > 2', "((visits('intro') + 1) > 2)"),
        ("chosen('refund')\n  and\tcalm", "(chosen('refund') and calm)"),
    ],
)
def test_precedence_and_associativity(source: str, expected: str) -> None:
    assert shape(parse(source)) == expected


def test_node_offsets() -> None:
    expr = parse("mood <= -4 and not visited('details')")
    assert isinstance(expr, Binary)
    assert (expr.op, expr.offset) == ("and", 11)
    comparison, negation = expr.left, expr.right
    assert isinstance(comparison, Binary)
    assert comparison.offset == 5
    assert comparison.left == Name("mood", 0)
    assert comparison.right == Unary("-", Literal(4, 9), 8)
    assert negation == Unary("not", Call("visited", "details", 19, 27), 15)


@pytest.mark.parametrize(
    ("source", "value"),
    [("true", True), ("True", True), ("false", False), ("False", False), ("0", 0), ("12", 12)],
)
def test_literals(source: str, value: int | bool) -> None:
    expr = parse(source)
    assert isinstance(expr, Literal)
    assert expr.value == value
    assert type(expr.value) is type(value)


# ---------------------------------------------------------------------------------------------
# Syntax errors


@pytest.mark.parametrize(
    ("source", "message", "offset"),
    [
        ("", "empty expression", 0),
        ("   \n", "empty expression", 0),
        ("mood = 3", "use '==' to compare", 5),
        ("a => 3", "use '>='", 2),
        ("a =< 3", "use '<='", 2),
        ("a && b", "use 'and'", 2),
        ("a & b", "use 'and'", 2),
        ("a || b", "use 'or'", 2),
        ("a | b", "use 'or'", 2),
        ("!a", "use 'not'", 0),
        ("a <> b", "use '!='", 2),
        ("a is b", "use '=='", 2),
        ("visited('details", "unterminated string", 8),
        ('x and chosen("refund', "unterminated string", 13),
        ("a and", "unexpected end of expression", 5),
        ("a and   \n", "unexpected end of expression", 5),
        ("not", "unexpected end of expression", 3),
        ("(a", "missing ')'", 2),
        ("((a) or b", "missing ')'", 9),
        ("a b", "unexpected token 'b'", 2),
        ("1 2", "unexpected token '2'", 2),
        ("a)", "unexpected token ')'", 1),
        ("()", "unexpected token ')'", 1),
        ("and a", "unexpected token 'and'", 0),
        ("a != != b", "unexpected token '!='", 5),
        ("1 (b)", "unexpected token '('", 2),
        ("mood('x')", "unknown function 'mood'", 0),
        ("a AND b", "did you mean 'and'", 2),
        ("a adn b", "did you mean 'and'", 2),
        ("a == not b", "unexpected token 'not'", 5),
        ("-not a", "unexpected token 'not'", 1),
        ("a < b < c", "cannot be chained", 6),
        ("a == b != c", "cannot be chained", 7),
        ("not a < b + 1 <= c", "cannot be chained", 14),
        ("1.5 > a", "whole numbers", 0),
        ("a * 2", "'*' is not supported", 2),
        ("a / 2", "'/' is not supported", 2),
        ("a @ b", "unexpected character '@'", 2),
        ("mood == 'x'", "quoted text", 8),
        ("visted('details')", "unknown function 'visted' (did you mean 'visited'?)", 0),
        ("choosen('refund')", "unknown function 'choosen' (did you mean 'chosen'?)", 0),
        ("frobnicate('x')", "unknown function 'frobnicate'", 0),
        ("visited()", "needs a quoted node name", 8),
        ("visited(details)", "put the node name in quotes", 8),
        ("chosen(refund)", "put the option name in quotes", 7),
        ("visited('')", "empty", 8),
        ("visited('a', 'b')", "exactly one", 11),
        ("chosen('a'", "missing ')'", 10),
        ("visits('a' + 1)", "unexpected token '+'", 11),
        ("visited('a' 'b')", "unexpected token 'b' (expected ')')", 12),
        ("mood 'x'", "unexpected token 'x'", 5),
        ("visited(", "unexpected end of expression", 8),
    ],
)
def test_syntax_errors(source: str, message: str, offset: int) -> None:
    with pytest.raises(ExprError) as info:
        parse(source)
    assert message in info.value.message
    assert info.value.offset == offset
    assert str(info.value) == info.value.message


def test_unknown_function_without_suggestion_has_no_did_you_mean() -> None:
    with pytest.raises(ExprError) as info:
        parse("frobnicate('x')")
    assert "did you mean" not in info.value.message


@pytest.mark.parametrize("source", ["a != b", "not (a != b)", "a!=b"])
def test_not_equal_is_not_mistaken_for_bang(source: str) -> None:
    assert isinstance(parse(source), Unary | Binary)


# ---------------------------------------------------------------------------------------------
# Pathological input


@pytest.mark.parametrize(
    "source",
    [
        "(" * 5000,
        "(" * 5000 + "a" + ")" * 5000,
        "not " * 2500,
        "-" * 5000 + "1",
        "a + " * 2500 + "a",  # 10,001 characters
        "a" * 10_000,
    ],
)
def test_huge_input_is_a_syntax_error(source: str) -> None:
    with pytest.raises(ExprError) as info:
        parse(source)
    assert "too long" in info.value.message
    assert info.value.offset == 2000


@pytest.mark.parametrize(
    ("source", "offset"),
    [
        ("(" * 150 + "a" + ")" * 150, 100),
        ("(" * 150, 100),
        ("not " * 150 + "a", 400),
        ("-" * 150 + "1", 100),
        ("+".join(["1"] * 300), 201),  # an operator chain is nesting too
        ("a and " * 300 + "a", 602),
    ],
)
def test_deep_nesting_is_a_syntax_error(source: str, offset: int) -> None:
    with pytest.raises(ExprError) as info:
        parse(source)
    assert "nested too deeply" in info.value.message
    assert info.value.offset == offset


def test_length_and_depth_limits_are_inclusive() -> None:
    assert parse("a" * 2000) == Name("a" * 2000, 0)
    assert unparse(parse("(" * 100 + "a" + ")" * 100)) == "a"
    assert evaluate(parse("-" * 100 + "1"), make_context()) == 1
    chain = parse("+".join(["1"] * 101))  # 100 operators deep
    assert evaluate(chain, make_context()) == 101
    assert check(chain, {}, expect="int") == []
    assert unparse(parse(unparse(chain))) == unparse(chain)


# ---------------------------------------------------------------------------------------------
# Evaluation


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("mood <= -4 and not visited('details')", False),
        ("mood <= -4 and visited('details')", True),
        ("visited('intro')", False),
        ("visited('nowhere')", False),
        ("visits('details') + 1", 3),
        ("visits('intro')", 0),
        ("chosen('refund')", True),
        ("chosen('apologise')", False),
        ("turns", 4),
        ("turns >= 4", True),
        ("turns - 1", 3),
        ("1 + 2 - 3", 0),
        ("2 - 3 - 4", -5),
        ("2 - (3 - 4)", 3),
        ("-mood", 5),
        ("- -3", 3),
        ("angry == true", True),
        ("calm != false", False),
        ("angry == calm", False),
        ("mood == -5", True),
        ("angry or calm", True),
        ("angry and calm", False),
        ("not angry", False),
        ("not calm and angry", True),
        ("angry and calm or true", True),
        ("angry and (calm or true)", True),
        ("calm and (angry or true)", False),
        ("trust > 2 and trust < 4", True),
        ("trust >= 3 and trust <= 3", True),
        ("trust > 3 or trust < 3", False),
        ("not mood + 5 == 0", False),
        ("(mood < 0) == angry", True),
    ],
)
def test_evaluate(source: str, expected: int | bool) -> None:
    result = evaluate(parse(source), make_context())
    assert result == expected
    assert type(result) is type(expected)


def test_turns_is_read_through_value() -> None:
    ctx = make_context()
    evaluate(parse("turns > 0"), ctx)
    assert ctx.reads == ["turns"]


@pytest.mark.parametrize(
    ("source", "expected"), [("false and boom", False), ("true or boom", True)]
)
def test_and_or_short_circuit(source: str, expected: bool) -> None:
    ctx = make_context()  # "boom" is not a variable: reading it would raise KeyError
    assert evaluate(parse(source), ctx) is expected
    assert ctx.reads == []


@pytest.mark.parametrize(
    "source", ["mood and true", "angry + 1", "-angry", "not mood", "angry < 3", "angry == 1"]
)
def test_evaluate_type_mismatch_raises_type_error(source: str) -> None:
    with pytest.raises(TypeError):
        evaluate(parse(source), make_context())


# ---------------------------------------------------------------------------------------------
# Type checking


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("mood < 3 and angry", []),
        ("turns > 3", []),
        ("visits('intro') > 1 or chosen('refund')", []),
        ("mood and angry", [("type", 0, "'mood' is an int but 'and' needs true/false values")]),
        ("angry or trust", [("type", 9, "'trust' is an int but 'or' needs true/false values")]),
        ("mood + angry > 1", [("type", 7, "'angry' is true/false but '+' needs numbers")]),
        ("not mood", [("type", 4, "'not' needs true/false")]),
        ("-angry < 3", [("type", 1, "'-' needs a number")]),
        ("angry < 3", [("type", 0, "'<' needs numbers")]),
        ("(trust + 1) and calm", [("type", 1, "'trust + 1' is an int")]),
        ("visits('intro') and calm", [("type", 0, "visits('intro') is an int")]),
        ("mood == angry", [("type", 5, "'==' compares 'mood' (an int) with 'angry'")]),
        ("mood", [("type", 0, "condition must be true or false, but this is an int")]),
        ("mood + 1", [("type", 0, "condition must be true or false, but this is an int")]),
        ("visits('intro')", [("type", 0, "condition must be true or false")]),
        (
            "(true + false) > 1",
            [("type", 1, "'true' is true/false"), ("type", 8, "'false' is true/false")],
        ),
        ("mood < 3 and moo > 1", [("undeclared", 13, "unknown variable 'moo'")]),
        ("turn > 3", [("undeclared", 0, "did you mean 'turns'")]),
        ("visited", [("undeclared", 0, "'visited' is a function: write visited('node')")]),
        # no cascading reports from an unknown name
        ("moood + 1 > 2 and angry", [("undeclared", 0, "did you mean 'mood'")]),
        ("not moood", [("undeclared", 4, "did you mean 'mood'")]),
        ("moood == angry", [("undeclared", 0, "did you mean 'mood'")]),
        ("moood", [("undeclared", 0, "did you mean 'mood'")]),
        ("-(moood + 1) < 2", [("undeclared", 2, "unknown variable 'moood'")]),
        ("visited('detials')", [("unknown-node", 8, "unknown node 'detials'")]),
        ("visits('intor') > 0", [("unknown-node", 7, "did you mean 'intro'")]),
        ("chosen('refnd')", [("unknown-option", 7, "did you mean 'refund'")]),
        (
            "moo and visited('x') and chosen('y')",
            [
                ("undeclared", 0, "did you mean 'mood'"),
                ("unknown-node", 16, "unknown node 'x'"),
                ("unknown-option", 32, "unknown option 'y'"),
            ],
        ),
    ],
)
def test_check(source: str, expected: list[tuple[str, int, str]]) -> None:
    issues = check(parse(source), VARIABLES, NODES, OPTIONS)
    assert [(i.kind, i.offset) for i in issues] == [(kind, off) for kind, off, _ in expected]
    for issue, (_, _, fragment) in zip(issues, expected, strict=True):
        assert fragment in issue.message


def test_check_suggests_from_declared_variables() -> None:
    issues = check(parse("mod > 1"), VARIABLES)
    assert [i.message for i in issues] == ["unknown variable 'mod' (did you mean 'mood'?)"]


def test_unknown_name_without_close_match_has_no_suggestion() -> None:
    (issue,) = check(parse("zzz"), VARIABLES)
    assert issue.message == "unknown variable 'zzz'"


def test_turns_is_always_an_int() -> None:
    assert check(parse("turns > 0"), {"turns": "bool"}) == []
    assert check(parse("turns"), {}, expect="int") == []


def test_node_and_option_checks_are_skipped_without_lists() -> None:
    assert check(parse("visited('x') and chosen('y')"), {}) == []


@pytest.mark.parametrize(
    ("source", "expect", "kinds"),
    [
        ("mood + 1", "int", []),
        ("angry", "int", ["type"]),
        ("mood + 1", None, []),
        ("angry", None, []),
        ("angry", "bool", []),
    ],
)
def test_check_expect(source: str, expect: Type | None, kinds: list[str]) -> None:
    issues = check(parse(source), VARIABLES, expect=expect)
    assert [i.kind for i in issues] == kinds


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("mood + 1", "int"),
        ("-trust", "int"),
        ("mood > 1", "bool"),
        ("angry == calm", "bool"),
        ("visits('anything')", "int"),
        ("visited('anything')", "bool"),
        ("chosen('anything')", "bool"),
        ("turns", "int"),
        ("true", "bool"),
        ("mood and true", None),
        ("mood == calm", None),
        ("nope", None),
        ("nope > 1", None),
    ],
)
def test_infer(source: str, expected: Type | None) -> None:
    assert infer(parse(source), VARIABLES) == expected


# ---------------------------------------------------------------------------------------------
# Queries


def test_names() -> None:
    expr = parse("mood < 3 and visited('x') or turns > trust and not mood == 1")
    assert names(expr) == {"mood", "turns", "trust"}
    assert names(parse("visits('a') > 0 and true")) == set()


def test_calls() -> None:
    expr = parse("visited('a') and not chosen(\"b\") or visits('c') > turns")
    assert [(c.func, c.arg, c.offset, c.arg_offset) for c in calls(expr)] == [
        ("visited", "a", 0, 8),
        ("chosen", "b", 21, 28),
        ("visits", "c", 36, 43),
    ]
    assert calls(parse("mood > 1")) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("mood <= -7", [("mood", -7, 8)]),
        ("3 < trust", [("trust", 3, 0)]),
        ("- -2 > x", [("x", 2, 0)]),
        ("turns == 10", [("turns", 10, 9)]),
        (
            "mood <= -7 and 3 < trust or mood != 99",
            [("mood", -7, 8), ("trust", 3, 15), ("mood", 99, 36)],
        ),
        ("mood == trust", []),
        ("calm == true", []),
        ("mood + 1 > 2", []),
        ("visits('a') > 2", []),
        ("1 < 2", []),
    ],
)
def test_literal_comparisons(source: str, expected: list[tuple[str, int, int]]) -> None:
    assert literal_comparisons(parse(source)) == expected


# ---------------------------------------------------------------------------------------------
# Unparsing


@pytest.mark.parametrize(
    ("source", "canonical"),
    [
        ("mood<=-4 and not visited( 'details' )", "mood <= -4 and not visited('details')"),
        ("(a and b) and c", "a and b and c"),
        ("a and (b and c)", "a and (b and c)"),
        ("(a or b) and c", "(a or b) and c"),
        ("not (a or b)", "not (a or b)"),
        ("(not a) == b", "(not a) == b"),
        ("not (a == b)", "not a == b"),
        ("(a < b) == c", "(a < b) == c"),
        ("a - (b + c)", "a - (b + c)"),
        ("(a - b) + c", "a - b + c"),
        ("-(a + 1)", "-(a + 1)"),
        ("- - a", "-(-a)"),
        ("-(not a)", "-(not a)"),
        ("((mood))", "mood"),
        ("True or False", "true or false"),
        ('visited("it\'s")', 'visited("it\'s")'),
        ('chosen("refund")', "chosen('refund')"),
    ],
)
def test_unparse(source: str, canonical: str) -> None:
    expr = parse(source)
    assert unparse(expr) == canonical
    assert unparse(parse(unparse(expr))) == canonical
    assert shape(parse(unparse(expr))) == shape(expr)


def test_unparse_of_built_trees() -> None:
    built = Binary("-", Name("a", 0), Unary("-", Literal(5, 0), 0), 0)
    assert unparse(built) == "a - -5"
    assert shape(parse(unparse(built))) == shape(built)


# ---------------------------------------------------------------------------------------------
# Data types


def test_error_and_tree_types() -> None:
    error = ExprError("use '==' to compare", 5)
    assert (error.message, error.offset, str(error)) == ("use '==' to compare", 5, error.message)
    with pytest.raises(dataclasses.FrozenInstanceError):
        parse("a").offset = 3  # type: ignore[misc]
    issue = check(parse("mood"), VARIABLES)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        issue.offset = 1  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# Properties

EXPR_ALPHABET = "ab_xyz019 ()+-=!<>&|'\"notandrvisdc.,*\t\n"


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=80), st.text(alphabet=EXPR_ALPHABET, max_size=80)))
def test_parse_returns_expr_or_raises_expr_error(source: str) -> None:
    try:
        result = parse(source)
    except ExprError as error:
        assert 0 <= error.offset <= len(source)
        assert error.message
    else:
        assert isinstance(result, Literal | Name | Call | Unary | Binary)
        assert shape(parse(unparse(result))) == shape(result)


def _trees() -> st.SearchStrategy[Expr]:
    leaves: st.SearchStrategy[Expr] = st.one_of(
        st.builds(Literal, st.integers(min_value=0, max_value=999) | st.booleans(), st.just(0)),
        st.builds(Name, st.sampled_from(["mood", "trust", "turns", "angry", "x_1"]), st.just(0)),
        st.builds(
            Call,
            st.sampled_from(["visited", "visits", "chosen"]),
            st.sampled_from(["intro", "it's", "a b"]),
            st.just(0),
            st.just(0),
        ),
    )

    def extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
        return st.one_of(
            st.builds(Unary, st.sampled_from(["-", "not"]), children, st.just(0)),
            st.builds(
                Binary,
                st.sampled_from(["+", "-", "==", "!=", "<", "<=", ">", ">=", "and", "or"]),
                children,
                children,
                st.just(0),
            ),
        )

    return st.recursive(leaves, extend, max_leaves=12)


@given(_trees())
def test_unparse_round_trips_any_tree(expr: Expr) -> None:
    assert shape(parse(unparse(expr))) == shape(expr)
