"""``roleplay serve``: the simulator in a browser for a computer room.

One test drives Debian's headless chromium through the DevTools protocol against a real
``roleplay serve`` on a loopback port: the join code, a name from the roster, a scenario played
to its ending by key presses, the results on screen, the session in the store. The others drive
a served app with Pilot: sign-in only by join code, a wrong code, a second browser for a learner
already playing, and a seat given back when the app ends."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from simulator.lessons import Lesson, add_to_roster, create_lesson
from simulator.live import SERVED_ENV, SERVED_LESSON_ENV, claim_seat
from simulator.store import Store
from simulator.ui.app import RoleplayApp
from simulator.ui.screens.browser import BrowserScreen
from simulator.ui.screens.lesson import JoinScreen
from simulator.ui.screens.start import StartScreen

SIZE = (80, 24)
CLASS = [("22014", "Amy Khan"), ("22015", "Ben Odeh"), ("22016", "Chloe Dunn")]
MakeApp = Callable[..., RoleplayApp]


def set_up(store_path: Path) -> Lesson:
    """A roster for BTEC-1 and a lesson on faulty-kettle, Unit 7, practice."""
    with Store.open(store_path) as store:
        add_to_roster(store, "BTEC-1", CLASS)
        return create_lesson(store, "BTEC-1", ["faulty-kettle"], rubric="ocr-l2-unit7")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def roleplay(*args: str, store: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simulator", "--store", str(store), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


# -- the command's checks before it serves ------------------------------------------------------
def test_a_wrong_lesson_code_or_a_store_with_no_lessons_is_refused_before_serving(
    tmp_path: Path,
) -> None:
    store = tmp_path / "class.db"
    empty = roleplay("serve", "--port", str(free_port()), store=store)
    assert empty.returncode == 1
    assert "has no lessons, so nobody can join" in empty.stderr
    assert "Traceback" not in empty.stderr
    set_up(store)
    wrong = roleplay("serve", "--lesson", "ZZZZZZ", "--port", str(free_port()), store=store)
    assert wrong.returncode == 1
    assert "there is no lesson with the join code 'ZZZZZZ'" in wrong.stderr
    bad_port = roleplay("serve", "--port", "70000", store=store)
    assert bad_port.returncode == 2 and "not a port number" in bad_port.stderr
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])
        busy = roleplay("serve", "--port", port, store=store)
    assert busy.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in busy.stderr
    assert "Serving" not in busy.stdout


# -- the whole way through, in a real browser --------------------------------------------------
@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, Lesson]]:
    """``roleplay serve`` on a free loopback port over a store with a roster and a lesson."""
    store = tmp_path / "class.db"
    lesson = set_up(store)
    port = free_port()
    env = dict(os.environ, HOME=str(tmp_path), ROLEPLAY_SHEETS=str(tmp_path / "sheets"))
    server = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--store", str(store), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline()  # printed once the server listens
        assert f"Serving the simulator on http://127.0.0.1:{port}/" in first, first
        told = server.stdout.readline()
        assert "type the join code and pick your name" in told
        yield f"http://127.0.0.1:{port}/", store, lesson
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]|\x1b\][^\x07]*\x07")


class Chromium:
    """A headless chromium tab, driven through the DevTools protocol; what the page's terminal
    receives from the app (its websocket frames) is kept as text, escape sequences removed."""

    def __init__(self, ws: Any, session: str) -> None:
        self.ws, self.session = ws, session
        self.ids = 0
        self.replies: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.screen = ""
        self.reader = asyncio.ensure_future(self.read())

    async def read(self) -> None:
        async for message in self.ws:
            data = json.loads(message.data)
            if "id" in data and data["id"] in self.replies:
                self.replies.pop(data["id"]).set_result(data)
            elif data.get("method") == "Network.webSocketFrameReceived":
                frame = data["params"]["response"]
                if frame.get("opcode") == 2:  # binary: the app's output (text frames are meta)
                    raw = base64.b64decode(frame["payloadData"])
                    self.screen += ANSI.sub("", raw.decode("utf-8", "replace"))
                    self.screen = self.screen[-200_000:]

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        self.ids += 1
        reply: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.replies[self.ids] = reply
        await self.ws.send_json(
            {"id": self.ids, "method": method, "params": params, "sessionId": self.session}
        )
        answer = await asyncio.wait_for(reply, 30)
        assert "error" not in answer, answer
        return answer.get("result", {})

    async def see(self, text: str, timeout: float = 30) -> None:
        """Wait until the terminal has shown ``text`` since the last call."""
        deadline = time.monotonic() + timeout
        while text not in self.screen:
            assert time.monotonic() < deadline, (
                f"never saw {text!r}; last: {' '.join(self.screen.split())[-1500:]!r}"
            )
            await asyncio.sleep(0.1)
        self.screen = self.screen[self.screen.index(text) + len(text) :]

    async def key(self, key: str, ctrl: bool = False) -> None:
        """Press one key as a learner would: a character, or Enter."""
        if key == "Enter":
            spec: dict[str, Any] = {"key": "Enter", "code": "Enter", "text": "\r",
                                    "windowsVirtualKeyCode": 13}  # fmt: skip
        elif ctrl:
            spec = {"key": key, "code": f"Key{key.upper()}", "modifiers": 2,
                    "windowsVirtualKeyCode": ord(key.upper())}  # fmt: skip
        else:
            spec = {"key": key, "text": key, "windowsVirtualKeyCode": ord(key.upper())}
            if key.isalpha():
                spec["code"] = f"Key{key.upper()}"
            elif key.isdigit():
                spec["code"] = f"Digit{key}"
        await self.send("Input.dispatchKeyEvent", type="keyDown", **spec)
        spec.pop("text", None)
        await self.send("Input.dispatchKeyEvent", type="keyUp", **spec)

    async def type(self, text: str) -> None:
        for ch in text:
            await self.key(ch)


async def open_tab(browser_ws: Any, url: str) -> Chromium:
    """A new tab on ``url``, attached, with its websocket frames reported."""
    ids = iter(range(1, 100))

    async def call(method: str, **params: Any) -> dict[str, Any]:
        number = next(ids)
        await browser_ws.send_json({"id": number, "method": method, "params": params})
        while True:
            data = json.loads((await browser_ws.receive()).data)
            if data.get("id") == number:
                assert "error" not in data, data
                return dict(data["result"])

    target = await call("Target.createTarget", url="about:blank")
    attached = await call("Target.attachToTarget", targetId=target["targetId"], flatten=True)
    tab = Chromium(browser_ws, attached["sessionId"])
    await tab.send("Network.enable")
    await tab.send("Emulation.setDeviceMetricsOverride", width=1280, height=800,
                   deviceScaleFactor=1, mobile=False)  # fmt: skip
    await tab.send("Page.enable")
    await tab.send("Page.navigate", url=url)
    return tab


def rows(store: Path, query: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(store) as db:
        return db.execute(query, args).fetchall()


def turns(store: Path) -> int:
    return int(rows(store, "SELECT count(*) FROM turns")[0][0])


async def test_in_a_browser_a_learner_joins_plays_to_an_ending_and_sees_the_results(
    served: tuple[str, Path, Lesson], tmp_path: Path
) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed here (.ci/run installs it)")
    import aiohttp

    url, store, lesson = served
    profile = tmp_path / "chromium"
    browser = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
         f"--user-data-dir={profile}", "--no-first-run", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (active.is_file() and len(active.read_text().splitlines()) >= 2):
            assert time.monotonic() < deadline, "chromium never opened its DevTools port"
            await asyncio.sleep(0.1)
        port, path = active.read_text().splitlines()[:2]
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(f"ws://127.0.0.1:{port}{path}", max_msg_size=0) as ws,
        ):
            tab = await open_tab(ws, url)
            await tab.see("Join code, e.g.")
            await tab.send(  # as a click on the terminal would
                "Runtime.evaluate", expression="document.querySelector('textarea').focus()"
            )
            await tab.type(lesson.code.lower())  # as typed from the board, in any case
            await tab.key("Enter")
            await tab.see("Amy Khan")
            await tab.type("amy")
            await tab.key("Enter")
            await tab.see("Faulty kettle")  # the browser, the lesson's scenario first
            assert rows(store, "SELECT count(*) FROM live_players") == [(1,)]
            await tab.key("Enter")
            await tab.see("In your own words")  # the cause assessment (Unit 7's P1) first
            await asyncio.sleep(0.5)  # its first field takes focus just after it is drawn
            await tab.key("Enter")  # the first issue
            await asyncio.sleep(0.3)
            await tab.key("s", ctrl=True)
            deadline = time.monotonic() + 30
            while not rows(store, "SELECT id FROM sessions"):
                assert time.monotonic() < deadline, " ".join(tab.screen.split())[-2500:]
                await asyncio.sleep(0.1)
            for _ in range(40):  # the first reply each time, until the conversation ends
                if rows(store, "SELECT 1 FROM sessions WHERE ended IS NOT NULL"):
                    break
                before = turns(store)
                await asyncio.sleep(0.6)  # past the guard against a key pressed twice
                await tab.key("1")
                deadline, again = time.monotonic() + 30, time.monotonic() + 3
                while turns(store) == before:
                    assert time.monotonic() < deadline, " ".join(tab.screen.split())[-2500:]
                    if time.monotonic() > again:  # drawn late on a busy machine: the guard
                        await tab.key("1")  # ignored the key, as it would a learner's
                        again = time.monotonic() + 3
                    await asyncio.sleep(0.1)
            [(session_id, outcome, code, name)] = rows(
                store,
                "SELECT s.id, s.outcome, s.lesson_code, l.name FROM sessions s "
                "JOIN learners l ON l.id = s.learner_id WHERE s.ended IS NOT NULL",
            )
            assert (code, name) == (lesson.code, "Amy Khan") and outcome
            await asyncio.sleep(0.6)
            await tab.key("Enter")  # past the customer's last line, to the results
            await tab.see(f"Results, session {session_id}")
            tab.reader.cancel()
    finally:
        browser.terminate()
        browser.wait(timeout=10)


# -- a served app, driven with Pilot -----------------------------------------------------------
@pytest.fixture
def served_app(
    make_app: MakeApp, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., RoleplayApp]:
    """A served app (as ``roleplay serve`` starts for each browser) on the test's store."""

    def make(lesson_code: str | None = None) -> RoleplayApp:
        monkeypatch.setenv(SERVED_ENV, "1")
        if lesson_code is None:
            monkeypatch.delenv(SERVED_LESSON_ENV, raising=False)
        else:
            monkeypatch.setenv(SERVED_LESSON_ENV, lesson_code)
        return make_app()

    return make


