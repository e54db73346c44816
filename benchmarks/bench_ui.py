"""The interface stays quick: keypress to rendered reply early and late in a long conversation,
and cold start to the first screen against a bare Textual app."""

from __future__ import annotations

import asyncio
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

from textual import events

import simulator
from benchmarks.common import ms
from simulator.scoring import LearnerResponses
from simulator.ui.app import RoleplayApp
from simulator.ui.screens.conversation import ConversationScreen
from simulator.ui.widgets.transcript import Transcript

PRESSES = 30
"""Replies timed at each point of the conversation."""
LATE = 300
"""The turn of the late measurement."""
STARTS = 30
"""Cold starts of each app, taken in interleaved pairs (bare, then the simulator)."""
TURN_TARGET = 1.1
"""A reply at turn LATE within this of one at turn 5 (means)."""
KEY_PAIRS = 9
"""Runs of each app typing KEY_COUNT letters, taken in interleaved pairs."""
KEY_COUNT = 100
KEY_TARGET = 1.5
"""A keypress's CPU within this of the bare app's, as the median of the pairs."""
START_TARGET = 1.3
"""The simulator's first frame within this of the bare app's, as the median of the pairs."""
LOADED_CPU_TARGET = 0.9
"""CPU seconds to the first screen with the qualifications listed (the start screen's choice)."""

LOOP_SCENARIO = """\
format: 1
id: bench-loop
version: 1
title: "Benchmark: a customer who keeps going"
summary: A synthetic conversation with a hub the learner can return to as often as they like.
context:
  issue: service_complaint
  channel: telephone
cast:
  customer: {name: Ms Pat Reid}
variables:
  mood: {type: int, default: 0, min: -5, max: 5, label: Customer mood, meter: true}
start: hub
nodes:
  hub:
    speaker: customer
    say: >-
      And another thing. The engineer was meant to come on Tuesday between eight and one, I took
      the morning off work, nobody came, and when I rang I was on hold for forty minutes.
    options:
      - id: listen
        say: >-
          I'm sorry, that's a whole morning lost. Tell me what happened next, and I'll note it
          all down so nobody asks you again.
        shows: [empathy, open_question]
        effects: {mood: +1}
        next: aside
      - id: defend
        say: We're very busy at the moment.
        effects: {mood: -1}
        next: aside
      - id: wrap-up
        say: Let me book that visit for you now.
        next: booked
  aside:
    speaker: narrator
    say: You type a line into the case notes while she talks.
    next: hub
  booked:
    speaker: customer
    say: Thank you.
    end: resolved
"""

COLD_START = """\
import asyncio, sys, time
from pathlib import Path

# Prints, as wall-clock times: the first frame of the first screen, and (for the simulator) the
# moment the qualifications and scenarios have loaded behind it.
kind, store = sys.argv[1], Path(sys.argv[2])
marks = {}

if kind == "roleplay":
    import simulator.cli  # what the `roleplay` command loads and does before it starts the app

    simulator.cli.parse([])
    import simulator.ui.app
    from simulator.ui.app import RoleplayApp as Base

    css = [Path(simulator.ui.app.__file__).parent / "app.tcss"]  # CSS_PATH is module-relative
else:
    css = []
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Input

    class Base(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Input(placeholder="name")
            yield Footer()


class Timed(Base):
    CSS_PATH = css

    def _display(self, screen, renderable):  # every frame passes through here, headless too
        if renderable is not None and self.focused is not None:
            marks.setdefault("frame", time.time())
        super()._display(screen, renderable)


async def main() -> None:
    app = Timed(store_path=store) if kind == "roleplay" else Timed()
    async with app.run_test(size=(80, 24)):
        deadline = time.time() + 20
        while "frame" not in marks and time.time() < deadline:
            await asyncio.sleep(0.001)
        if kind == "roleplay":
            while not app.screen.query("#rubric"):  # the qualifications listed
                assert time.time() < deadline, "the simulator did not list its qualifications"
                await asyncio.sleep(0.001)
            marks["rubrics"] = time.process_time()  # every thread's CPU since the process began
            while app._scenarios is None:  # and the scenarios loaded behind the first screen
                assert time.time() < deadline, "the simulator did not finish loading"
                await asyncio.sleep(0.001)
            marks["loaded"] = time.time()
            marks["cpu"] = time.process_time()
    print(marks["frame"], marks.get("loaded", marks["frame"]), marks.get("rubrics", 0.0),
          marks.get("cpu", 0.0))

asyncio.run(main())
"""


