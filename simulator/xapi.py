"""xAPI statements for a stored session, for the college's learning record store (LRS).

A session becomes, in order (cmi5 / xAPI 1.0.3 conventions; docs/tutors.md has each shape):

- ``initialized`` when it started;
- one ``answered`` per reply the learner chose: the object is the decision point (a
  ``cmi.interaction`` activity of type ``choice``), ``result.response`` the option id and the
  behaviours in the ``behaviours`` result extension;
- ``completed`` with the ending (``outcome``), the grade and every criterion's verdict with its
  evidence in result extensions (never ``success`` true or false per criterion);
- ``terminated`` when it ended.

The actor is an account ``{homePage: the college's URL, name: the learner id}``, never a name or
an email unless the tutor asks (``actor_name``). Statement ids are UUIDs derived from the college
URL, the session and the statement's place in it, so building the same session again gives the
same ids and queueing it twice adds nothing. Pure Python: no UI or template imports.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from simulator.store import SessionRecord

XAPI_VERSION = "1.0.3"
VERB_BASE = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "initialized": "initialized",
    "answered": "answered",
    "completed": "completed",
    "terminated": "terminated",
}
SIMULATION = "http://adlnet.gov/expapi/activities/simulation"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
EXT = "https://customer-roleplay.github.io/xapi/extensions/"
"""The base of this simulator's extension IRIs."""
EXT_BEHAVIOURS = EXT + "behaviours"
EXT_LINE = EXT + "line"
EXT_AUTO = EXT + "automatic"
EXT_OUTCOME = EXT + "outcome"
EXT_GRADE = EXT + "grade"
EXT_CRITERIA = EXT + "criteria"
EXT_SERIOUS = EXT + "serious-errors"
EXT_SESSION = EXT + "session"
EXT_SCENARIO_VERSION = EXT + "scenario-version"
EXT_RUBRIC = EXT + "rubric"
EXT_MODE = EXT + "mode"
NAMESPACE = uuid.UUID("6f1c3a52-8d0e-4b7a-9c55-2e4f0b9d7a11")
"""The namespace statement ids and registrations are derived in (uuid5)."""


class XapiConfigError(ValueError):
    """The college URL (the actor's homePage) is missing or not an absolute http(s) URL."""


@dataclass(frozen=True)
class XapiConfig:
    """What the statements of every session share."""

    home_page: str
    """The college's URL: the actor account's homePage and the base of activity ids."""
    actor_name: bool = False
    """Put the learner's name in the actor too (only when the tutor asks)."""

    def __post_init__(self) -> None:
        if not self.home_page.startswith(("http://", "https://")) or "//" not in self.home_page:
            raise XapiConfigError(
                f"the college URL must be an absolute http(s) URL, not {self.home_page!r}"
            )

    @property
    def activity_base(self) -> str:
        """Where this simulator's activity ids start."""
        return self.home_page.rstrip("/") + "/roleplay"


def learner_account_name(record: SessionRecord) -> str:
    """The learner id the actor carries: the college's id, or the store's own when there is none."""
    if record.learner.learner_ref:
        return record.learner.learner_ref
    return f"roleplay-{record.learner.id}"


def _actor(record: SessionRecord, config: XapiConfig) -> dict[str, Any]:
    actor: dict[str, Any] = {
        "objectType": "Agent",
        "account": {"homePage": config.home_page, "name": learner_account_name(record)},
    }
    if config.actor_name:
        actor["name"] = record.learner.name
    return actor


def _id(config: XapiConfig, record: SessionRecord, part: str) -> str:
    key = f"{config.home_page}|{record.learner.id}|{record.id}|{record.started}|{part}"
    return str(uuid.uuid5(NAMESPACE, key))


