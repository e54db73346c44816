"""Focused tests of simulator.yamlsource: marks, duplicate keys, limits, tags and encodings.

Resource limits are checked by their outcome (the code, the place, and that no large structure
was built), never by wall time: timing belongs in the benchmarks.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pytest

from simulator.errors import Problem, Severity
from simulator.loader import load_scenario_document
from simulator.yamlsource import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    Document,
    Mark,
    parse_document,
    read_document,
    walk_strings,
)

NAME = "x.scenario.yaml"


def parse(text: str) -> tuple[Document | None, list[Problem]]:
    return parse_document(textwrap.dedent(text), NAME)


def ok(text: str) -> Document:
    doc, problems = parse(text)
    assert doc is not None and problems == [], [p.format() for p in problems]
    return doc


def where(problems: list[Problem]) -> list[tuple[str, int, int]]:
    return [(p.code, p.line, p.col) for p in problems]


def only(problems: list[Problem], code: str) -> Problem:
    assert [p.code for p in problems] == [code], [p.format() for p in problems]
    problem = problems[0]
    assert problem.path == NAME and problem.severity is Severity.ERROR and problem.message
    return problem


# -- marks ------------------------------------------------------------------------------------

MARKED = """\
title: Mini
context:
  issue: "product_faulty"
  channel: 'telephone'
"quoted key": 1
'single': 2
list:
  - a
  - "b"
  -   c
flow: {a: 1, "b": [x, 'y']}
é: "ü"
block: |
  two
  lines
