"""Property-based fuzzing of the YAML reader, the loader, the linter and the engine.

Thousands of mutated scenarios (from the valid mini fixture and every bundled scenario) are fed
through ``parse_document`` -> ``load_scenario_document`` -> ``lint_loaded``, and some through
``check_scenario_file`` on disk. Whatever the input, nothing may raise: every outcome is a list of
located problems with a known code and a message, and a scenario with no errors can be played.

Mutations work on the data (delete, retype or misspell a key, swap node ids, random ``next``,
operator-soup conditions, deep nesting, huge numbers, random unicode) and on the text (truncate,
insert characters, duplicate a key line, tags, anchors and aliases, tabs, BOMs, NULs, CRs). The
budget keeps the whole file to well under a minute on a 2-core machine; nothing is marked slow.
"""

from __future__ import annotations

import copy
import random
import string
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from simulator.codes import BY_CODE
from simulator.engine import EngineError, Session
from simulator.errors import Problem, Severity, has_errors
from simulator.lint import check_scenario_file, lint_loaded
from simulator.loader import Loaded, load_scenario_document
from simulator.yamlsource import parse_document

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "valid" / "mini.scenario.yaml"
SUFFIX = ".scenario.yaml"
MAX_PLAY_STEPS = 50

FUZZ = settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)


# -- seeds --------------------------------------------------------------------------------------


def _seed_paths() -> list[Path]:
    return [MINI, *sorted((ROOT / "scenarios").glob(f"*{SUFFIX}"))]


SEED_PATHS = _seed_paths()


@cache
def seed_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@cache
def _seed_data(path: Path) -> Any:
    return yaml.load(seed_text(path), Loader=yaml.CSafeLoader)


def seed_data(path: Path) -> Any:
    return copy.deepcopy(_seed_data(path))


def display_name(path: Path) -> str:
    """The file name the seed is checked under, so its id equals the stem and it starts clean."""
    return path.name


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=100)


def test_seeds_are_clean() -> None:
    """Every seed is valid to begin with, so the fuzzing starts from real scenarios."""
    assert SEED_PATHS, "no seed scenarios found"
    for path in SEED_PATHS:
        problems, loaded = run_text(seed_text(path), display_name(path))
        assert not has_errors(problems), [p.format() for p in problems]
        assert loaded is not None and loaded.scenario is not None


# -- walking the data ---------------------------------------------------------------------------

Path_ = tuple[Any, ...]


def walk(value: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from walk(item, (*path, i))


def get(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]
    return data


def put(data: Any, path: Path_, value: Any) -> Any:
    """Set the value at ``path`` (the root when empty); return the new root."""
    if not path:
        return value
    get(data, path[:-1])[path[-1]] = value
    return data


# -- data mutations ---------------------------------------------------------------------------

KEYWORDS = [
    "format", "id", "version", "title", "context", "cast", "variables", "start", "nodes",
    "speaker", "say", "options", "next", "end", "if", "text", "effects", "set", "shows", "once",
    "fallback", "type", "default", "min", "max", "meter", "customer", "narrator", "turns",
]  # fmt: skip
OPERATORS = [
    "and", "or", "not", "==", "!=", "<", "<=", ">", ">=", "=>", "<>", "=", "+", "-", "*", "/",
    "(", ")", "((", "))", "true", "false", "True", "None", "is", "'", '"', ",", "visited(",
    "visits(", "chosen(", "visited('opening')", "visits('ask')", "chosen('sorry')", "mood",
    "refund", "turns", "x", "0", "1", "-1", "99", "2147483648", "1.5", "@", "#", "\\", "§",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(0, 1100).map(lambda k: 10**k),  # up to 1,101 digits
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(KEYWORDS),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=8), st.sampled_from(KEYWORDS)), children, max_size=4
        ),
    ),
    max_leaves=12,
)
soup = st.lists(st.sampled_from(OPERATORS) | st.text(max_size=3), max_size=12).map(" ".join)
ids = st.one_of(
    st.sampled_from(["opening", "middle", "ask", "done", "lost", "start", "", " ", "Opening"]),
    st.text(max_size=12),
    st.from_regex(r"[a-z][a-z0-9_.-]{0,10}", fullmatch=True),
)