def scenario_activity(config: XapiConfig, record: SessionRecord) -> dict[str, Any]:
    """The scenario as an xAPI activity."""
    return {
        "objectType": "Activity",
        "id": f"{config.activity_base}/scenarios/{record.scenario_id}",
        "definition": {
            "type": SIMULATION,
            "name": {"en-GB": record.scenario_id},
        },
    }


def _context(config: XapiConfig, record: SessionRecord) -> dict[str, Any]:
    extensions: dict[str, Any] = {
        EXT_SESSION: record.id,
        EXT_SCENARIO_VERSION: record.scenario_version,
        EXT_MODE: record.mode,
    }
    if record.rubric_id:
        extensions[EXT_RUBRIC] = f"{record.rubric_id}@{record.rubric_version}"
    return {
        "registration": _id(config, record, "registration"),
        "contextActivities": {"parent": [{"id": scenario_activity(config, record)["id"]}]},
        "extensions": extensions,
    }


def _verb(name: str) -> dict[str, Any]:
    return {"id": VERB_BASE + VERBS[name], "display": {"en-US": name}}


def _statement(
    config: XapiConfig,
    record: SessionRecord,
    part: str,
    verb: str,
    obj: dict[str, Any],
    timestamp: str,
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "id": _id(config, record, part),
        "actor": _actor(record, config),
        "verb": _verb(verb),
        "object": obj,
        "context": _context(config, record),
        "timestamp": timestamp,
    }
    if result is not None:
        statement["result"] = result
    return statement


def _criteria(result: dict[str, Any]) -> dict[str, Any]:
    criteria: dict[str, Any] = {}
    for cid, verdict in (result.get("criteria") or {}).items():
        criteria[cid] = {
            "status": verdict.get("status"),
            "reason": verdict.get("reason"),
            "detail": verdict.get("detail"),
            "evidence": [
                {k: e.get(k) for k in ("turn", "node", "option", "behaviour")}
                for e in verdict.get("evidence") or []
            ],
        }
    return criteria


def statements_for(record: SessionRecord, config: XapiConfig) -> list[dict[str, Any]]:
    """Every statement of a stored session (loaded in full), in the order they happened.

    A session still in progress gives ``initialized`` and its replies so far; ``completed`` and
    ``terminated`` follow only once it has ended.
    """
    scenario = scenario_activity(config, record)
    out = [_statement(config, record, "initialized", "initialized", scenario, record.started)]
    for turn in record.turns:
        node_activity = {
            "objectType": "Activity",
            "id": f"{scenario['id']}/nodes/{turn.node}",
            "definition": {
                "type": INTERACTION,
                "name": {"en-GB": f"{record.scenario_id}: {turn.node}"},
                "interactionType": "choice",
            },
        }
        result = {
            "response": turn.option,
            "extensions": {
                EXT_BEHAVIOURS: list(turn.behaviours),
                EXT_LINE: turn.line,
                EXT_AUTO: turn.auto,
            },
        }
        if turn.time_taken_ms is not None:
            result["duration"] = _duration(turn.time_taken_ms)
        out.append(
            _statement(
                config,
                record,
                f"answered|{turn.seq}|{turn.option}",
                "answered",
                node_activity,
                turn.at,
                result,
            )
        )
    if record.state != "finished" or record.ended is None:
        return out
    extensions: dict[str, Any] = {EXT_OUTCOME: record.outcome}
    if record.result is not None:
        extensions[EXT_GRADE] = record.grade
        extensions[EXT_CRITERIA] = _criteria(record.result)
        extensions[EXT_SERIOUS] = record.result.get("critical_errors") or []
    completed = {"completion": True, "extensions": extensions}
    out.append(
        _statement(config, record, "completed", "completed", scenario, record.ended, completed)
    )
    out.append(_statement(config, record, "terminated", "terminated", scenario, record.ended))
    return out


def _duration(ms: int) -> str:
    """An ISO 8601 duration, e.g. ``PT4.25S``."""
    seconds = max(ms, 0) / 1000
    return f"PT{seconds:.2f}S"
