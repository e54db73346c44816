"""``roleplay learner rename`` and ``roleplay learner merge``: joining a learner's split records.

Learners type their own names, so one learner can end up as two records ("Amy Khan" with a
learner id, "amy khan" typed on another computer without one). Rename corrects a record's name;
merge moves every session of one record to another and removes the first. Both say exactly
which records they touch and ask first (or take ``--yes``), as ``delete-learner`` does.
"""

from __future__ import annotations

import sys
from pathlib import Path

from simulator.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE
from simulator.commands import open_store
from simulator.records import find_learners, learner_label
from simulator.store import Learner, Store, StoreError


def _one(store: Store, who: str, role: str) -> Learner | None:
    """The one learner ``who`` names, or None after saying why (none, or several)."""
    found = find_learners(store, who)
    if not found:
        print(f"roleplay: {role}: no learner called '{who}' in {store.path}", file=sys.stderr)
        return None
    if len(found) > 1:
        print(
            f"roleplay: {role}: '{who}' matches {len(found)} learners; give the learner id of "
            "the one you mean, or the record number shown as [#N] below, in quotes: '#N'",
            file=sys.stderr,
        )
        for learner in found:
            print(f"  {learner_label(store, learner)}", file=sys.stderr)
        return None
    return found[0]


def _confirmed(question: str, yes: bool) -> bool | None:
    """True to go ahead; False if the user said no; None (usage) with no terminal to ask on."""
    if yes:
        return True
    if not sys.stdin.isatty():
        print(
            f"roleplay: this would {question[:1].lower()}{question[1:]}: add --yes to confirm",
            file=sys.stderr,
        )
        return None
    try:
        answer = input(f"{question}? [y/N] ")
    except EOFError:
        answer = ""
    return answer.strip().lower() in ("y", "yes")


def cmd_learner_rename(store_path: Path | None, who: str, new_name: str, yes: bool) -> int:
    """Give one learner record a new name; their sessions stay theirs."""
    name = " ".join(new_name.split())
    if not name:
        print("roleplay: the new name is empty", file=sys.stderr)
        return EXIT_USAGE
    store = open_store(store_path)
    if store is None:
        return EXIT_INPUT
    with store:
        learner = _one(store, who, "rename")
        if learner is None:
            return EXIT_INPUT
        if learner.name == name:
            print(f"roleplay: {learner.display} is already called '{name}'", file=sys.stderr)
            return EXIT_INPUT
        print(f"Rename: {learner_label(store, learner)}")
        print(f"    to: {name}")
        answer = _confirmed(f"Rename {learner.display} to '{name}'", yes)
        if answer is None:
            return EXIT_USAGE
        if not answer:
            print("nothing renamed", file=sys.stderr)
            return EXIT_OK
        try:
            renamed = store.rename_learner(learner, name)
        except StoreError as exc:
            print(f"roleplay: nothing renamed: {exc}", file=sys.stderr)
            return EXIT_INPUT
        print(f"renamed {learner.display} [#{learner.id}] to {renamed.display}")
    return EXIT_OK


def cmd_learner_merge(store_path: Path | None, source: str, into: str, yes: bool) -> int:
    """Move every session of one learner record to another and remove the first record."""
    store = open_store(store_path)
    if store is None:
        return EXIT_INPUT
    with store:
        moving = _one(store, source, "merge FROM")
        if moving is None:
            return EXIT_INPUT
        keeping = _one(store, into, "merge INTO")
        if keeping is None:
            return EXIT_INPUT
        if moving.id == keeping.id:
            print(
                f"roleplay: '{source}' and '{into}' are the same learner record "
                f"({learner_label(store, moving)}); nothing to merge",
                file=sys.stderr,
            )
            return EXIT_INPUT
        count = len(store.sessions_of(moving.id))
        print(f"Merge: {learner_label(store, moving)}")
        print(f" into: {learner_label(store, keeping)}")
        print(
            f"{count} session{'s move' if count != 1 else ' moves'} to {keeping.display} "
            f"[#{keeping.id}], "
            f"and the record {moving.display} [#{moving.id}] is removed."
        )
        answer = _confirmed(f"Merge {moving.display} into {keeping.display}", yes)
        if answer is None:
            return EXIT_USAGE
        if not answer:
            print("nothing merged", file=sys.stderr)
            return EXIT_OK
        try:
            merged, moved = store.merge_learners(moving, keeping)
        except StoreError as exc:
            print(f"roleplay: nothing merged: {exc}", file=sys.stderr)
            return EXIT_INPUT
        print(
            f"merged {moving.display} [#{moving.id}] into {learner_label(store, merged)}: "
            f"{moved} session{'s' if moved != 1 else ''} moved"
        )
    return EXIT_OK