KEYS = """\
import asyncio, statistics, sys, time
from pathlib import Path

from textual import events
from textual.widgets import Input

# Prints the median CPU seconds (every thread) a keypress costs: a letter typed into the name
# field of the first screen, from the key arriving until the field is redrawn, and a moment after.
kind, store, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
if kind == "roleplay":
    from simulator.ui.app import RoleplayApp

    app = RoleplayApp(store_path=store)
else:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Label

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Label("Who is playing? Your name:")
            yield Input(placeholder="name")
            yield Footer()

    app = Bare()


async def main() -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        deadline = time.time() + 30
        while kind == "roleplay" and app._scenarios is None:  # everything loaded first
            assert time.time() < deadline, "the simulator did not finish loading"
            await asyncio.sleep(0.01)
        field = app.screen.query(Input).first()
        field.focus()
        await pilot.pause()
        await asyncio.sleep(0.3)
        spent = []
        for n in range(count):
            key = "abcdefghijklmnopqrstuvwxyz"[n % 26]
            before = time.process_time()
            event = events.Key(key, key)
            event.set_sender(app)
            app._driver.send_message(event)  # as a terminal key press arrives
            while len(field.value) == n:
                await asyncio.sleep(0)
            await app.screen.wait_for_refresh()
            await asyncio.sleep(0.02)  # whatever else the key set off
            spent.append(time.process_time() - before)
    print(statistics.median(spent))

asyncio.run(main())
"""


def _number_of(screen: ConversationScreen, option_id: str) -> str:
    """The key that says an option now (the simulator lists the options in a shuffled order)."""
    return str([o.id for o in screen.play.options()].index(option_id) + 1)


async def _reply_latency(app: RoleplayApp, screen: ConversationScreen, key: str) -> float:
    """Press a number key; return the seconds until the reply is mounted and painted."""
    transcript = screen.query_one(Transcript)
    before = len(transcript.lines)
    start = time.perf_counter()
    event = events.Key(key, key)
    event.set_sender(app)
    assert app._driver is not None
    app._driver.send_message(event)  # as a terminal key press arrives (what Pilot does)
    while len(transcript.lines) == before:
        await asyncio.sleep(0)
    await screen.wait_for_refresh()  # the new messages laid out and painted ...
    await screen.wait_for_refresh()  # ... and scrolled into view
    return time.perf_counter() - start


async def _conversation(folder: Path) -> dict[str, float]:
    path = folder / "bench-loop.scenario.yaml"
    path.write_text(LOOP_SCENARIO)
    app = RoleplayApp(scenario=str(path), store_path=folder / "s.db")
    # replies come faster than a person's here: the guard against a double press (which only
    # refuses a key, and costs nothing when it lets one through) would refuse most of them
    app.reply_guard = 0.0
    timings: dict[str, float] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        choice = next(c for c in app.scenarios if c.scenario.id == "bench-loop")
        app.learner = app.store.learner("Bench")
        app.rubric = app.rubric_by_id("ocr-l2-unit7")
        screen = ConversationScreen.starting(app, choice.scenario, LearnerResponses())
        await app.push_screen(screen)
        await pilot.pause()
        for point in (5, LATE):
            while len(screen.play.session.steps) < point - 1:  # get there quickly, untimed
                screen.say("listen")
                if len(screen.play.session.steps) % 25 == 0:
                    await pilot.pause()
            await pilot.pause()
            times = [
                await _reply_latency(app, screen, _number_of(screen, "listen"))
                for _ in range(PRESSES)
            ]
            timings[f"turn {point}"] = statistics.median(times)
            timings[f"turn {point} mean"] = statistics.mean(times)
            timings[f"turn {point} p90"] = sorted(times)[int(PRESSES * 0.9) - 1]
        timings["messages"] = len(screen.query_one(Transcript).lines)
        timings["mounted"] = len(screen.query_one(Transcript).mounted)
        timings["turns"] = len(screen.play.session.steps)
        start = time.perf_counter()
        screen.query_one(Transcript).reset(list(screen.play.session.transcript))
        await screen.wait_for_refresh()
        await screen.wait_for_refresh()
        timings["reset"] = time.perf_counter() - start
    return timings


