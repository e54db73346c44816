"""The JSON Schema: generated from simulator.spec, valid draft-07, and in agreement with the loader.

The schema is what editors use (red squiggles while writing); the loader's shape check is what
``roleplay lint`` uses. Both come from the same spec, and these tests check that they accept and
refuse the same files.
"""

from __future__ import annotations

import copy
import json
import random
import re
import string
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from simulator import spec
from simulator.errors import Problem
from simulator.loader import Conformer, load_scenario_document
from simulator.yamlsource import Document, parse_document

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "schema" / "scenario.schema.json"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
VALID_DIR = FIXTURES / "valid"
MODELINE = "# yaml-language-server: $schema=../schema/scenario.schema.json"
SUFFIX = ".scenario.yaml"
STRUCTURAL = {"E010", "E011", "E012", "E013"}


def bundled() -> list[Path]:
    return sorted((ROOT / "scenarios").glob(f"*{SUFFIX}"))


def valid_fixtures() -> list[Path]:
    """The hand-written valid scenarios in tests/fixtures/valid/."""
    return sorted(VALID_DIR.glob(f"*{SUFFIX}"))


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text())
    return loaded


def load_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def errors(validator: jsonschema.protocols.Validator, data: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in validator.iter_errors(data)
    ]


# -- the generated file ------------------------------------------------------------------------


def test_schema_file_is_up_to_date() -> None:
    expected = json.dumps(spec.json_schema(), indent=2) + "\n"
    assert SCHEMA_PATH.exists(), f"{SCHEMA_PATH} is missing: run make docs"
    assert SCHEMA_PATH.read_text() == expected, (
        "schema/scenario.schema.json is stale (simulator/spec.py changed): run make docs"
    )


def test_schema_is_valid_draft_07() -> None:
    jsonschema.Draft7Validator.check_schema(schema())
    assert schema()["$schema"] == "http://json-schema.org/draft-07/schema#"


# -- real files validate ----------------------------------------------------------------------


def test_there_is_a_valid_fixture() -> None:
    assert valid_fixtures(), "tests/fixtures/valid/ has no scenario"


@pytest.mark.parametrize("path", valid_fixtures(), ids=lambda p: p.name)
def test_valid_fixtures_validate(path: Path) -> None:
    assert errors(jsonschema.Draft7Validator(schema()), load_yaml(path)) == []


BUNDLED = bundled()


@pytest.mark.skipif(not BUNDLED, reason="no bundled scenarios in scenarios/ yet")
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_scenarios_validate(path: Path) -> None:
    assert errors(jsonschema.Draft7Validator(schema()), load_yaml(path)) == []


@pytest.mark.skipif(not BUNDLED, reason="no bundled scenarios in scenarios/ yet")
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_scenarios_point_editors_at_the_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first == MODELINE, f"{path.name}: the first line must be exactly {MODELINE!r}"
    assert (path.parent / MODELINE.split("=", 1)[1]).resolve() == SCHEMA_PATH


def test_format_doc_complete_example_validates() -> None:
    doc = ROOT / "docs" / "scenario-format.md"
    if not doc.exists():
        pytest.skip("docs/scenario-format.md is not written yet")
    text = doc.read_text()
    if "## A complete example" not in text:
        pytest.skip("docs/scenario-format.md has no complete example")
    block = re.search(r"```yaml\n(.*?)```", text[text.index("## A complete example") :], re.S)
    assert block is not None
    data = yaml.load(block.group(1), Loader=yaml.CSafeLoader)
    assert errors(jsonschema.Draft7Validator(schema()), data) == []


# -- the schema and the loader agree -------------------------------------------------------------
#
# Compared: the schema's verdict and the problems of the loader's *shape check* (the Conformer,
# codes E010-E013), which load_scenario_document runs first. Left out on purpose, because the
# schema cannot express them or they are not about shape, are the loader's later semantic
# checks: E013 for an `id` that differs from the file stem, an unsupported `format` (the schema
# only says minimum 1), a reserved variable name (turns, true, set, ...) and `narrator` declared
# in cast; E011 for a cast without `customer`; and E014-E017 (duplicate option ids, conflicting
# keys, inconsistent variables, more than nine options). Problems found while reading the YAML
# (E001-E004: syntax, limits, tags, duplicate keys) are not compared either.
#
# Two places where a generic JSON Schema validator differs from the standard the editors follow
# are pinned down by the strict validator below:
#   * JSON has one number type, so draft-07 counts 1.0 as an "integer"; YAML tells 1.0 (a float)
#     from 1, and the loader refuses `version: 1.0`. An editor accepts it: a known difference.
#   * ECMA-262 (which JSON Schema patterns follow) reads `$` as the end of the text, while
#     Python's `re.search` also lets `$` match before a final newline; the loader uses
#     re.fullmatch, which is the ECMA meaning, so the strict validator uses it too.


