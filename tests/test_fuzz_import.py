"""Property-based fuzzing of `roleplay import`, with mutated export files and store files.

A learner's export (JSON) and a whole store file from another computer are the two things a tutor
imports, and both arrive from machines the tutor does not control. Whatever they hold, `import`
must end with exit 0 (and a store that every reading command can still show) or exit 1 with a
one-line message that names the file; never a traceback, never a hang, never a half-imported file.

Mutations of exports work on the data (delete a key, retype a value, huge and negative numbers,
random unicode, lone surrogates, deep nesting, duplicated sessions) and on the text (truncate,
insert bytes). Mutations of store files work through SQL (set any cell of any table to any value,
drop or replace a table, a view in its place, a wrong schema version) and on the bytes (flip,
truncate, zero a page). The budget keeps the file well under a minute on a 2-core machine.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import random
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from simulator.cli import main
from simulator.store import ENV_VAR, Store

FUZZ = settings(
    deadline=None,
    max_examples=120,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
TABLES = ("learners", "sessions", "turns", "notes", "responses", "decisions", "meta")
CHOICES = {
    "Amy Khan": "sorry-tell-me,probe-fault,safety-advice,ask-date-proof,bank-statement-ok",
    "Bo Li": "ask-receipt-first,defend-shop,threaten-leave",
}


def cli(*args: str) -> tuple[int, str, str]:
    """Run roleplay as a user would; an exception escaping it is the failure being looked for."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "default" / "never.db"))


