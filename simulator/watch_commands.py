"""``roleplay watch``: the tutor's live view of a lesson or group (the app is
`simulator.ui.watch`; what it reads is `simulator.classroom`)."""

from __future__ import annotations

import sys
from pathlib import Path

from simulator.classroom import Classroom, check_scope
from simulator.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE
from simulator.lessons import resolve_scope
from simulator.store import Store, StoreError, default_path


def cmd_watch(store_path: Path | None, lesson_code: str | None, group: str | None) -> int:
    """Open the live view; a wrong lesson code or group, or no store, is refused first (exit 1)."""
    if lesson_code is None and group is None:
        print("roleplay watch: give --lesson CODE or --group G", file=sys.stderr)
        return EXIT_USAGE
    path = store_path or default_path()
    if not path.is_file():
        print(
            f"roleplay: no session store at {path}: give the class's store with --store PATH "
            "(or set ROLEPLAY_STORE)",
            file=sys.stderr,
        )
        return EXIT_INPUT
    try:
        store = Store.open_live(path)
    except StoreError as exc:
        print(f"roleplay: {exc}", file=sys.stderr)
        return EXIT_INPUT
    try:
        try:
            scope = resolve_scope(store, lesson_code, group)
            check_scope(store, scope)
        except StoreError as exc:
            print(f"roleplay: {exc}", file=sys.stderr)
            return EXIT_INPUT
        if not (sys.stdout.isatty() and sys.stdin.isatty()):
            print("roleplay: watch needs a terminal", file=sys.stderr)
            return EXIT_USAGE
        from simulator.ui.watch import WatchApp  # the UI loads only when it is needed

        app = WatchApp(Classroom(store, scope))
        app.run()
        return app.return_code or EXIT_OK
    finally:
        store.close()
