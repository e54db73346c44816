"""A new scenario and its test plan, for ``roleplay new``: valid, commented, ready to rewrite.

The skeleton passes ``roleplay lint --strict`` and its plan passes ``roleplay test`` as written, so
an author starts from something that works and changes one thing at a time. It shows every part
of the format a first scenario needs: a customer node with variants, a loop, a supervisor node, a
narrator, a variable with a meter, options with ``shows`` and ``feedback``, and two endings.
Pure: no UI or template imports.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from simulator.resources import bundled_dir
from simulator.spec import KEBAB

SCHEMA_NAME = "scenario.schema.json"
PLAN_SCHEMA_NAME = "testplan.schema.json"


def is_kebab(scenario_id: str) -> bool:
    """True if ``scenario_id`` is kebab-case (lower-case words of letters and digits joined by -)."""
    return re.fullmatch(KEBAB, scenario_id) is not None


def title_of(scenario_id: str) -> str:
    """Return a first title from an id: ``late-parcel`` -> ``Late parcel``."""
    words = scenario_id.replace("-", " ")
    return words[:1].upper() + words[1:]


def schema_reference(folder: Path, name: str = SCHEMA_NAME) -> str:
    """Return the ``$schema`` path for a scenario (or, by ``name``, a plan) written into ``folder``.

    A ``schema/scenario.schema.json`` in the folder or any folder above it (a repository's
    ``scenarios/`` gives ``../schema/scenario.schema.json``) is referred to relatively, so the line
    works for everyone who checks the repository out; otherwise the installed copy bundled with the
    simulator, by its absolute path.
    """
    here = folder.resolve()
    for parent in (here, *here.parents):
        candidate = parent / "schema" / name
        if candidate.is_file():
            return Path(os.path.relpath(candidate, here)).as_posix()
    return (bundled_dir("schema") / name).resolve().as_posix()


def scenario_skeleton(scenario_id: str, schema: str) -> str:
    """Return the text of a new scenario file with the id ``scenario_id``."""
    return _SCENARIO.format(id=scenario_id, title=title_of(scenario_id), schema=schema)


def plan_skeleton(scenario_id: str, schema: str) -> str:
    """Return the text of the test plan for a new scenario (every case passes as written)."""
    return _PLAN.format(id=scenario_id, schema=schema)


_SCENARIO = """\
# yaml-language-server: $schema={schema}
# A new scenario, ready to rewrite. Every key is explained in docs/scenario-format.md.
#   roleplay lint --strict {id}.scenario.yaml    checks it (file, line and column for each problem)
#   roleplay test {id}.tests.yaml                replays the routes in its test plan
#   roleplay run {id}.scenario.yaml --choose sorry-and-ask,brief-supervisor    plays one route
#   roleplay graph {id}.scenario.yaml --format mermaid    draws the conversation
# Change one thing at a time and run lint and test after each change.
format: 1                     # the file format: always 1
id: {id}                      # kebab-case, equal to the file name without .scenario.yaml
version: 1                    # your revision: raise it whenever you change the conversation
title: "{title}"              # shown to learners
summary: >-
  One to three sentences for the scenario browser: who the customer is, what has gone wrong and
  what the learner has to do.
rubric: ocr-l2-unit7          # the rubric results are judged against (a file in rubrics/)
difficulty: 1                 # 1 introductory, 2, or 3 hard

context:                      # the situation; the lists come from the unit's teaching content
  issue: product_faulty       # or product_out_of_stock, goods_not_delivered, service_complaint, ...
  channel: telephone          # or face_to_face, email, letter, social_media, sms
  problem_source: organisation
  customer:
    name: Sam Carter
    kind: external            # external or internal
    characteristics: [external]
    indicators: [frustrated]  # angry, upset, indecisive, confused, unreasonable, ...
  organisation:
    name: Example Stores
    policies:                 # what the learner may explain; state the law correctly
      - id: faulty-within-30-days
        text: >-
          Faulty goods returned within 30 days of purchase must be refunded in full if the
          customer chooses a refund (Consumer Rights Act 2015, short-term right to reject).
    authority:
      own: [Refund faulty goods within 30 days]   # what the learner may do alone
      refer_to: supervisor    # whom they refer to: a cast id

cast:                         # who speaks; `customer` is required, `narrator` is built in
  customer: {{name: Sam Carter}}
  supervisor: {{name: Alex Morgan, role: Team leader}}

variables:                    # every variable the conditions and effects use
  mood: {{type: int, default: -2, min: -5, max: 5, label: Customer mood, meter: true}}

start: opening                # the first node