def said(app: RoleplayApp) -> str:
    return str(app.screen.query_one("#join-message", Static).render())


async def type_in(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*["space" if ch == " " else ch for ch in text])
    await pilot.pause()


async def test_a_served_app_opens_on_the_join_code_and_a_wrong_code_lets_nobody_in(
    served_app: Callable[..., RoleplayApp], store_path: Path
) -> None:
    set_up(store_path)
    with Store.open(store_path) as store:  # the last learner on this store: never offered
        store.learner("Amy Khan", "22014", "BTEC-1")
    app = served_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, JoinScreen)
        assert not app.screen.query("#name") and not app.query("#someone-else")
        await type_in(pilot, "QQQQQQ")
        await pilot.press("enter")
        await pilot.pause()
        assert "There is no lesson with the join code 'QQQQQQ'" in said(app)
        assert not app.screen.query_one("#join-roster").display
        assert app.learner is None
        await pilot.press("escape")  # no way round the code: the same screen, afresh
        await pilot.pause()
        assert isinstance(app.screen, JoinScreen)
        assert not isinstance(app.screen, StartScreen)


async def test_serve_lesson_fixes_the_code_and_the_learner_picks_themselves(
    served_app: Callable[..., RoleplayApp], store_path: Path
) -> None:
    made = set_up(store_path)
    app = served_app(made.code)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        code = app.screen.query_one("#join-code", Input)
        assert code.value == made.code and code.disabled
        assert app.screen.query_one("#join-roster").display
        assert app.focused is app.screen.query_one("#find", Input)
        listing = app.screen.query_one("#roster-list", OptionList)
        assert listing.option_count == 3
        await type_in(pilot, "chl")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        assert app.learner is not None and app.learner.name == "Chloe Dunn"
        [(token,)] = rows(store_path, "SELECT token FROM live_players")
        assert token == app.seat
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert rows(store_path, "SELECT * FROM live_players") == []  # the seat is given back


