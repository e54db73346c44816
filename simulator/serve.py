"""The simulator in a browser (``roleplay serve``): a thin layer over textual-serve.

Each browser that opens the address gets its own app process, started as ``python -m simulator``
on the server's one store, with sign-in by a lesson's join code only (see ``RoleplayApp.served``
and ``simulator.live``). Nothing here draws a screen: the app is the same as in a terminal."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Any

from textual_serve.server import Server

from simulator.live import SERVED_ENV, SERVED_LESSON_ENV
from simulator.store import ENV_VAR

TITLE = "customer-roleplay"


def app_command(store_path: Path) -> str:
    """The shell command that starts one browser's app on the store."""
    return shlex.join([sys.executable, "-m", "simulator", "--store", str(store_path)])


class ClassroomServer(Server):
    """textual-serve's server, saying only what a tutor needs when it starts."""

    def __init__(self, command: str, host: str, port: int, public_url: str, notice: str) -> None:
        super().__init__(command, host=host, port=port, title=TITLE, public_url=public_url)
        self.notice = notice

    async def on_startup(self, app: Any) -> None:
        print(self.notice, flush=True)


def serve(
    store_path: Path,
    host: str,
    port: int,
    public_url: str,
    lesson_code: str | None,
    notice: str,
) -> None:
    """Serve the app until Ctrl+C (or SIGTERM); each app process inherits the served mode."""
    os.environ[SERVED_ENV] = "1"
    os.environ[ENV_VAR] = str(store_path)
    if lesson_code is not None:
        os.environ[SERVED_LESSON_ENV] = lesson_code
    else:
        os.environ.pop(SERVED_LESSON_ENV, None)
    ClassroomServer(app_command(store_path), host, port, public_url, notice).serve()
