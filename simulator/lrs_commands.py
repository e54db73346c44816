"""What ``roleplay lrs`` does: queue stored sessions as xAPI statements, show the queue, send it.

Results go to stdout, diagnostics to stderr; `simulator.cli` imports this module only for these
commands.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from simulator.cli import EXIT_INPUT, EXIT_OK
from simulator.commands import open_store
from simulator.lrs import Lrs, queue_session, queue_status, send_queue
from simulator.store import StoreError
from simulator.xapi import XapiConfig, XapiConfigError

ENV_URL = "ROLEPLAY_LRS_URL"
ENV_USER = "ROLEPLAY_LRS_USER"
ENV_PASSWORD = "ROLEPLAY_LRS_PASSWORD"
ENV_HOME_PAGE = "ROLEPLAY_LRS_HOME_PAGE"


def _fail(message: str) -> int:
    print(f"roleplay: {message}", file=sys.stderr)
    return EXIT_INPUT


def cmd_lrs_queue(
    store_path: Path | None,
    session: int | None,
    group: str | None,
    home_page: str | None,
    actor_name: bool,
) -> int:
    """Queue the statements of one finished session, or every finished session of a group."""
    home_page = home_page or os.environ.get(ENV_HOME_PAGE)
    if not home_page:
        return _fail(
            f"lrs queue: give the college's URL with --home-page URL (or ${ENV_HOME_PAGE}); "
            "it is the homePage of each learner's xAPI account"
        )
    try:
        config = XapiConfig(home_page, actor_name=actor_name)
    except XapiConfigError as exc:
        return _fail(f"lrs queue: --home-page: {exc}")
    store = open_store(store_path)
    if store is None:
        return EXIT_INPUT
    with store:
        if session is not None:
            record = store.session(session)
            if record is None:
                return _fail(f"lrs queue: there is no session {session} in {store.path}")
            records = [record]
        else:
            records = [r for r in store.sessions(group=group) if r.state == "finished"]
            if not records:
                return _fail(f"lrs queue: group {group!r} has no finished sessions")
        added = 0
        for record in records:
            if record.state != "finished":
                return _fail(
                    f"lrs queue: session {record.id} has not ended yet; it is queued when it ends"
                )
            added += queue_session(store, record.id, config)
        status = queue_status(store)
    sessions = "session" if len(records) == 1 else "sessions"
    print(
        f"{added} statement{'' if added == 1 else 's'} queued from {len(records)} {sessions} "
        f"({status.queued + status.failed} waiting to send)"
    )
    return EXIT_OK


def cmd_lrs_status(store_path: Path | None, as_json: bool) -> int:
    """Show the queue: queued, failed and sent counts and the oldest waiting."""
    store = open_store(store_path)
    if store is None:
        return EXIT_INPUT
    with store:
        status = queue_status(store)
    if as_json:
        print(json.dumps(status.to_dict(), indent=2))
        return EXIT_OK
    print(f"queued: {status.queued}")
    print(f"failed: {status.failed} (tried, still waiting)")
    print(f"sent:   {status.sent}")
    if status.oldest_waiting:
        print(f"oldest waiting since {status.oldest_waiting}")
    if status.last_error:
        print(f"last error: {status.last_error}")
    return EXIT_OK


def cmd_lrs_send(
    store_path: Path | None, url: str | None, user: str | None, password: str | None
) -> int:
    """Send every waiting statement: 0 when none is left waiting, 1 with the reason otherwise."""
    url = url or os.environ.get(ENV_URL)
    user = user or os.environ.get(ENV_USER)
    password = password if password is not None else os.environ.get(ENV_PASSWORD)
    if not url:
        return _fail(f"lrs send: give the LRS endpoint with --lrs URL (or ${ENV_URL})")
    if not url.startswith(("http://", "https://")):
        return _fail(f"lrs send: --lrs must be an http(s) URL, not {url!r}")
    store = open_store(store_path)
    if store is None:
        return EXIT_INPUT
    with store:
        try:
            report = send_queue(store, Lrs(url, user, password))
        except StoreError as exc:
            return _fail(f"lrs send: {exc}")
    print(f"{report.sent} sent, {report.waiting} still waiting")
    if report.waiting:
        return _fail(f"lrs send: {report.reason or 'some statements are still waiting'}")
    return EXIT_OK