def typo(key: str, rnd: random.Random) -> str:
    if not key:
        return "x"
    i = rnd.randrange(len(key))
    return rnd.choice(
        [
            key[:i] + key[i + 1 :],  # drop a character
            key[:i] + key[i] + key[i:],  # double one
            key[:i] + rnd.choice(string.ascii_letters) + key[i + 1 :],  # change one
            key.upper(),
            key + "s",
            " " + key,
        ]
    )


Mutation = Callable[[Any, st.DataObject, random.Random], Any]


def _pick(data: Any, rnd: random.Random, want: Callable[[Path_, Any], bool]) -> Path_ | None:
    found = [p for p, v in walk(data) if want(p, v)]
    return rnd.choice(found) if found else None


def m_delete_key(data: Any, draw: st.DataObject, rnd: random.Random) -> Any:
    path = _pick(data, rnd, lambda p, v: isinstance(v, dict) and bool(v))
    if path is not None:
        del get(data, path)[rnd.choice(list(get(data, path)))]
    return data


def m_retype(data: Any, draw: st.DataObject, rnd: random.Random) -> Any:
    path = _pick(data, rnd, lambda p, v: True)
    return put(data, path or (), draw.draw(values, label="new value"))


def m_rename_key(data: Any, draw: st.DataObject, rnd: random.Random) -> Any:
    path = _pick(data, rnd, lambda p, v: isinstance(v, dict) and bool(v))
    if path is not None:
        mapping = get(data, path)
        old = rnd.choice(list(mapping))
        new = typo(str(old), rnd)
        put(data, path, {(new if k == old else k): v for k, v in mapping.items()})
    return data


def m_add_key(data: Any, draw: st.DataObject, rnd: random.Random) -> Any:
    path = _pick(data, rnd, lambda p, v: isinstance(v, dict))
    if path is not None:
        key = draw.draw(st.sampled_from(KEYWORDS) | st.text(max_size=10), label="key")
        get(data, path)[key] = draw.draw(values, label="value")
    return data


def m_swap_node_ids(data: Any, draw: st.DataObject, rnd: random.Random) -> Any:
    nodes = data.get("nodes") if isinstance(data, dict) else None
    if isinstance(nodes, dict) and len(nodes) >= 2:
        a, b = rnd.sample(list(nodes), 2)
        data["nodes"] = {(b if k == a else a if k == b else k): v for k, v in nodes.items()}
    return data


def m_random_next(data: Any, draw: st.DataObject, rnd: random.Random) -> Any:
    path = _pick(data, rnd, lambda p, v: bool(p) and p[-1] in ("next", "start", "speaker"))
    if path is not None:
        put(data, path, draw.draw(ids, label="next"))
    return data


def m_condition_soup(data: Any, draw: st.DataObject, rnd: random.Random) -> Any:
    path = _pick(
        data,
        rnd,
        lambda p, v: isinstance(v, dict) and bool(p) and ("say" in v or "text" in v or "if" in v),
    )
    if path is not None:
        get(data, path)["if"] = draw.draw(soup, label="condition")
    return data


def m_effects(data: Any, draw: st.DataObject, rnd: random.Random) -> Any:
    path = _pick(data, rnd, lambda p, v: isinstance(v, dict) and "next" in v and "say" in v)
    if path is not None:
        name = draw.draw(st.sampled_from(["mood", "refund", "set", "turns", "nope"]), label="var")
        value = draw.draw(st.one_of(st.integers(-100, 100), st.booleans(), values), label="effect")
        if name == "set":
            value = {draw.draw(st.sampled_from(["mood", "refund", "x"])): value}
        get(data, path).setdefault("effects", {})
        if isinstance(get(data, path)["effects"], dict):
            get(data, path)["effects"][name] = value
    return data


def m_deep_nest(data: Any, draw: st.DataObject, rnd: random.Random) -> Any:
    path = _pick(data, rnd, lambda p, v: bool(p))
    depth = draw.draw(st.integers(1, 100), label="depth")
    value: Any = draw.draw(scalars, label="leaf")
    for _ in range(depth):
        value = [value] if rnd.random() < 0.5 else {"a": value}
    return put(data, path or (), value)


def m_unicode(data: Any, draw: st.DataObject, rnd: random.Random) -> Any:
    path = _pick(data, rnd, lambda p, v: isinstance(v, str) and bool(p))
    if path is not None:
        put(data, path, draw.draw(st.text(min_size=1, max_size=30), label="unicode"))
    return data