async def test_a_second_browser_for_a_learner_already_playing_is_refused(
    served_app: Callable[..., RoleplayApp], store_path: Path
) -> None:
    made = set_up(store_path)
    with Store.open(store_path) as store:  # Amy plays in another browser, seen just now
        amy = store.learner("Amy Khan", "22014", "BTEC-1")
        assert claim_seat(store, amy.id) is not None
    app = served_app(made.code)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_in(pilot, "amy")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, JoinScreen) and app.learner is None and app.seat is None
        assert "Amy Khan is already playing in another browser" in said(app)
        find = app.screen.query_one("#find", Input)
        find.value = ""
        await type_in(pilot, "ben")  # another learner is let in
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
    assert rows(store_path, "SELECT count(*) FROM live_players") == [(1,)]  # Amy's, still


async def test_a_learner_whose_old_browser_went_quiet_signs_in_again(
    served_app: Callable[..., RoleplayApp], store_path: Path
) -> None:
    made = set_up(store_path)
    with Store.open(store_path) as store:  # a tab closed a minute ago, its seat never given back
        amy = store.learner("Amy Khan", "22014", "BTEC-1")
        old = claim_seat(store, amy.id, now=datetime.now(UTC) - timedelta(seconds=60))
    app = served_app(made.code)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_in(pilot, "amy")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        assert app.seat is not None and app.seat != old


def test_outside_a_browser_the_served_flag_needs_textual_serve_to_skip_the_terminal_check(
    tmp_path: Path,
) -> None:
    env = dict(os.environ, ROLEPLAY_SERVED="1")
    env.pop("TEXTUAL_DRIVER", None)
    done = subprocess.run(
        [sys.executable, "-m", "simulator", "--store", str(tmp_path / "s.db")],
        capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and "needs a terminal" in done.stderr
