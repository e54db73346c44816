"""The queue of xAPI statements in the store (table ``xapi_queue``) and the sender to the LRS.

Statements are queued with their ids fixed (`simulator.xapi`), so queueing a session twice adds
nothing, and sent one a request (POST URL/statements, HTTP Basic auth, X-Experience-API-Version
1.0.3) in the order they were queued. An LRS that answers 200 or 204, or 409 for an id it
already holds, has the statement: it is marked sent and never sent again. A connection failure,
a timeout, 429 or a 5xx is retried with back-off; if the LRS is still down the rest wait for the
next send, none lost. Pure Python: no UI or template imports.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from simulator.store import Store
from simulator.xapi import XAPI_VERSION, XapiConfig, statements_for

SENT_STATUSES = (200, 204, 409)
"""Answers meaning the LRS holds the statement (409: that id is already stored)."""
RETRY_STATUSES = (408, 429, 500, 502, 503, 504)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def queue_statements(
    store: Store, statements: Iterable[dict[str, Any]], session_id: int | None = None
) -> int:
    """Add statements to the queue; one whose id is already queued (or sent) is skipped.

    Returns how many were added.
    """
    added = 0
    with store.transaction() as db:
        for statement in statements:
            cur = db.execute(
                "INSERT OR IGNORE INTO xapi_queue (statement_id, session_id, statement, queued)"
                " VALUES (?, ?, ?, ?)",
                (statement["id"], session_id, json.dumps(statement, sort_keys=True), _now()),
            )
            added += cur.rowcount
    return added


def queue_session(store: Store, session_id: int, config: XapiConfig) -> int:
    """Queue the statements of a stored session; what is already queued is not added again.

    The app or ``serve`` calls this when a session ends. Returns how many were added; raises
    KeyError when there is no such session.
    """
    record = store.session(session_id)
    if record is None:
        raise KeyError(session_id)
    return queue_statements(store, statements_for(record, config), session_id)


@dataclass(frozen=True)
class QueueStatus:
    """What is in the queue."""

    queued: int
    """Waiting, never tried."""
    failed: int
    """Waiting, tried and refused or unreachable (``last_error`` says why)."""
    sent: int
    """Sent and held by the LRS."""
    oldest_waiting: str | None
    """When the oldest waiting statement was queued."""
    last_error: str | None
    """The most recent reason a waiting statement was not sent."""

    def to_dict(self) -> dict[str, Any]:
        """The ``lrs status --json`` form."""
        return {
            "queued": self.queued,
            "failed": self.failed,
            "sent": self.sent,
            "waiting": self.queued + self.failed,
            "oldest_waiting": self.oldest_waiting,
            "last_error": self.last_error,
        }


def queue_status(store: Store) -> QueueStatus:
    """Count the queue: queued, failed (tried, still waiting) and sent."""
    row = store.db.execute(
        "SELECT"
        " COALESCE(SUM(sent IS NULL AND attempts = 0), 0),"
        " COALESCE(SUM(sent IS NULL AND attempts > 0), 0),"
        " COALESCE(SUM(sent IS NOT NULL), 0),"
        " MIN(CASE WHEN sent IS NULL THEN queued END)"
        " FROM xapi_queue"
    ).fetchone()
    err = store.db.execute(
        "SELECT last_error FROM xapi_queue WHERE sent IS NULL AND last_error IS NOT NULL"
        " ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return QueueStatus(int(row[0]), int(row[1]), int(row[2]), row[3], err[0] if err else None)


@dataclass(frozen=True)
class Lrs:
    """Where to send, and as whom."""

    url: str
    """The LRS endpoint; statements go to ``URL/statements``."""
    user: str | None = None
    password: str | None = None
    timeout: float = 10.0

    @property
    def statements_url(self) -> str:
        return self.url.rstrip("/") + "/statements"

    def headers(self) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "X-Experience-API-Version": XAPI_VERSION,
        }
        if self.user is not None:
            token = f"{self.user}:{self.password or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(token).decode("ascii")
        return headers


@dataclass
class SendReport:
    """What one flush did."""

    sent: int = 0
    """Statements the LRS now holds."""
    waiting: int = 0
    """Statements still in the queue."""
    reason: str | None = None
    """Why some are still waiting."""
    refused: list[str] = field(default_factory=list)
    """Statement ids the LRS refused (4xx other than 409), each kept with its reason."""


class _Retry(Exception):
    """The LRS could not be reached, or asked us to come back later."""


def _post(lrs: Lrs, statement: str) -> int:
    request = urllib.request.Request(
        lrs.statements_url, data=statement.encode("utf-8"), headers=lrs.headers(), method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=lrs.timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        body = exc.read(300).decode("utf-8", "replace").strip()
        if exc.code in SENT_STATUSES:
            return exc.code
        if exc.code in RETRY_STATUSES:
            raise _Retry(f"the LRS answered {exc.code} {exc.reason}") from exc
        raise _Refused(f"the LRS refused it: {exc.code} {exc.reason}: {body}") from exc
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise _Retry(f"cannot reach the LRS at {lrs.statements_url}: {reason}") from exc


class _Refused(Exception):
    """The LRS refused the statement (a 4xx other than 409): trying again will not help."""


def send_queue(
    store: Store,
    lrs: Lrs,
    *,
    retries: int = 3,
    backoff: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
    limit: int | None = None,
) -> SendReport:
    """Send every waiting statement, oldest first, each marked sent as soon as the LRS has it.

    A failure to reach the LRS is retried ``retries`` times, waiting ``backoff`` seconds and then
    twice as long each time; then the flush stops (the rest wait for the next one). A refused
    statement (401, 403, 400...) keeps its reason and the flush stops on 401/403 (every other
    would be refused too) or goes on to the next one otherwise.
    """
    report = SendReport()
    rows = store.db.execute(
        "SELECT id, statement_id, statement FROM xapi_queue WHERE sent IS NULL ORDER BY id"
        + (f" LIMIT {int(limit)}" if limit is not None else "")
    ).fetchall()
    for row_id, statement_id, statement in rows:
        wait = backoff
        error: str | None = None
        stop = False
        for attempt in range(retries + 1):
            try:
                _post(lrs, statement)
                error = None
                break
            except _Retry as exc:
                error = str(exc)
                if attempt < retries:
                    sleep(wait)
                    wait *= 2
                else:
                    stop = True
            except _Refused as exc:
                error = str(exc)
                report.refused.append(statement_id)
                stop = any(f" {code} " in error for code in ("401", "403"))
                break
        with store.transaction() as db:
            if error is None:
                db.execute(
                    "UPDATE xapi_queue SET sent = ?, attempts = attempts + 1, last_error = NULL"
                    " WHERE id = ?",
                    (_now(), row_id),
                )
                report.sent += 1
            else:
                db.execute(
                    "UPDATE xapi_queue SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                    (error, row_id),
                )
                report.reason = error
        if stop:
            break
    report.waiting = queue_status(store).to_dict()["waiting"]
    return report