def _one_start(kind: str, script: Path, store: Path) -> tuple[float, float, float, float]:
    """One cold start: seconds to the first frame and to everything loaded, and CPU seconds
    to the qualifications listed and to everything loaded."""
    start = time.time()
    done = subprocess.run(
        [sys.executable, str(script), kind, str(store)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    frame, loaded, rubrics, cpu = (float(x) for x in done.stdout.split())
    return frame - start, loaded - start, rubrics, cpu


def _cold_starts(folder: Path) -> dict[str, Any]:
    """STARTS interleaved pairs of cold starts (the bare app, then the simulator), so a busy
    moment of the machine falls on both: each pair's ratio, and the medians."""
    script = folder / "cold_start.py"
    script.write_text(COLD_START)
    # the simulator's bytecode compiled, as a wheel install has it and as Textual's is (where
    # PYTHONDONTWRITEBYTECODE is set, an editable install would compile every module each time)
    compileall.compile_dir(Path(simulator.__file__).parent, quiet=1)
    bare, mine, loaded, listed, cpu = [], [], [], [], []
    for n in range(STARTS):
        b, _, _, _ = _one_start("bare", script, folder / f"cold-bare-{n}" / "s.db")
        r, done, rubrics, spent = _one_start(
            "roleplay", script, folder / f"cold-roleplay-{n}" / "s.db"
        )
        bare.append(b)
        mine.append(r)
        loaded.append(done)
        listed.append(rubrics)
        cpu.append(spent)
    return {
        **_pairs(bare, mine, START_TARGET),
        "loaded": statistics.median(loaded),
        "cpu": statistics.median(cpu),
        "rubrics cpu": statistics.median(listed),
        "rubrics cpu high": max(listed),
    }


def _pairs(bare: list[float], mine: list[float], target: float) -> dict[str, Any]:
    """The medians of interleaved pairs' figures, the median of their ratios and its spread."""
    ratios = [r / b for b, r in zip(bare, mine, strict=True)]
    return {
        "bare": statistics.median(bare),
        "roleplay": statistics.median(mine),
        "ratio": statistics.median(ratios),
        "low": min(ratios),
        "high": max(ratios),
        "over": sum(1 for x in ratios if x > target),
    }


def _keypress_cpu(folder: Path) -> dict[str, Any]:
    """KEY_PAIRS interleaved pairs of runs typing KEY_COUNT letters into the first screen's name
    field (the bare app, then the simulator): each pair's ratio of median CPU per key."""
    script = folder / "keys.py"
    script.write_text(KEYS)

    def one(kind: str, n: int) -> float:
        done = subprocess.run(
            [sys.executable, str(script), kind, str(folder / f"keys-{kind}-{n}" / "s.db"),
             str(KEY_COUNT)],
            check=True, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        return float(done.stdout)

    bare, mine = [], []
    for n in range(KEY_PAIRS):
        bare.append(one("bare", n))
        mine.append(one("roleplay", n))
    return _pairs(bare, mine, KEY_TARGET)


def _import_cost() -> float:
    """Median seconds to import the simulator's app module once Textual is already imported."""
    code = (
        "import time, textual.app, textual.widgets; t = time.perf_counter(); "
        "import simulator.cli, simulator.ui.app, simulator.ui.screens.start; "
        "print(time.perf_counter() - t)"
    )
    runs = [
        float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                             text=True, timeout=60).stdout)
        for _ in range(min(STARTS, 5))
    ]  # fmt: skip
    return statistics.median(runs)


def _hang_up(folder: Path, times: int = 3) -> float | None:
    """Median seconds from closing the app's terminal to the process having ended: the real
    command in a pseudo-terminal, closed once its first screen is drawn (None without ptys)."""
    try:
        import pty
        import select
    except ImportError:  # pragma: no cover - Windows
        return None
    command = Path(sys.executable).with_name("roleplay")
    if not command.exists():
        return None
    found = []
    for k in range(times):
        pid, fd = pty.fork()
        if pid == 0:  # the child becomes roleplay
            try:
                os.environ.update(ROLEPLAY_STORE=str(folder / f"hup-{k}.db"), TERM="xterm")
                os.execv(str(command), [str(command), "play"])
            finally:
                os._exit(127)
        seen, give_up = b"", time.monotonic() + 60
        while b"Who is playing" not in seen and time.monotonic() < give_up:
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
        closed = time.perf_counter()
        os.close(fd)
        while not os.waitpid(pid, os.WNOHANG)[0]:
            if time.perf_counter() - closed > 30:  # it never ended: say so, do not hang
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                break
            time.sleep(0.005)
        found.append(time.perf_counter() - closed)
    return sorted(found)[len(found) // 2]


def _verdict(ratio: float, target: float) -> str:
    return f"{ratio:.2f}x (target ≤ {target}x: {'met' if ratio <= target else 'MISSED'})"


def run() -> str:
    """Measure and return the markdown section."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = asyncio.run(_conversation(folder))
        starts = _cold_starts(folder)
        keys = _keypress_cpu(folder)
        bare, roleplay, loaded = starts["bare"], starts["roleplay"], starts["loaded"]
        imports = _import_cost()
        hang_up = _hang_up(folder)
    late = f"turn {LATE}"
    gone = (
        "not measured (no pseudo-terminals here)"
        if hang_up is None
        else f"{ms(hang_up)} ({'met' if hang_up < 1 else 'NOT met'}: < 1 s)"
    )
    out = [
        "## Interface",
        "",
        textwrap.fill(
            "Headless (Textual's test driver, 80x24). A reply is timed from the number key "
            "arriving to the new messages being mounted, laid out, painted and scrolled into "
            f"view, over {PRESSES} replies (median, mean, 90th percentile). Frames are drawn at "
            "up to 60 a second, so single replies land on steps of about 17 ms; the ratio uses "
            "the means, which smooth those steps. The conversation is a synthetic scenario whose "
            f"hub loops, played to turn {LATE} ({int(t['messages'])} lines; the transcript keeps "
            f"the newest {int(t['mounted'])} mounted and mounts earlier ones when scrolled back "
            "to). Cold start is a fresh Python process that loads the `roleplay` command, "
            "parses an empty command line and runs the app headless, timed from launch to the "
            "first frame of the first screen with the "
            f"cursor in it, median of {STARTS} taken in pairs with the bare app, one after the "
            "other, so that each ratio is a pair's; the bare app is a Textual app with a header, an "
            "input and a footer. The simulator loads its qualifications and scenarios just "
            "after that first frame. Both are run with their bytecode compiled, as installed "
            "packages are (`make play` and `make bench` compile the simulator's). A keypress's "
            f"CPU is the median over {KEY_COUNT} letters typed into the first screen's name "
            "field, each from the key arriving until the field is redrawn and 20 ms after, in "
            f"a fresh process per run, {KEY_PAIRS} runs of each app in interleaved pairs; the "
            "bare app here has a header, a label, an input and a footer (as the performance "
            "review's). The field is laid out again at every key (Textual's input widens its "
            "content), so the cost grows with what else is on the screen.",
            width=100,
        ),
        "",
        "| measurement | figure |",
        "|---|---|",
        "| reply at turn 5 | "
        f"{ms(t['turn 5'])} median, {ms(t['turn 5 mean'])} mean, {ms(t['turn 5 p90'])} p90 |",
        f"| reply at turn {LATE} | {ms(t[late])} median, {ms(t[late + ' mean'])} mean, "
        f"{ms(t[late + ' p90'])} p90 |",
        f"| turn {LATE} / turn 5 (means) | "
        f"{_verdict(t[late + ' mean'] / t['turn 5 mean'], TURN_TARGET)} |",
        f"| redraw the whole {int(t['turns'])}-turn transcript (undo, resume) | {ms(t['reset'])} |",
        f"| cold start to first frame, bare Textual app | {ms(bare)} |",
        f"| cold start to first frame, customer-roleplay | {ms(roleplay)} |",
        f"| cold start until qualifications and scenarios are loaded | {ms(loaded)} |",
        f"| customer-roleplay / bare, median of {STARTS} interleaved pairs | "
        f"{_verdict(starts['ratio'], START_TARGET)}; pairs {starts['low']:.2f}x to "
        f"{starts['high']:.2f}x, {starts['over']} of {STARTS} over {START_TARGET}x |",
        f"| CPU to the first screen with the qualifications listed (median of {STARTS}) | "
        f"{starts['rubrics cpu']:.2f} s "
        f"({'met' if starts['rubrics cpu'] < LOADED_CPU_TARGET else 'NOT met'}: "
        f"< {LOADED_CPU_TARGET} s); most {starts['rubrics cpu high']:.2f} s |",
        f"| the same, with the scenarios loaded behind it too | {starts['cpu']:.2f} s |",
        f"| CPU per keypress (a letter typed into the name field), bare Textual app | "
        f"{ms(keys['bare'])} |",
        f"| the same, customer-roleplay | {ms(keys['roleplay'])} |",
        f"| customer-roleplay / bare, median of {KEY_PAIRS} interleaved pairs | "
        f"{_verdict(keys['ratio'], KEY_TARGET)}; pairs {keys['low']:.2f}x to "
        f"{keys['high']:.2f}x, {keys['over']} of {KEY_PAIRS} over {KEY_TARGET}x |",
        f"| of which: importing the command, the store and the app's modules | {ms(imports)} |",
        f"| the app's terminal closed: until the process has ended (median of 3) | {gone} |",
        "",
        textwrap.fill(
            f"Where the cold start goes: of the {ms(roleplay - bare)} over the bare "
            f"app, about {ms(imports)} is importing the command line, the session store (the "
            "first screen reads the learner's saved settings from it) and the app's own "
            "modules, and most of the rest is the start screen itself: at its first frame "
            "the name, learner id and group boxes in their containers (eleven widgets with the "
            "header and footer) against the bare app's three, and the app's stylesheet. The "
            "qualification list, the mode and Continue are added just after that frame (or, "
            'for a returning learner, "Continue as" and "Someone else" stand in for the '
            "boxes). The engine, the rubric engine, the linter and the bundled qualifications "
            "and scenarios (every check of every file) load after the first frame; every other "
            "command loads its modules only when it runs.",
            width=100,
        ),
    ]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(run())
