"""Run every benchmark and write docs/performance.md."""

from __future__ import annotations

import platform
import sys
from datetime import date
from pathlib import Path

from benchmarks import (
    bench_explore,
    bench_lint,
    bench_loader,
    bench_scale,
    bench_store,
    bench_ui,
    bench_watch,
)

SECTIONS = (
    bench_loader, bench_store, bench_scale, bench_ui, bench_watch, bench_lint, bench_explore,
)  # fmt: skip
OUT = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def splice(report: str, section: str) -> str:
    """The report with one section (from its ``## `` heading to the next) replaced by
    ``section``, or with it added at the end if the report has no such heading."""
    heading = section.split("\n", 1)[0]
    start = report.find(heading + "\n")
    if start < 0:
        return report.rstrip("\n") + "\n\n" + section
    end = report.find("\n## ", start + len(heading))
    return report[:start] + section.rstrip("\n") + "\n" + (report[end:] if end >= 0 else "")


def main_some(names: list[str]) -> int:
    """Run only the named sections (``python -m benchmarks watch``: bench_watch) and put their
    figures in place in docs/performance.md, leaving the other sections' figures as they were."""
    chosen = [s for s in SECTIONS if s.__name__.rsplit(".", 1)[-1].removeprefix("bench_") in names]
    unknown = set(names) - {s.__name__.rsplit(".", 1)[-1].removeprefix("bench_") for s in chosen}
    if unknown:
        print(f"no benchmark called {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    report = OUT.read_text() if OUT.exists() else ""
    for section in chosen:
        text = section.run()
        print(text)
        report = splice(report, text)
    OUT.write_text(report)
    return 0


def main() -> int:
    """Run the benchmarks, print and save the report."""
    header = (
        "# Performance\n\n"
        "<!-- Written by `make bench` (python -m benchmarks); figures from one run. -->\n\n"
        f"Measured {date.today().isoformat()} on {platform.machine()}, "
        f"Python {platform.python_version()}, {platform.system()}.\n\n"
    )
    body = "\n".join(section.run() for section in SECTIONS)
    OUT.write_text(header + body)
    print(header + body)
    return 0


if __name__ == "__main__":
    sys.exit(main_some(sys.argv[1:]) if sys.argv[1:] else main())