def m_options(data: Any, draw: st.DataObject, rnd: random.Random) -> Any:
    """Duplicate, drop or multiply options (duplicate ids, more than nine, none at all)."""
    path = _pick(data, rnd, lambda p, v: bool(p) and p[-1] == "options" and isinstance(v, list))
    if path is not None:
        options = get(data, path)
        if options:
            how = rnd.choice(["dup", "clear", "many", "fallback", "once"])
            if how == "dup":
                options.append(copy.deepcopy(rnd.choice(options)))
            elif how == "clear":
                options.clear()
            elif how == "many":
                options.extend(copy.deepcopy(options) * rnd.randint(1, 5))
            elif isinstance(options[0], dict):
                options[rnd.randrange(len(options))][how] = rnd.random() < 0.8
    return data


DATA_MUTATIONS: list[Mutation] = [
    m_delete_key, m_retype, m_rename_key, m_add_key, m_swap_node_ids, m_random_next,
    m_condition_soup, m_effects, m_deep_nest, m_unicode, m_options,
]  # fmt: skip


# -- text mutations -----------------------------------------------------------------------------

TAGS = [
    "!!python/object:os.system", "!!python/object/apply:os.system", "!!python/name:os.system",
    "!!python/tuple", "!!binary", "!!set", "!!omap", "!!pairs", "!!int", "!!float", "!!bool",
    "!!str", "!!null", "!!timestamp", "!!seq", "!!map", "!!merge", "!!value", "!foo", "!",
    "!<tag:yaml.org,2002:str>", "!<!bar>",
]  # fmt: skip
SPECIAL = [
    "\x00", "\ufeff", "\t", "\r", "\r\n", "\x85", "\u2028", "\u2029", "\x1b", "\x7f", "\ud800",
    "\udfff", "\x0b", "\x0c", "\u00e9", "\U0001f600", "#", "&", "*", "!", "|", ">", "- ", ": ",
    "? ", "[", "]", "{", "}", "'", '"', "%", "@", "`", "---", "...", "\n---\n", "\n...\n",
    "<<: *a\n", "\\",
]  # fmt: skip
LAUGHS = "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9)
)  # a small 'billion laughs' header: 9**8 values if expanded
LAUGHS = "l0: &l0 [lol]\n" + LAUGHS


def _line_starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, c in enumerate(text) if c == "\n" and i + 1 < len(text)]


def t_truncate(text: str, draw: st.DataObject, rnd: random.Random) -> str:
    return text[: draw.draw(st.integers(0, len(text)), label="cut")]


def t_insert(text: str, draw: st.DataObject, rnd: random.Random) -> str:
    at = draw.draw(st.integers(0, len(text)), label="at")
    piece = draw.draw(st.sampled_from(SPECIAL) | st.text(min_size=1, max_size=5), label="piece")
    return text[:at] + piece + text[at:]


def t_duplicate_key_line(text: str, draw: st.DataObject, rnd: random.Random) -> str:
    lines = text.split("\n")
    keyed = [i for i, line in enumerate(lines) if ":" in line and not line.lstrip().startswith("#")]
    if not keyed:
        return text
    i = rnd.choice(keyed)
    j = draw.draw(st.integers(i + 1, min(len(lines), i + 30)), label="where")
    return "\n".join([*lines[:j], lines[i], *lines[j:]])


def t_tag(text: str, draw: st.DataObject, rnd: random.Random) -> str:
    spots = [i + 2 for i in range(len(text) - 1) if text[i : i + 2] in (": ", "- ")]
    spots += [s for s in _line_starts(text)]  # a tag on a key
    if not spots:
        return text
    at = rnd.choice(spots)
    return text[:at] + draw.draw(st.sampled_from(TAGS), label="tag") + " " + text[at:]


def t_alias(text: str, draw: st.DataObject, rnd: random.Random) -> str:
    spots = [i + 2 for i in range(len(text) - 1) if text[i : i + 2] == ": "]
    if len(spots) < 2:
        return text
    a, b = sorted(rnd.sample(spots, 2))
    how = rnd.choice(["anchor-then-alias", "alias-first", "laughs", "undefined", "self"])
    if how == "laughs":
        return LAUGHS + text
    if how == "undefined":
        return text[:a] + "*nowhere " + text[a:]
    if how == "self":
        return text[:a] + "&s [*s] " + text[a:]
    first, second = (a, b) if how == "anchor-then-alias" else (b, a)
    line_end = text.find("\n", second)
    line_end = len(text) if line_end < 0 else line_end
    out = text[:second] + "*x" + text[line_end:] if second > first else text
    return out[:first] + "&x " + out[first:] if second > first else text[:a] + "*x " + text[a:]


