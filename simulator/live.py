"""Who is playing in a browser now (``roleplay serve``): one browser per learner.

A served app claims a seat for its learner when they sign in, keeps it fresh while it runs and
gives it back when it ends. A second browser for a learner whose seat was seen recently is
refused; a seat not seen for SEAT_STALE seconds (a closed tab, a dropped connection, a killed
process) is free again, so signing in again resumes. Every reply is saved as it is made, so a
lost seat never loses anything.

Pure Python: no UI. The table is the store's (migration 6, ``live_players``).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from simulator.store import Store

SEAT_STALE = 30.0
"""Seconds after which a seat not seen is free for another browser."""
SEAT_REFRESH = 5.0
"""Seconds between a served app's refreshes of its seat (well inside SEAT_STALE)."""


def _stamp(now: datetime) -> str:
    return now.astimezone(UTC).isoformat(timespec="seconds")


def claim_seat(store: Store, learner_id: int, now: datetime | None = None) -> str | None:
    """Take the learner's seat and return its new token, or None when another browser holds
    it (seen within SEAT_STALE seconds)."""
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(16)
    with store.transaction() as db:
        row = db.execute(
            "SELECT seen FROM live_players WHERE learner_id = ?", (learner_id,)
        ).fetchone()
        if row is not None:
            try:
                seen = datetime.fromisoformat(row[0])
            except ValueError:
                seen = None
            if seen is not None and now - seen < timedelta(seconds=SEAT_STALE):
                return None
        db.execute(
            "INSERT INTO live_players (learner_id, token, since, seen) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (learner_id) DO UPDATE SET token = excluded.token, "
            "since = excluded.since, seen = excluded.seen",
            (learner_id, token, _stamp(now), _stamp(now)),
        )
    return token


def keep_seat(store: Store, learner_id: int, token: str, now: datetime | None = None) -> bool:
    """Mark the seat seen now; False when it is no longer this token's."""
    now = now or datetime.now(UTC)
    with store.transaction() as db:
        cursor = db.execute(
            "UPDATE live_players SET seen = ? WHERE learner_id = ? AND token = ?",
            (_stamp(now), learner_id, token),
        )
    return cursor.rowcount == 1


def release_seat(store: Store, learner_id: int, token: str) -> None:
    """Give the seat back (the app is ending, or the learner signs out)."""
    with store.transaction() as db:
        db.execute(
            "DELETE FROM live_players WHERE learner_id = ? AND token = ?", (learner_id, token)
        )


SERVED_ENV = "ROLEPLAY_SERVED"
"""Set to "1" by ``roleplay serve`` for each browser's app: sign-in is by join code only."""
SERVED_LESSON_ENV = "ROLEPLAY_SERVED_LESSON"
"""The join code ``roleplay serve --lesson`` fixes for every browser, if given."""
