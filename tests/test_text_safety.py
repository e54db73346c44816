"""Text is text (simulator.textsafe): hostile strings reach no terminal and run no markup action.

One fixture, tests/fixtures/hostile/hostile.scenario.yaml, carries Textual markup with actions,
an unbalanced closing tag and terminal control sequences in its title, summary, customer name,
cast, lines, options and feedback; an export carries the same in a learner's name, group and
stored grade. The same strings go through every command with text output and through the
terminal interface's screens (attack report B1-B3).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import DataTable

from simulator import cli
from simulator.store import Store
from simulator.textsafe import SafeStream, has_control, visible, visible_copy
from simulator.ui.screens.conversation import ConversationScreen
from simulator.ui.screens.sessions import SessionsScreen

HOSTILE = Path(__file__).parent / "fixtures" / "hostile" / "hostile.scenario.yaml"
RAW = ("\x1b", "\x07", "\x9b")
"""Bytes that act on a terminal: ESC, BEL, the C1 CSI."""


def no_raw(text: str) -> None:
    assert not any(c in text for c in RAW), repr(text[:300])


def test_visible_shows_every_control_character_and_keeps_the_rest() -> None:
    assert visible("a\x1b]0;T\x07b") == "a␛]0;T␇b"
    assert visible("\x9b2J") == "<U+009B>2J"
    assert visible("tab\tnew\nline") == "tab\tnew\nline"
    assert visible("\x7f") == "␡"
    assert visible("Mrs Mensah, 14 Beaumont Road £45 ✓") == "Mrs Mensah, 14 Beaumont Road £45 ✓"
    assert not has_control(visible("".join(chr(c) for c in range(0xA0))))


def test_a_safe_stream_writes_only_visible_text() -> None:
    written: list[str] = []

    class Sink:
        def write(self, text: str) -> int:
            written.append(text)
            return len(text)

    stream = SafeStream(Sink())  # type: ignore[arg-type]
    assert stream.write("x\x1b[2Jy\r\n") == len("x\x1b[2Jy\r\n")
    assert written == ["x␛[2Jy\n"]


def test_a_visible_copy_of_a_scenario_keeps_ids_and_shows_every_control() -> None:
    from simulator.catalog import open_scenario

    raw = open_scenario(str(HOSTILE)).scenario
    safe = visible_copy(raw)
    assert "\x1b" in raw.title and "␛" in safe.title
    assert list(safe.nodes) == list(raw.nodes)
    assert safe.option("sorry") is not None and "␛" in safe.option("sorry").say
    assert safe.context.customer.name.startswith("[@click=app.quit]CLICK ME[/]")


@pytest.mark.parametrize(
    "args",
    [
        ["run", str(HOSTILE), "--choose", "sorry"],
        ["run", str(HOSTILE), "--choose", "sorry", "--rubric", "ocr-l2-unit7"],
        ["graph", str(HOSTILE), "--format", "dot"],
        ["graph", str(HOSTILE), "--format", "mermaid"],
        ["explore", str(HOSTILE)],
        ["coverage", str(HOSTILE), "--rubric", "ocr-l2-unit7"],
    ],
    ids=lambda a: " ".join(a[:1] + a[3:4]),
)
def test_commands_print_no_raw_control_characters(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(args)
    out, err = capsys.readouterr()
    no_raw(out)
    no_raw(err)
    assert "␛" in out + err or args[0] == "coverage"


def test_lint_messages_show_a_hostile_key_visibly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "keys.scenario.yaml"
    path.write_text(HOSTILE.read_text().replace("summary:", '"\\e]0;x\\a": 1\nsummary:'))
    assert cli.main(["lint", str(path)]) == 1
    out, err = capsys.readouterr()
    no_raw(out + err)
    assert "␛]0;x␇" in out + err


def test_json_output_stays_exact(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", str(HOSTILE), "--choose", "sorry", "--json"]) == 0
    out = capsys.readouterr().out
    no_raw(out)  # JSON escapes control characters itself...
    data = json.loads(out)
    said = [t["text"] for t in data["transcript"]]
    assert any("\x1b]52;c;" in t for t in said), said  # ...and they read back exactly


def hostile_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A store with one learner whose imported name, group and grade are hostile."""
    source = tmp_path / "source.db"
    assert cli.main(["run", "faulty-kettle", "--choose", "sorry-tell-me,straight-refund",
                     "--learner", "Amy", "--save", "--store", str(source)]) == 0  # fmt: skip
    export = tmp_path / "amy.json"
    assert cli.main(["export", "--learner", "Amy", "--store", str(source), "-o", str(export)]) == 0
    data = json.loads(export.read_text())
    learner = data["learners"][0]
    learner["group"] = "G1 \x1b]0;PWNED\x07"
    learner["sessions"][0]["grade"] = "[@click=app.quit]CLICK[/] [/] \x1b[2J"
    export.write_text(json.dumps(data))
    target = tmp_path / "target.db"
    assert cli.main(["import", str(export), "--store", str(target)]) == 0
    capsys.readouterr()
    return target


def test_sessions_from_a_hostile_import_print_safely(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = hostile_store(tmp_path, capsys)
    for args in (["sessions"], ["portfolio", "Amy"], ["export", "--learner", "Amy"]):
        cli.main([*args, "--store", str(store)])
        out, err = capsys.readouterr()
        no_raw(out + err)
    assert cli.main(["sessions", "--store", str(store)]) == 0
    assert "G1 ␛]0;P" in capsys.readouterr().out  # made visible (and cut to the column)


async def test_hostile_markup_in_the_customers_name_is_shown_and_never_run(
    make_app,
    drive,
    store_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    app = make_app(scenario=str(HOSTILE))
    async with app.run_test(size=(120, 40)) as pilot:
        me = drive(pilot)
        await me.sign_in()
        await me.open_scenario("hostile")
        await me.assess("product_faulty", indicators=["angry"])
        assert isinstance(app.screen, ConversationScreen)  # no MarkupError as it opened
        banner = app.screen.query_one("#channel-banner")
        shown = str(banner.render())
        assert "[@click=app.quit]CLICK ME[/] [/] Ann ␛]0;PWNED␇" in shown
        await pilot.click("#channel-banner")  # clicking the name runs nothing
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ConversationScreen)
        for widget in app.screen.query("*"):
            no_raw(str(widget.render()) if hasattr(widget, "render") else "")


async def test_a_hostile_imported_grade_is_literal_in_my_sessions(
    make_app,
    drive,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    store = hostile_store(tmp_path, capsys)
    with Store.open(store) as s:
        (record,) = s.sessions()
    from simulator.ui.app import RoleplayApp

    app = RoleplayApp(store_path=store)
    async with app.run_test(size=(120, 40)) as pilot:
        me = drive(pilot)
        await me.sign_in("Amy")  # the scenario list shows the grade: no crash
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SessionsScreen)
        table = app.screen.query_one(DataTable)
        cells = [str(c) for c in table.get_row_at(0)]
        assert any("[@click=app.quit]click[/] [/] ␛[2j" in c for c in cells), cells
        await pilot.click(DataTable, offset=(60, 1))  # clicking the cell runs nothing
        await pilot.pause()
        assert app.is_running
    assert record.grade is not None and "\x1b" in record.grade  # the data itself is exact