def t_tabs(text: str, draw: st.DataObject, rnd: random.Random) -> str:
    starts = [s for s in _line_starts(text) if text.startswith("  ", s)]
    if not starts:
        return text.replace(" ", "\t", 1)
    s = rnd.choice(starts)
    return text[:s] + "\t" + text[s + 2 :]


def t_line_endings(text: str, draw: st.DataObject, rnd: random.Random) -> str:
    return text.replace("\n", rnd.choice(["\r\n", "\r", "\u2028", "\x85", "\n\n"]))


def t_bom(text: str, draw: st.DataObject, rnd: random.Random) -> str:
    return "\ufeff" + text if rnd.random() < 0.7 else text + "\ufeff"


def t_delete_line(text: str, draw: st.DataObject, rnd: random.Random) -> str:
    lines = text.split("\n")
    del lines[rnd.randrange(len(lines))]
    return "\n".join(lines)


def t_swap_lines(text: str, draw: st.DataObject, rnd: random.Random) -> str:
    lines = text.split("\n")
    if len(lines) >= 2:
        i, j = rnd.sample(range(len(lines)), 2)
        lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def t_indent(text: str, draw: st.DataObject, rnd: random.Random) -> str:
    lines = text.split("\n")
    i = rnd.randrange(len(lines))
    lines[i] = (" " * rnd.randint(1, 3) + lines[i]) if rnd.random() < 0.5 else lines[i].lstrip()
    return "\n".join(lines)


TextMutation = Callable[[str, st.DataObject, random.Random], str]
TEXT_MUTATIONS: list[TextMutation] = [
    t_truncate, t_insert, t_duplicate_key_line, t_tag, t_alias, t_tabs, t_line_endings, t_bom,
    t_delete_line, t_swap_lines, t_indent,
]  # fmt: skip


# -- checking one input -----------------------------------------------------------------------


def run_text(text: str, display: str) -> tuple[list[Problem], Loaded | None]:
    """Read, load and lint ``text`` the way ``check_scenario_file`` does for a file."""
    doc, problems = parse_document(text, display)
    if doc is None:
        assert has_errors(problems), "a document that did not parse must say why"
        return problems, None
    loaded = load_scenario_document(doc)
    loaded.problems[:0] = problems
    return lint_loaded(loaded), loaded


def check_problems(problems: list[Problem], text: str, display: str) -> None:
    lines = len(text.splitlines())
    for p in problems:
        assert isinstance(p, Problem)
        assert p.path == display
        assert p.line >= 1 and p.col >= 1, p.format()
        assert p.line <= lines + 1, f"{p.format()} (the text has {lines} lines)"
        assert p.code in BY_CODE, p.format()
        assert p.severity is BY_CODE[p.code].severity, p.format()
        assert isinstance(p.message, str) and p.message.strip(), p.format()
        assert isinstance(p.severity, Severity)


def play(loaded: Loaded | None, problems: list[Problem], rnd: random.Random) -> None:
    """A file without errors has a model, and random play raises only the engine's errors."""
    if has_errors(problems):
        return
    assert loaded is not None and loaded.scenario is not None, [p.format() for p in problems]
    scenario = loaded.scenario
    try:
        session = Session.start(scenario)
        for _ in range(MAX_PLAY_STEPS):
            available = session.available_options()
            if session.finished or not available:
                break
            choice = rnd.choice(available)
            session.choose(choice.id if rnd.random() < 0.7 else str(available.index(choice) + 1))
        saved = session.to_dict()
        resumed = Session.from_dict(scenario, saved)
        assert resumed.to_dict() == saved
        if session.chosen_path():
            assert session.undo()
    except EngineError:
        pass  # documented: OptionUnavailable, SessionOver, ResumeError


def outcome(problems: list[Problem], loaded: Loaded | None) -> None:
    """Label the example for ``--hypothesis-show-statistics``: how far the input got."""
    if loaded is None:
        event("not read: " + min(p.code for p in problems))
    elif has_errors(problems):
        event("read, with errors")
    else:
        event("no errors: played")


def check_text(text: str, display: str, rnd: random.Random) -> None:
    problems, loaded = run_text(text, display)
    check_problems(problems, text, display)
    outcome(problems, loaded)
    play(loaded, problems, rnd)


