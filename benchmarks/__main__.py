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
)

SECTIONS = (bench_loader, bench_store, bench_scale, bench_ui, bench_lint, bench_explore)
OUT = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


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
    sys.exit(main())