nodes:
  # A node: who speaks, what they say, then the learner's options (or `next`, or `end`).
  opening:
    speaker: customer
    say:                      # variants: the first whose `if` holds is said; the last has no `if`
      - if: "visits('opening') > 1"
        text: "I've just told you. It stopped working after a week. What are you going to do?"
      - text: "Hello? I bought a toaster from you last week and it has stopped working."
    options:                  # 1 to 9; results, saved sessions and test plans use the ids
      - id: sorry-and-ask
        say: "I'm sorry to hear that. Can you tell me what happened when it stopped?"
        shows: [empathy, open_question]       # behaviours from rubrics/behaviours.yaml
        quality: strong                         # your judgement here: strong, fair or poor
        effects: {{mood: +2}}                   # ints are added, then kept within min and max
        feedback: >-
          Acknowledge how the customer feels, then ask an open question so they can explain in
          their own words.
        next: ask-supervisor
      - id: brush-off
        say: "Have you tried turning it off and on again?"
        if: "mood > -4"                         # hidden once the customer is this upset
        shows: [ignore_concern]
        quality: poor                           # a poor line's good behaviours never count
        effects: {{mood: -2}}
        feedback: >-
          The customer has not finished explaining. Listen first; a quick fix offered too soon
          sounds as if you are not interested.
        next: opening                           # a loop: back to the same node, angrier
      - id: not-our-problem
        say: "That's the manufacturer's problem, not ours."
        shows: [misstate_rights]               # a serious error: no grade unless put right
        quality: poor
        effects: {{mood: -3}}
        feedback: >-
          Wrong in law: the customer's contract is with the shop, so the shop deals with faulty
          goods (Consumer Rights Act 2015).
        next: lost

  # When the speaker is the person the learner refers to, the learner's options are said to them.
  ask-supervisor:
    speaker: supervisor
    say: "What's the problem, and what does the customer need?"
    options:
      - id: brief-supervisor
        say: >-
          Sam Carter bought a toaster here last week and it has stopped working. It is within
          30 days, so I'm refunding it in full, as I can; I'm letting you know in case the
          model has a fault we should look at.
        shows: [brief_appropriate_person]
        quality: strong
        feedback: >-
          A clear briefing: who the customer is, what happened, and what you are doing within
          your own authority (a refund within 30 days needs nobody's permission).
        next: back-to-customer

  back-to-customer:
    speaker: narrator
    say: Alex agrees. You go back to Sam and explain the refund.
    next: resolved                              # no options: the conversation moves on by itself

  resolved:
    speaker: customer
    say: "Thank you. That's sorted, then."
    end: resolved             # an ending: resolved, escalated, unresolved or customer_lost

  lost:
    speaker: customer
    say: "Then I'll take my business somewhere else."
    end: customer_lost
"""

_PLAN = """\
# yaml-language-server: $schema={schema}
# Test plan for {id}.scenario.yaml: run it with `roleplay test {id}.tests.yaml`.
# Each case plays the scenario from the start, one step at a time. A step is exactly one of:
#   choose: ID               take the option with this id (ids, never positions)
#   expect_options: [IDS]    exactly these options are offered now (any order)
#   expect_say: TEXT         TEXT is in a line said since the previous choose (your line, the reply)
#   expect_var: {{NAME: V}}    the variables have these values now
#   expect_outcome: OUTCOME  the conversation ended: resolved, escalated, unresolved, customer_lost
#   expect_ending: NODE      the conversation ended at this end node
#   expect_grade: GRADE      the session grade on the rubric: distinction, merit, pass, not_yet
#   expect_criteria: {{P2: achieved}}   criterion verdicts on the rubric
# Add a case for every ending and every grade the scenario is meant to reach. See docs/authoring.md.
cases:
  - name: apologising, asking and briefing the supervisor resolves it
    steps:
      - expect_say: "it has stopped working"
      - expect_options: [sorry-and-ask, brush-off, not-our-problem]
      - expect_var: {{mood: -2}}
      - choose: sorry-and-ask
      - expect_say: "What's the problem, and what does the customer need?"
      - expect_var: {{mood: 0}}
      - choose: brief-supervisor
      - expect_say: "That's sorted, then."
      - expect_outcome: resolved
      - expect_ending: resolved

  - name: a brush-off goes round the loop, then the customer is lost
    steps:
      - choose: brush-off
      - expect_say: "I've just told you."
      - expect_var: {{mood: -4}}
      - expect_options: [sorry-and-ask, not-our-problem]   # brush-off is hidden at mood -4
      - choose: not-our-problem
      - expect_outcome: customer_lost
      - expect_ending: lost
"""
