"""Lint throughput: `roleplay lint` over a generated corpus, against a bare YAML parse of it.

The corpus is written by `benchmarks/generate.py` (200 scenarios of 100 nodes). Both sides read
every file from disk; the baseline only parses it (`yaml.load` with libyaml's `CSafeLoader`),
lint reads, checks and reports it, in process (`simulator.cli.main(["lint", folder])`, output
captured). Times are CPU seconds of this process (`time.process_time`), best of three
interleaved runs, so other work on the machine does not count; wall-clock times are shown too.
The search checks (`lint --search`) explore every state of every scenario, so they are timed on
a slice of the corpus and reported per file.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from benchmarks.generate import write_corpus
from simulator import cli

COUNT, NODES = 200, 100
SEARCHED = 20
"""Files of the corpus linted with --search."""
TARGET = 2.0
"""Lint may take at most this many times the bare parse."""


def _timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def _parse(paths: list[Path]) -> None:
    for path in paths:
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def _lint(args: list[str]) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = cli.main(["lint", *args])
    if code != 0:
        raise RuntimeError(f"lint {args} exited {code}: the generated corpus should be clean")


def run() -> str:
    """Measure and return the markdown section."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        paths = write_corpus(folder, COUNT, NODES)
        size = sum(p.stat().st_size for p in paths)
        best: dict[str, tuple[float, float]] = {}
        for _ in range(3):
            for name, fn in (
                ("parse", lambda: _parse(paths)),
                ("lint", lambda: _lint([str(folder)])),
            ):
                cpu, wall = _timed(fn)
                old = best.get(name)
                best[name] = (min(cpu, old[0]), min(wall, old[1])) if old else (cpu, wall)
        part = Path(tmp) / "part"
        part.mkdir()
        for p in paths[:SEARCHED]:
            (part / p.name).write_bytes(p.read_bytes())
        part_paths = sorted(part.iterdir())
        part_parse = _timed(lambda: _parse(part_paths))
        part_search = _timed(lambda: _lint(["--search", str(part)]))
    parse, lint = best["parse"], best["lint"]
    ratio = lint[0] / parse[0]
    search_ratio = part_search[0] / part_parse[0]
    met = "met" if ratio <= TARGET else "NOT met"
    rows = [
        ("bare parse (`yaml.load`, CSafeLoader)", COUNT, parse, 1.0),
        ("`roleplay lint` (every check but the search)", COUNT, lint, ratio),
        (f"`roleplay lint --search` (first {SEARCHED} files)", SEARCHED, part_search, search_ratio),
    ]
    out = [
        "## Lint throughput",
        "",
        f"{COUNT} generated scenarios of {NODES} nodes ({size / 1e6:.1f} MB; `benchmarks/generate.py`),",
        "linted in process with `simulator.cli.main` and compared with a bare `yaml.load` of the",
        "same files. CPU time of the benchmark process, best of three interleaved runs (the",
        "search row: one run, against a bare parse of the same files).",
        "",
        "| run | files | CPU time | per file | wall time | × bare parse |",
        "|---|---|---|---|---|---|",
    ]
    for name, files, (cpu, wall), times in rows:
        out.append(
            f"| {name} | {files} | {cpu:.2f} s | {cpu / files * 1000:.1f} ms | {wall:.2f} s | "
            f"{times:.2f} |"
        )
    out += [
        "",
        f"Target: lint at most {TARGET:.0f}× the bare parse: **{met}** ({ratio:.2f}×). The search "
        f"checks (W120-W123) cost {search_ratio:.0f}× the parse, since they explore every",
        "reachable state of each scenario, its rubric's evidence included; they are opt-in",
        "(`roleplay lint --search`) for that reason.",
        "",
    ]
    return "\n".join(out)