"""


def test_value_marks_are_one_based_and_point_at_the_value() -> None:
    doc = ok(MARKED)
    assert doc.marks[()] == Mark(1, 1)
    assert doc.marks[("title",)] == Mark(1, 8)
    assert doc.marks[("context",)] == Mark(3, 3)  # a block mapping starts at its first key
    assert doc.marks[("list", 0)] == Mark(8, 5)
    assert doc.marks[("list", 2)] == Mark(10, 7)
    assert doc.marks[("flow",)] == Mark(11, 7)
    assert doc.marks[("flow", "a")] == Mark(11, 11)
    assert doc.marks[("flow", "b", 0)] == Mark(11, 20)
    assert doc.marks[("block",)] == Mark(13, 8)


def test_quoted_values_are_marked_at_the_first_character_inside_the_quotes() -> None:
    doc = ok(MARKED)
    assert doc.marks[("context", "issue")] == Mark(3, 11)  # `"` is column 10
    assert doc.marks[("context", "channel")] == Mark(4, 13)  # `'` is column 12
    assert doc.marks[("list", 1)] == Mark(9, 6)
    assert doc.marks[("flow", "b", 1)] == Mark(11, 24)


def test_key_marks_point_at_the_key_including_quoted_keys() -> None:
    doc = ok(MARKED)
    assert doc.key_marks[("title",)] == Mark(1, 1)
    assert doc.key_marks[("context", "issue")] == Mark(3, 3)
    assert doc.key_marks[("quoted key",)] == Mark(5, 2)
    assert doc.key_marks[("single",)] == Mark(6, 2)
    assert doc.key_marks[("flow", "b")] == Mark(11, 15)
    assert doc.key_mark(("list", 0)) == doc.mark(("list", 0))  # a list item has no key


def test_columns_count_characters_not_bytes() -> None:
    doc = ok(MARKED)
    assert doc.key_marks[("é",)] == Mark(12, 1)
    assert doc.marks[("é",)] == Mark(12, 5)


def test_mark_of_a_missing_path_falls_back_to_the_nearest_ancestor() -> None:
    doc = ok(MARKED)
    assert doc.mark(("context", "customer", "name")) == doc.marks[("context",)]
    assert doc.mark(("nowhere",)) == Mark(1, 1)


@pytest.mark.parametrize(
    ("line", "value_col"),
    [("if: mood => 2", 5), ("if: 'mood => 2'", 6), ('if: "mood => 2"', 6)],
    ids=["plain", "single-quoted", "double-quoted"],
)
def test_offsets_inside_one_line_strings_move_the_column(line: str, value_col: int) -> None:
    doc = ok(line + "\n")
    assert doc.problem("E030", ("if",), "m", offset=5).col == value_col + 5  # at `=>`
    assert doc.problem("E030", ("if",), "m", offset=5, at_key=True).col == 1


@pytest.mark.parametrize(
    "line", ['if: "say \\"hi\\" => 2"', "if: 'it''s => 2'", 'if: "\\u00e9 => 2"']
)
def test_offsets_do_not_move_the_column_in_strings_with_escapes(line: str) -> None:
    """With escapes, a character offset in the value is not a column offset in the source."""
    doc = ok(line + "\n")
    assert doc.problem("E030", ("if",), "m", offset=5).col == doc.marks[("if",)].col


def test_offsets_do_not_move_the_column_in_block_strings() -> None:
    doc = ok("if: |\n  mood => 2\n")
    assert doc.problem("E030", ("if",), "m", offset=5).col == doc.marks[("if",)].col


def test_an_unquoted_condition_error_points_at_the_bad_token() -> None:
    """A plain (unquoted) condition is located as exactly as a quoted one: at the `=>`."""
    text = Path(__file__).parent.joinpath("fixtures", "valid", "mini.scenario.yaml").read_text()
    assert 'if: "mood > -2 and not refund"' in text
    for written in ('"mood => -2"', "mood => -2", "'mood => -2'"):
        bad = text.replace('"mood > -2 and not refund"', written)
        row = next(i for i, line in enumerate(bad.splitlines()) if "mood => -2" in line)
        col = bad.splitlines()[row].index("=>") + 1
        doc, _ = parse_document(bad, "mini.scenario.yaml")
        assert doc is not None
        problems = [p for p in load_scenario_document(doc).problems if p.code == "E030"]
        assert [(p.line, p.col) for p in problems] == [(row + 1, col)], written


# -- duplicate keys ---------------------------------------------------------------------------


def test_duplicate_key_is_reported_at_the_second_key_naming_the_first_line() -> None:
    doc, problems = parse(
        """\
        a: 1
        b: 2
        a: 3
        """
    )
    problem = only(problems, "E004")
    assert (problem.line, problem.col) == (3, 1)
    assert "line 1" in problem.message and "'a'" in problem.message
    assert doc is not None and doc.data == {"a": 1, "b": 2}  # the first one is read


def test_nested_and_flow_duplicate_keys_are_each_reported() -> None:
    _, problems = parse(
        """\
        nodes:
          opening:
            say: hi
            say: again
          other: {x: 1, "x": 2}
        """
    )
    assert where(problems) == [("E004", 4, 5), ("E004", 5, 18)]
    assert "line 3" in problems[0].message and "line 5" in problems[1].message


# -- resource limits (E002) --------------------------------------------------------------------

LAUGHS = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [
        f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]"
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
    ]
)  # a billion values if expanded; 600 bytes here


def test_billion_laughs_is_refused_without_being_expanded() -> None:
    tracemalloc.start()
    try:
        doc, problems = parse_document(LAUGHS, NAME)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert doc is None
    problem = only(problems, "E002")
    assert f"{MAX_NODES:,}" in problem.message
    assert problem.line == 5  # expansion passes the limit inside `e: &e [*d, ...]`
    # Expanding it would take tens of gigabytes; refusing it must stay small.
    assert peak < 200 * 1024 * 1024, f"{peak / 1_048_576:.0f} MB were allocated"


def test_too_many_plain_values_are_refused() -> None:
    doc, problems = parse_document("a: [" + "1, " * (MAX_NODES + 10) + "1]\n", NAME)
    assert doc is None and only(problems, "E002")


@pytest.mark.parametrize(
    "text",
    [
        "- 1\n" * (MAX_NODES + 1),  # a block list: read as a plain tree, no alias anywhere
        "".join(f"k{i}: 1\n" for i in range(MAX_NODES // 2 + 1)),
    ],
    ids=["block list", "many keys"],
)
def test_too_many_values_without_aliases_are_refused_with_a_place(text: str) -> None:
    """Attack report B4: these raised IndexError in the alias bookkeeping."""
    doc, problems = parse_document(text, NAME)
    assert doc is None and only(problems, "E002")
    assert "more than 100,000 values" in problems[0].message
    assert problems[0].line > 1


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 10_000 + "]" * 10_000 + "\n",
        "a: " + "{b: " * 10_000 + "}" * 10_000 + "\n",
        "- " * 10_000 + "x\n",
        "a: " + "[" * 10_000,  # unclosed as well
    ],
    ids=["flow-lists", "flow-maps", "block-lists", "unclosed"],
)
def test_nesting_ten_thousand_deep_is_refused(text: str) -> None:
    doc, problems = parse_document(text, NAME)
    assert doc is None
    problem = only(problems, "E002")
    assert f"{MAX_DEPTH}" in problem.message


def test_nesting_at_the_limit_is_accepted_and_one_more_is_refused() -> None:
    # the root mapping holds MAX_DEPTH lists; the scalar inside is MAX_DEPTH levels down
    deepest = "a: " + "[" * (MAX_DEPTH - 1) + "x" + "]" * (MAX_DEPTH - 1) + "\n"
    assert parse_document(deepest, NAME)[1] == []
    too_deep = "a: " + "[" * MAX_DEPTH + "x" + "]" * MAX_DEPTH + "\n"
    doc, problems = parse_document(too_deep, NAME)
    assert doc is None and (only(problems, "E002").line, problems[0].col) == (1, 4 + MAX_DEPTH)


def test_a_file_of_a_million_brackets_is_refused_not_a_crash() -> None:
    """libyaml's composer recurses in C: this used to kill the interpreter (a segfault)."""
    code = (
        "from simulator.yamlsource import parse_document\n"
        "doc, problems = parse_document('[' * 1_000_000 + ']' * 1_000_000, 'x.yaml')\n"
        "print(doc, [p.code for p in problems])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "None ['E002']"


def test_recursive_alias_is_refused() -> None:
    doc, problems = parse_document("a: &x [*x]\n", NAME)
    assert doc is None and only(problems, "E002")


def test_a_fifty_megabyte_file_is_refused_by_read_document(tmp_path: Path) -> None:
    path = tmp_path / "big.scenario.yaml"
    chunk = b"key: value that repeats\n" * 4096
    with path.open("wb") as f:
        for _ in range(50 * 1024 * 1024 // len(chunk) + 1):
            f.write(chunk)
    assert path.stat().st_size >= 50 * 1024 * 1024
    doc, problems = read_document(path, NAME)
    assert doc is None
    problem = only(problems, "E002")
    assert (problem.line, problem.col) == (1, 1)
    assert f"{path.stat().st_size:,} bytes" in problem.message


def test_a_string_over_the_limit_is_refused_by_parse_document() -> None:
    doc, problems = parse_document("title: x\n# " + "x" * MAX_BYTES + "\n", NAME)
    assert doc is None and only(problems, "E002")


def test_the_size_limit_counts_utf8_bytes_not_characters() -> None:
    text = "title: " + "é" * (MAX_BYTES // 2 + 1) + "\n"
    assert len(text) < MAX_BYTES < len(text.encode("utf-8"))
    assert only(parse_document(text, NAME)[1], "E002")


def test_a_file_just_under_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "near.scenario.yaml"
    head = b"title: x\n# "
    path.write_bytes(head + b"x" * (MAX_BYTES - len(head) - 1) + b"\n")
    assert path.stat().st_size == MAX_BYTES
    doc, problems = read_document(path, NAME)
    assert problems == [] and doc is not None and doc.data == {"title": "x"}


def test_a_number_too_long_to_convert_is_refused() -> None:
    doc, problems = parse_document("version: " + "1" * 5000 + "\n", NAME)
    assert only(problems, "E002").col == 10
    assert doc is not None and doc.data == {"version": None}


# -- tags (E003) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "col"),
    [
        ("title: !!python/object/apply:os.system ['touch {pwned}']\n", 8),
        ("title: !!python/object/new:os.system ['touch {pwned}']\n", 8),
        ("title: !!python/object:os.system {}\n", 8),
        ("title: !!python/name:os.system\n", 8),
        ("title: !!python/tuple [1, 2]\n", 8),
        ("title: !!python/str x\n", 8),
        ("!!python/name:os.system title: x\n", 1),
    ],
)
def test_python_tags_are_refused(text: str, col: int, tmp_path: Path) -> None:
    pwned = tmp_path / "pwned"
    doc, problems = parse_document(text.replace("{pwned}", str(pwned)), NAME)
    problem = only(problems, "E003")
    assert (problem.line, problem.col) == (1, col)
    assert "python" in problem.message
    assert not pwned.exists()
    assert doc is not None and doc.data.get("title") is None


@pytest.mark.parametrize(
    "value",
    ["!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]", "!!pairs [a: 1]", "!!set x",
     "!!seq x", "!!map x", "!custom x", "!!int abc", "!!int", "!!float x", "!!bool maybe",
     "!!null [1]", "!!str {a: 1}"],
)  # fmt: skip
def test_other_tags_and_badly_tagged_values_are_refused(value: str) -> None:
    doc, problems = parse_document(f"title: {value}\n", NAME)
    assert only(problems, "E003").col == 8
    assert doc is not None and doc.data == {"title": None}


@pytest.mark.parametrize(
    ("value", "data"),
    [("<<", "<<"), ("=", "="), ("2024-02-30", "2024-02-30"), ("2024-01-02", "2024-01-02"),
     ("!!str 12", "12"), ("!!int '12'", 12), ("! x", "x"), ("1_000", 1000), (".inf", float("inf"))],
)  # fmt: skip
def test_plain_data_is_read_as_written(value: str, data: object) -> None:
    """Merge and value indicators are text, and dates stay text (even impossible ones)."""
    assert ok(f"title: {value}\n").data == {"title": data}


# -- reading files (E001) -----------------------------------------------------------------------


def test_non_utf8_file_is_located_at_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin.scenario.yaml"
    path.write_bytes(b"format: 1\nid: latin\ntitle: Caf\xe9 owner\n")
    doc, problems = read_document(path, NAME)
    assert doc is None
    problem = only(problems, "E001")
    assert (problem.line, problem.col) == (3, 11)
    assert "UTF-8" in problem.message


def test_utf8_with_a_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.scenario.yaml"
    path.write_bytes("\ufefftitle: Café\n".encode())
    doc, problems = read_document(path, NAME)
    assert problems == [] and doc is not None and doc.data == {"title": "Café"}
    assert doc.key_marks[("title",)] == Mark(1, 1)


@pytest.mark.parametrize(
    "content", [b"", b"\n\n", b"   \n", b"# only a comment\n", b"\xef\xbb\xbf"]
)
def test_empty_file_is_e001(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.scenario.yaml"
    path.write_bytes(content)
    doc, problems = read_document(path, NAME)
    assert doc is None
    assert "empty" in only(problems, "E001").message


def test_multi_document_file_is_e001_at_the_second_document(tmp_path: Path) -> None:
    path = tmp_path / "multi.scenario.yaml"
    path.write_text("title: one\n---\ntitle: two\n")
    doc, problems = read_document(path, NAME)
    assert doc is None
    assert only(problems, "E001").line == 2


def test_missing_file_is_e001(tmp_path: Path) -> None:
    doc, problems = read_document(tmp_path / "nope.scenario.yaml", NAME)
    assert doc is None and "cannot read" in only(problems, "E001").message


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [("a: b\nc: d\x00e\n", 2, 5), ("a: b\nüü: x\x01\n", 2, 6), ("a: \x1b[31mred\n", 1, 4)],
    ids=["nul", "control-after-unicode", "escape"],
)
def test_control_characters_are_e001_where_they_are(text: str, line: int, col: int) -> None:
    doc, problems = parse_document(text, NAME)
    assert doc is None
    assert (only(problems, "E001").line, problems[0].col) == (line, col)


def test_a_lone_surrogate_is_e001_not_an_exception() -> None:
    doc, problems = parse_document("a: b\nc: x\ud800\n", NAME)
    assert doc is None
    assert (only(problems, "E001").line, problems[0].col) == (2, 5)


def test_syntax_errors_are_e001_with_a_place() -> None:
    doc, problems = parse("a: [unclosed\nb: 1\n")
    assert doc is None and only(problems, "E001").line >= 1


def test_tabs_in_indentation_are_e001_with_advice() -> None:
    _, problems = parse("a:\n\tb: 1\n")
    assert "spaces" in only(problems, "E001").message


# -- helpers --------------------------------------------------------------------------------


def test_walk_strings_finds_every_string_with_its_path() -> None:
    data = {"a": "x", "b": [1, "y", {"c": "z"}], "d": None}
    assert list(walk_strings(data)) == [(("a",), "x"), (("b", 1), "y"), (("b", 2, "c"), "z")]


def test_non_text_keys_become_text_and_collection_keys_are_refused() -> None:
    doc, problems = parse("1: a\ntrue: b\n~: c\n[x]: d\n")
    assert doc is not None and doc.data == {"1": "a", "true": "b", "~": "c"}
    assert where(problems) == [("E010", 4, 1)]