# -- strategies -----------------------------------------------------------------------------


@st.composite
def mutated_data_text(draw: st.DrawFn, max_mutations: int = 3) -> tuple[str, str]:
    """A seed's data with 1-3 data mutations, dumped to YAML, then maybe 0-2 text mutations."""
    path = draw(st.sampled_from(SEED_PATHS), label="seed")
    rnd = random.Random(draw(st.integers(0, 2**32), label="rnd"))
    data_obj = draw(st.data(), label="data")
    data = seed_data(path)
    for mutation in draw(
        st.lists(st.sampled_from(DATA_MUTATIONS), min_size=1, max_size=max_mutations)
    ):
        data = mutation(data, data_obj, rnd)
    try:
        text = dump(data)
    except (yaml.YAMLError, ValueError):  # e.g. a value the emitter cannot write
        text = seed_text(path)
    for t_mutation in draw(st.lists(st.sampled_from(TEXT_MUTATIONS), max_size=2)):
        text = t_mutation(text, data_obj, rnd)
    return text, display_name(path)


@st.composite
def mutated_text(draw: st.DrawFn) -> tuple[str, str]:
    """A seed's own text (comments and styles kept) with 1-4 text mutations."""
    path = draw(st.sampled_from(SEED_PATHS), label="seed")
    rnd = random.Random(draw(st.integers(0, 2**32), label="rnd"))
    data_obj = draw(st.data(), label="data")
    text = seed_text(path)
    for mutation in draw(st.lists(st.sampled_from(TEXT_MUTATIONS), min_size=1, max_size=4)):
        text = mutation(text, data_obj, rnd)
    return text, display_name(path)


# -- the properties -------------------------------------------------------------------------


@settings(FUZZ, max_examples=900)
@given(case=mutated_data_text(), play_seed=st.integers(0, 2**32))
def test_mutated_data_never_crashes(case: tuple[str, str], play_seed: int) -> None:
    text, display = case
    check_text(text, display, random.Random(play_seed))


@settings(FUZZ, max_examples=700)
@given(case=mutated_text(), play_seed=st.integers(0, 2**32))
def test_mutated_text_never_crashes(case: tuple[str, str], play_seed: int) -> None:
    text, display = case
    check_text(text, display, random.Random(play_seed))


@settings(FUZZ, max_examples=600)
@given(
    mutations=st.lists(st.sampled_from(DATA_MUTATIONS), min_size=1, max_size=2),
    data_obj=st.data(),
    rnd_seed=st.integers(0, 2**32),
)
def test_mini_mostly_valid_mutations_play(
    mutations: list[Mutation], data_obj: st.DataObject, rnd_seed: int
) -> None:
    """Small changes to the mini scenario: many stay free of errors, so play is exercised."""
    rnd = random.Random(rnd_seed)
    path = SEED_PATHS[0]
    data = seed_data(path)
    for mutation in mutations:
        data = mutation(data, data_obj, rnd)
    try:
        text = dump(data)
    except (yaml.YAMLError, ValueError):
        return
    check_text(text, display_name(path), rnd)