def _ecma_pattern(
    validator: Any, pattern: str, instance: Any, _schema: dict[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    if validator.is_type(instance, "string"):
        anchored = pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern
        if not re.search(anchored, instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


StrictValidator = jsonschema.validators.extend(
    jsonschema.Draft7Validator,
    validators={"pattern": _ecma_pattern},
    type_checker=jsonschema.Draft7Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool)
    ),
)


@cache
def strict() -> Any:
    return StrictValidator(schema())


def shape_problems(text: str, name: str) -> tuple[Document, list[Problem]]:
    """The loader's shape-check problems for ``text``, checked to be how loading begins."""
    doc, read_problems = parse_document(text, name)
    assert doc is not None and read_problems == [], [p.format() for p in read_problems]
    problems: list[Problem] = []
    Conformer(doc, problems).conform(spec.SCENARIO, doc.data, ())
    again, _ = parse_document(text, name)
    assert again is not None
    loaded = load_scenario_document(again)
    assert loaded.problems[: len(problems)] == problems, "loading starts with the shape check"
    assert {p.code for p in problems} <= STRUCTURAL
    return doc, problems


def test_a_generic_validator_takes_integral_floats_as_integers() -> None:
    """The known difference above: `version: 2.0` is fine for an editor, an error for lint."""
    data = load_yaml(valid_fixtures()[0])
    data["version"] = 2.0
    assert jsonschema.Draft7Validator(schema()).is_valid(data)
    assert not strict().is_valid(data)
    _, problems = shape_problems(yaml.safe_dump(data), valid_fixtures()[0].name)
    assert [p.code for p in problems] == ["E010"]


@pytest.mark.parametrize(
    "path",
    sorted((FIXTURES / "lint").glob(f"*{SUFFIX}")),
    ids=lambda p: p.name.removesuffix(SUFFIX),
)
def test_lint_fixtures_are_refused_by_the_schema_exactly_when_their_shape_is_wrong(
    path: Path,
) -> None:
    doc, read_problems = parse_document(path.read_text(encoding="utf-8"), path.name)
    if doc is None or read_problems:
        pytest.skip("a YAML-level problem (E001-E004): nothing to compare")
    _, problems = shape_problems(path.read_text(encoding="utf-8"), path.name)
    assert strict().is_valid(doc.data) == (problems == []), [p.format() for p in problems]


# A spec-aware walk: every value in the data with the spec that governs it.


def _basic(s: spec.Spec, value: Any) -> bool:
    if isinstance(s, spec.Text):
        return isinstance(value, str)
    if isinstance(s, spec.Integer):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(s, spec.Boolean):
        return isinstance(value, bool)
    if isinstance(s, spec.ListOf):
        return isinstance(value, list)
    if isinstance(s, spec.Fields | spec.MapOf):
        return isinstance(value, dict)
    return True


def slots(
    value: Any, s: spec.Spec = spec.SCENARIO, path: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], spec.Spec, Any]]:
    if isinstance(s, spec.OneOf):
        choice = next((c for c in s.choices if _basic(c, value)), None)
        yield path, s, value
        if choice is not None and not isinstance(choice, spec.Text | spec.Integer):
            yield from (t for t in slots(value, choice, path) if t[0] != path)
        return
    yield path, s, value
    if not _basic(s, value):
        return
    if isinstance(s, spec.Fields):
        for key, item in value.items():
            if key in s.keys:
                yield from slots(item, s.keys[key].spec, (*path, key))
    elif isinstance(s, spec.MapOf):
        for key, item in value.items():
            yield from slots(item, s.reserved.get(key, s.value), (*path, key))
    elif isinstance(s, spec.ListOf):
        for i, item in enumerate(value):
            yield from slots(item, s.item, (*path, i))


def get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def put(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    get(data, path[:-1])[path[-1]] = value
    return data


OF_TYPE: dict[str, st.SearchStrategy[Any]] = {
    "int": st.integers(-5, 5) | st.integers(),
    "str": st.sampled_from(["", "x", "opening", "Bad Id", "a\n", "-x", "1a", "é"]) | st.text(),
    "bool": st.booleans(),
    "list": st.lists(st.integers() | st.text(max_size=5), max_size=3),
    "dict": st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=3),
    "none": st.none(),
    "float": st.floats() | st.sampled_from([0.5, 1.0, -2.0]),
}
SEEDS = valid_fixtures() * 4 + BUNDLED  # the small fixture more often: it is 30 times faster


