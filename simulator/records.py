"""Records that stay whole: the exact scenario a session was played on, and who a learner is.

A session keeps the text of the scenario file it was played on (by content hash, in the store's
``scenario_texts``), so that it can be replayed with no file at hand and a file edited since
cannot change what it shows. Learners are named with a name or a learner id, or ``#N`` for the
store's own id of one learner record (the only way to single out one of two learners of the
same name without a learner id).

Pure Python: no UI and no templates.
"""

from __future__ import annotations

import re
from pathlib import Path

from simulator.catalog import checked_scenario
from simulator.errors import Severity
from simulator.lint import lint_loaded
from simulator.loader import load_scenario_document
from simulator.model import Scenario
from simulator.store import Learner, Store
from simulator.yamlsource import parse_document

STORE_ID = re.compile(r"#\s*(\d{1,18})")
"""``#12``: the store's own id of a learner record, as `learner_label` shows it."""


def source_text(scenario: Scenario) -> str | None:
    """The text of the file ``scenario`` was loaded from, as it was read (None if it cannot be
    read now, or has changed into another scenario or version since)."""
    if not scenario.path:
        return None
    loaded, _ = checked_scenario(Path(scenario.path))
    found, document = loaded.scenario, loaded.document
    if found is None or document is None or not isinstance(document.text, str):
        return None
    if found.id != scenario.id or found.version != scenario.version:
        return None
    return document.text


def scenario_from_text(text: str, scenario_id: str) -> Scenario | None:
    """The scenario a stored text holds, or None if it has errors (or is another scenario)."""
    display = f"{scenario_id}.scenario.yaml (as stored)"
    document, problems = parse_document(text, display)
    if document is None:
        return None
    loaded = load_scenario_document(document)
    loaded.problems[:0] = problems
    problems = lint_loaded(loaded)
    scenario = loaded.scenario
    if scenario is None or any(p.severity is Severity.ERROR for p in problems):
        return None
    return scenario if scenario.id == scenario_id else None


def find_learners(store: Store, who: str) -> list[Learner]:
    """The learners ``who`` names: ``#N`` is the store's id of one record; otherwise a name
    (without regard to case and spacing) or a learner id, as `Store.find_learners` matches."""
    match = STORE_ID.fullmatch(who.strip())
    if match is not None:
        found = store.learner_by_id(int(match.group(1)))
        return [] if found is None else [found]
    return store.find_learners(who)


def learner_label(store: Store, learner: Learner) -> str:
    """One learner record in full, as prompts and refusals list it:
    ``Amy Khan (learner id 22014, group CS-L2-A, 2 sessions) [#3]``."""
    count = len(store.sessions_of(learner.id))
    parts = [f"learner id {learner.learner_ref}" if learner.learner_ref else "no learner id"]
    parts.append(f"group {learner.group}" if learner.group else "no group")
    parts.append(f"{count} session{'s' if count != 1 else ''}")
    return f"{learner.name} ({', '.join(parts)}) [#{learner.id}]"
