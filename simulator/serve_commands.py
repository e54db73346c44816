"""``roleplay serve``: the simulator for a computer room, in each learner's browser (the server
is `simulator.serve`; who is playing is `simulator.live`)."""

from __future__ import annotations

import socket
import sys
from datetime import date
from pathlib import Path

from simulator.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE
from simulator.lessons import LessonError, lesson_to_join, lessons
from simulator.store import Store, StoreError, default_path

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def class_address(host: str, port: int) -> str:
    """The address to give the class for a server bound to ``host``."""
    if host in ("0.0.0.0", "::", ""):  # every interface: the machine's own name reaches it
        host = socket.getfqdn() or socket.gethostname()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def cmd_serve(
    store_path: Path | None,
    host: str,
    port: int,
    lesson_code: str | None,
    public_url: str | None,
) -> int:
    """Check the store and the lesson, print the address to give the class, then serve."""
    if not 1 <= port <= 65535:
        print(f"roleplay serve: --port {port} is not a port number (1 to 65535)", file=sys.stderr)
        return EXIT_USAGE
    if public_url is not None and not public_url.startswith(("http://", "https://")):
        print(
            f"roleplay serve: --public-url {public_url!r} must start with https:// (or http://)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    path = (store_path or default_path()).resolve()
    try:
        store = Store.open(path)
    except StoreError as exc:
        print(f"roleplay: {exc}", file=sys.stderr)
        return EXIT_INPUT
    try:
        if lesson_code is not None:
            found = lesson_to_join(store, lesson_code, date.today())
            lesson_code = found.code
        elif not lessons(store):
            print(
                f"roleplay serve: the store {path} has no lessons, so nobody can join: create "
                "one with 'roleplay lesson new' first",
                file=sys.stderr,
            )
            return EXIT_INPUT
    except LessonError as exc:
        print(f"roleplay serve: {exc}", file=sys.stderr)
        return EXIT_INPUT
    finally:
        store.close()
    try:  # a port already taken is said before anything claims to be serving
        with socket.create_server((host, port), reuse_port=False):
            pass
    except OSError as exc:
        print(
            f"roleplay serve: cannot listen on {host}:{port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return EXIT_INPUT
    address = (public_url or class_address(host, port)).rstrip("/")
    lines = [f"Serving the simulator on {address}/ (store {path})"]
    if lesson_code is not None:
        lines.append(
            f"Tell the class: open {address}/ in a browser and pick your name from the list."
        )
    else:
        lines.append(
            f"Tell the class: open {address}/ in a browser, type the join code and pick your name."
        )
    if host in LOOPBACK and public_url is None:
        lines.append(
            "Only this computer can reach it: give --host 0.0.0.0 for the room, or put it "
            "behind the college's reverse proxy (docs/tutors.md)."
        )
    lines.append("Press Ctrl+C to stop; every reply is already saved.")
    from simulator.serve import serve  # textual-serve loads only for this command

    try:
        serve(path, host, port, address, lesson_code, "\n".join(lines))
    except OSError as exc:  # the port is taken, or the address is not this machine's
        print(
            f"roleplay serve: cannot listen on {host}:{port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return EXIT_INPUT
    return EXIT_OK