@settings(FUZZ, max_examples=400)
@given(text=st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_arbitrary_text_never_crashes(text: str) -> None:
    check_text(text, "x.scenario.yaml", random.Random(0))


TAG_VALUES = [
    "", "-", "+", ".", "0", "-0", "0x", "0xZZ", "0b", "0b2", "0o8", "0o", "1_000", "1:30", "1:",
    "1e", ".inf", ".nan", "~", "null", "yes", "no", "on", "maybe", "2024-02-30", "2024-13-45",
    "2001-12-14t21:59:43.10-05:00", "aGVsbG8=", "!!!", "<<", "=", "[1]", "{a: 1}", "'q'", "1" * 1200,
]  # fmt: skip


@settings(FUZZ, max_examples=400)
@given(
    tag=st.sampled_from(TAGS),
    value=st.sampled_from(TAG_VALUES) | st.text(max_size=8),
    key_tag=st.booleans(),
)
def test_tagged_scalars_never_crash(tag: str, value: str, key_tag: bool) -> None:
    """Every tag on every kind of scalar, as a value and as a key, is a problem, not a crash."""
    line = f"{tag} k: {value}" if key_tag else f"title: {tag} {value}"
    text = seed_text(SEED_PATHS[0]).replace("title: Mini", line)
    check_text(text, display_name(SEED_PATHS[0]), random.Random(0))


# -- well-typed changes: most stay free of errors, so the engine is played ---------------------

COMPARE = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
int_atoms = st.one_of(
    st.just("mood"),
    st.just("turns"),
    st.sampled_from(["opening", "middle", "ask", "done"]).map(lambda n: f"visits('{n}')"),
    st.integers(-5, 5).map(str),
)
int_exprs = st.one_of(
    int_atoms,
    st.tuples(int_atoms, st.sampled_from(["+", "-"]), int_atoms).map(" ".join),
    int_atoms.map(lambda a: f"-{a}" if not a.startswith("-") else a),
)
bool_atoms = st.one_of(
    st.sampled_from(["refund", "true", "false", "True", "False"]),
    st.sampled_from(["opening", "middle", "ask", "done"]).map(lambda n: f"visited('{n}')"),
    st.sampled_from(["sorry", "rude", "refund", "give-up"]).map(lambda o: f"chosen('{o}')"),
    st.tuples(int_exprs, COMPARE, int_exprs).map(" ".join),
)
bool_exprs = st.recursive(
    bool_atoms,
    lambda inner: st.one_of(
        inner.map(lambda e: f"not ({e})"),
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(lambda t: f"({' '.join(t)})"),
    ),
    max_leaves=5,
)


@settings(FUZZ, max_examples=500)
@given(data_obj=st.data(), rnd_seed=st.integers(0, 2**32))
def test_well_typed_changes_play(data_obj: st.DataObject, rnd_seed: int) -> None:
    """Random but well-typed conditions, effects, flags and routes on the mini scenario."""
    rnd = random.Random(rnd_seed)
    path = SEED_PATHS[0]
    data = seed_data(path)
    node_ids = list(data["nodes"])
    for node in data["nodes"].values():
        if isinstance(node.get("say"), list):
            for variant in node["say"][:-1]:  # the last variant stays the unconditional default
                variant["if"] = data_obj.draw(bool_exprs, label="variant if")
        for option in node.get("options", []):
            if rnd.random() < 0.5:
                option["if"] = data_obj.draw(bool_exprs, label="option if")
            else:
                option.pop("if", None)
            option["effects"] = rnd.choice(
                [{}, {"mood": rnd.randint(-10, 10)}, {"refund": rnd.random() < 0.5},
                 {"set": {"mood": rnd.randint(-5, 5)}}, {"mood": rnd.randint(-3, 3), "refund": True}]
            )  # fmt: skip
            option["once"] = rnd.random() < 0.3
            option["fallback"] = rnd.random() < 0.2
            option["next"] = rnd.choice(node_ids)
    text = dump(data)
    problems, loaded = run_text(text, display_name(path))
    check_problems(problems, text, display_name(path))
    outcome(problems, loaded)
    play(loaded, problems, rnd)


# -- the file path ------------------------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252", "bad-bytes"]


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _encode(text: str, encoding: str, cut: int) -> bytes:
    if encoding == "bad-bytes":  # valid UTF-8 with one invalid byte spliced in
        raw = text.encode("utf-8", "surrogatepass")
        at = cut % (len(raw) + 1)
        return raw[:at] + b"\xff" + raw[at:]
    return text.encode(encoding, "surrogatepass" if encoding.startswith("utf-8") else "replace")


@settings(FUZZ, max_examples=300)
@given(
    case=mutated_text() | mutated_data_text(max_mutations=1),
    encoding=st.sampled_from(ENCODINGS),
    cut=st.integers(0, 10**6),
    play_seed=st.integers(0, 2**32),
)
def test_mutated_files_never_crash(
    fuzz_dir: Path, case: tuple[str, str], encoding: str, cut: int, play_seed: int
) -> None:
    """The same through check_scenario_file: BOMs, UTF-16, Latin-1 and stray bytes on disk."""
    text, name = case
    target = fuzz_dir / name
    raw = _encode(text, encoding, cut)
    target.write_bytes(raw)
    loaded, problems = check_scenario_file(target, display=name)
    shown = raw.decode("utf-8", "replace")
    check_problems(problems, shown, name)
    outcome(problems, loaded if loaded.document is not None else None)
    play(loaded, problems, random.Random(play_seed))
    if encoding in ("utf-16", "latin-1", "cp1252", "bad-bytes") and not raw.isascii():
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            assert [p.code for p in problems] == ["E001"], [p.format() for p in problems]