@cache
def _seed(path: Path) -> Any:
    return load_yaml(path)


def mutate(data: Any, kind: str, draw: st.DataObject, rnd: random.Random) -> Any:
    """Apply one structural mutation; return the new root (kinds that do not apply do nothing)."""
    every = list(slots(data))
    fields = [t for t in every if isinstance(t[1], spec.Fields) and isinstance(t[2], dict)]
    if kind == "unknown-key" and fields:
        path, s, value = rnd.choice(fields)
        known = list(s.keys)  # type: ignore[attr-defined]
        key = draw.draw(
            st.sampled_from(known).map(lambda k: k[:-1] + rnd.choice(string.ascii_lowercase))
            | st.text(min_size=1, max_size=8),
            label="key",
        )
        value[key] = draw.draw(OF_TYPE["str"] | OF_TYPE["int"], label="value")
    elif kind == "missing-key":
        present = [
            (p, k)
            for p, s, v in fields
            for k, key in s.keys.items()
            if key.required and k in v  # type: ignore[attr-defined]
        ]
        if present:
            path, key = rnd.choice(present)
            del get(data, path)[key]
    elif kind == "wrong-type":
        path, _, value = rnd.choice(every)
        return put(data, path, draw.draw(OF_TYPE[rnd.choice(list(OF_TYPE))], label="new"))
    elif kind == "bad-enum":
        enums = [t for t in every if isinstance(t[1], spec.Text) and t[1].enum]
        if enums:
            path, s, _ = rnd.choice(enums)
            new = draw.draw(
                st.sampled_from([*s.enum, "happy", "Resolved", "resolved ", ""])  # type: ignore[attr-defined]
                | st.text(max_size=6),
                label="enum",
            )
            return put(data, path, new)
    elif kind == "bad-pattern":
        patterned = [t for t in every if isinstance(t[1], spec.Text) and t[1].pattern]
        maps = [
            t for t in every if isinstance(t[1], spec.MapOf) and isinstance(t[2], dict) and t[2]
        ]
        if patterned and rnd.random() < 0.5:
            path, _, _ = rnd.choice(patterned)
            return put(data, path, draw.draw(OF_TYPE["str"], label="text"))
        if maps:
            path, _, mapping = rnd.choice(maps)
            old = rnd.choice(list(mapping))
            new = draw.draw(OF_TYPE["str"], label="key")
            put(data, path, {(new if k == old else k): v for k, v in mapping.items()})
    elif kind == "out-of-range":
        ints = [t for t in every if isinstance(t[1], spec.Integer)]
        if ints:
            path, _, _ = rnd.choice(ints)
            return put(data, path, draw.draw(st.integers(-3, 5), label="int"))
    elif kind == "empty":
        sized = [
            t
            for t in every
            if isinstance(t[1], spec.ListOf | spec.MapOf) and isinstance(t[2], list | dict)
        ]
        if sized:
            path, _, value = rnd.choice(sized)
            value.clear()
    return data


KINDS = [
    "unknown-key", "missing-key", "wrong-type", "bad-enum", "bad-pattern", "out-of-range", "empty",
]  # fmt: skip


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    seed=st.sampled_from(SEEDS),
    kinds=st.lists(st.sampled_from(KINDS), max_size=3),
    draw=st.data(),
    rnd_seed=st.integers(0, 2**32),
)
def test_schema_refuses_exactly_what_the_shape_check_refuses(
    seed: Path, kinds: list[str], draw: st.DataObject, rnd_seed: int
) -> None:
    rnd = random.Random(rnd_seed)
    data = copy.deepcopy(_seed(seed))
    for kind in kinds:
        data = mutate(data, kind, draw, rnd)
    try:
        text = yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True)
    except (yaml.YAMLError, ValueError):
        assume(False)
    doc, read_problems = parse_document(text, seed.name)
    assume(doc is not None and not read_problems)
    assert doc is not None
    _, problems = shape_problems(text, seed.name)
    accepted = strict().is_valid(doc.data)
    event("refused by both" if problems else "accepted by both")
    assert accepted == (problems == []), (
        f"schema: {errors(strict(), doc.data)[:3]}; loader: {[p.format() for p in problems][:3]}"
    )