@pytest.fixture(scope="module")
def seed_store() -> Iterator[Path]:
    """A learner's computer: two sessions of one learner, with a note and a tutor's decision."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pc.sqlite3"
        for learner in ("Amy Khan", "Bo Li"):
            code, _, err = cli(
                "run", "faulty-kettle", "--choose", CHOICES[learner], "--rubric", "ocr-l2-unit7",
                "--save", "--learner", learner, "--group", "BTEC-1", "--store", str(path),
                "--json",
            )  # fmt: skip
            assert code == 0, err
        with Store.open(path) as store:
            store.add_note(1, "kettle 12 days old")
            store.record_decision(1, "P2", "achieved", "J. Tutor", "seen in class")
        yield path


@pytest.fixture(scope="module")
def seed_export(seed_store: Path) -> dict[str, Any]:
    with Store.open(seed_store) as store:
        return store.export_learner("Amy Khan")


def check_import(file: Path, target: Path) -> None:
    """The property: a clear outcome, and a store that still reads whatever went in."""
    code, out, err = cli("import", str(file), "--store", str(target))
    assert "Traceback" not in err
    if code == 0:
        event("imported")
        assert "imported" in out
        code, out, err = cli("sessions", "--store", str(target), "--json")
        assert code in (0, 1), err
        if code == 0:  # every session that went in can be shown on a feedback sheet
            for row in json.loads(out):
                code, _, err = cli("sheet", str(row["session"]), "--store", str(target))
                assert code in (0, 1) and "Traceback" not in err, err
                if code == 1:
                    assert err.startswith("roleplay: "), err
    else:
        event("refused")
        assert code == 1, (code, err)
        lines = [line for line in err.splitlines() if line]
        assert lines and all(line.startswith("roleplay: ") for line in lines), err
        assert str(file) in lines[0], err
        # a refused file changed nothing
        if target.exists():
            with Store.open(target) as store:
                assert store.sessions() == []


# -- exports ------------------------------------------------------------------------------------

WILD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([2**63, 2**63 - 1, -(2**63) - 1, 0, -1, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["", "\ud800", "[/]", "\x1b]0;pwned\x07", "9999-99-99", "\x00", "P2", "Pass"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


@st.composite
def mutated_export(draw: st.DrawFn, seed: dict[str, Any]) -> str:
    data = copy.deepcopy(seed)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, last = _at(data, path[:-1]), path[-1]
        how = draw(st.sampled_from(["retype", "delete", "duplicate", "deepen", "rename"]))
        event(f"export: {how}")
        if how == "retype":
            parent[last] = draw(WILD_VALUES)
        elif how == "delete":
            del parent[last]
        elif how == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
        elif how == "deepen":
            value: Any = parent[last]
            for _ in range(draw(st.integers(min_value=1, max_value=3000))):
                value = [value]
            parent[last] = value
            break  # the last change: the text is now too deep to walk again
        elif how == "rename" and isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = parent.pop(last)
    try:
        text = json.dumps(data, ensure_ascii=draw(st.booleans()))
    except (RecursionError, ValueError):
        text = json.dumps(seed)
    if draw(st.booleans()):
        cut = draw(st.integers(min_value=0, max_value=len(text)))
        text = text[:cut] + draw(st.text(max_size=6)) + text[cut + draw(st.integers(0, 4)) :]
    return text


@FUZZ
@given(data=st.data())
def test_a_mutated_export_is_imported_or_refused_clearly(
    data: st.DataObject, seed_export: dict[str, Any]
) -> None:
    text = data.draw(mutated_export(seed_export))
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "amy.json"
        file.write_text(text, encoding="utf-8", errors="surrogatepass")
        check_import(file, Path(folder) / "tutor.sqlite3")


# -- store files --------------------------------------------------------------------------------

CELL_VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.binary(max_size=20),
    st.sampled_from(['{"a": 1}', "[]", "null", "not json", '{"criteria": 7}', "[/]", "\x1b[2J"]),
)


def _mutate_store_sql(db: sqlite3.Connection, draw: st.DrawFn) -> None:
    how = draw(st.sampled_from(["cell", "cell", "cell", "drop", "view", "version", "empty"]))
    event(f"store: {how}")
    table = draw(st.sampled_from(TABLES))
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    if how == "cell" and exists:
        columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
        rowids = [row[0] for row in db.execute(f"SELECT rowid FROM {table}")]
        if columns and rowids:
            column = draw(st.sampled_from(columns))
            with contextlib.suppress(sqlite3.Error):  # a constraint may refuse it: fine
                db.execute(
                    f"UPDATE {table} SET {column} = ? WHERE rowid = ?",
                    (draw(CELL_VALUES), draw(st.sampled_from(rowids))),
                )
    elif how == "drop" and exists:
        db.execute(f"DROP TABLE {table}")
    elif how == "view" and exists:
        db.execute(f"DROP TABLE {table}")
        db.execute(f"CREATE VIEW {table} AS SELECT 1 AS id")
    elif how == "version":
        db.execute(f"PRAGMA user_version = {draw(st.integers(min_value=-5, max_value=99))}")
    elif how == "empty" and exists:
        db.execute(f"DELETE FROM {table}")


@FUZZ
@given(data=st.data())
def test_a_mutated_store_file_is_imported_or_refused_clearly(
    data: st.DataObject, seed_store: Path
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "pc.sqlite3"
        file.write_bytes(seed_store.read_bytes())
        if data.draw(st.booleans(), label="through SQL"):
            db = sqlite3.connect(file, isolation_level=None)
            db.execute("PRAGMA foreign_keys = OFF")
            for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
                _mutate_store_sql(db, data.draw)
            db.close()
        else:
            raw = bytearray(file.read_bytes())
            how = data.draw(st.sampled_from(["flip", "truncate", "zero page"]))
            event(f"bytes: {how}")
            rng = random.Random(data.draw(st.integers(min_value=0, max_value=2**32)))
            if how == "flip":
                for _ in range(rng.randint(1, 20)):
                    raw[rng.randrange(16, len(raw))] = rng.randrange(256)
            elif how == "truncate":
                raw = raw[: rng.randrange(16, len(raw))]
            else:
                page = 4096 * rng.randrange(0, len(raw) // 4096)
                raw[max(page, 100) : page + 4096] = bytes(len(raw[max(page, 100) : page + 4096]))
            file.write_bytes(bytes(raw))
        check_import(file, Path(folder) / "tutor.sqlite3")
