"""The catalogue of stable problem codes: one entry per lint rule, the source of docs/lint-codes.md.

Codes never change meaning once released; retired codes are not reused.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.errors import Severity


@dataclass(frozen=True)
class Rule:
    """A lint rule: stable code, short name, default severity and what it checks."""

    code: str
    """Stable code, e.g. ``E008``."""
    name: str
    """Short kebab-case name, e.g. ``unknown-node``."""
    severity: Severity
    """Default severity."""
    family: str
    """Which part of the checker raises it (yaml, structure, references, expressions, graph, content,
    rubrics, testplans)."""
    summary: str
    """One sentence for the generated docs."""
    example: str = ""
    """A minimal bad snippet for the docs (optional)."""


E, W = Severity.ERROR, Severity.WARNING

RULES: tuple[Rule, ...] = (
    # -- reading the file --------------------------------------------------------------------
    Rule(
        "E001",
        "yaml-syntax",
        E,
        "yaml",
        "The file is not valid YAML (or is empty).",
        "nodes:\n  opening: [unclosed",
    ),
    Rule(
        "E002",
        "resource-limit",
        E,
        "yaml",
        "The file is too large, nested too deeply, or expands too many aliases "
        "(a 'billion laughs' file); it is refused without being expanded.",
    ),
    Rule(
        "E003",
        "unsupported-tag",
        E,
        "yaml",
        "A YAML tag such as `!!python/object` is used; scenarios are plain data.",
        "title: !!python/object/apply:os.system ['ls']",
    ),
    Rule(
        "E004",
        "duplicate-key",
        E,
        "yaml",
        "The same key appears twice in one mapping; only the first is read, so rename or remove one.",
        "nodes:\n  opening: ...\n  opening: ...",
    ),
    # -- structure ----------------------------------------------------------------------------
    Rule(
        "E010",
        "wrong-type",
        E,
        "structure",
        "A value has the wrong type (text where a number is needed, a list where a mapping is).",
        "version: three",
    ),
    Rule(
        "E011",
        "missing-key",
        E,
        "structure",
        "A required key is missing.",
        "nodes:\n  opening:\n    speaker: customer   # no `say`",
    ),
    Rule(
        "E012",
        "unknown-key",
        E,
        "structure",
        "A key the format does not define (usually a typo: a suggestion is given).",
        "    opitons: [...]",
    ),
    Rule(
        "E013",
        "invalid-value",
        E,
        "structure",
        "A value is not one of those allowed (an unknown `issue`, `channel` or `end` outcome, an "
        "id that is not kebab-case, an `id` that differs from the file name, an unknown `format`).",
        "    end: happy",
    ),
    Rule(
        "E014",
        "duplicate-option-id",
        E,
        "structure",
        "Two options share an id; results and saved sessions key on option ids, so they must be "
        "unique in the whole scenario.",
    ),
    Rule(
        "E015",
        "conflicting-keys",
        E,
        "structure",
        "A node mixes keys that exclude each other: `end` with `options` or `next`, or both "
        "`options` and `next`.",
    ),
    Rule(
        "E016",
        "invalid-variable",
        E,
        "structure",
        "A variable's declaration is inconsistent: `min` above `max`, a default outside the range, "
        "or a range on a bool.",
    ),
    Rule(
        "E017",
        "too-many-options",
        E,
        "structure",
        "A node offers more than nine options; the learner chooses with the keys 1 to 9.",
    ),
    # -- references ---------------------------------------------------------------------------
    Rule(
        "E020",
        "unknown-start",
        E,
        "references",
        "`start` is missing or names no node.",
        "start: openning",
    ),
    Rule(
        "E021",
        "unknown-node",
        E,
        "references",
        "`next` (or `visited()`/`visits()`) names a node that does not exist.",
        "        next: detials",
    ),
    Rule(
        "E022",
        "undeclared-variable",
        E,
        "references",
        "A condition or effect uses a variable that is not declared under `variables`.",
        "        effects: {moood: +1}",
    ),
    Rule(
        "E023",
        "unknown-behaviour",
        E,
        "references",
        "`shows` (or a `shows` variant) names a behaviour that is not in rubrics/behaviours.yaml, "
        "or `corrects` names one that is unknown or is not a mistake.",
        "        shows: [empathy, open_questoin]",
    ),
    Rule(
        "E024",
        "unknown-speaker",
        E,
        "references",
        "A node's `speaker` (or the organisation's `refer_to`, or an option's `to`) is not in "
        "`cast` nor `narrator`.",
        "    speaker: manager",
    ),
    Rule(
        "E025", "unknown-option", E, "references", "`chosen()` names an option that does not exist."
    ),
    Rule(
        "E026",
        "unknown-rubric",
        E,
        "references",
        "The scenario's `rubric` names no rubric in rubrics/.",
        "rubric: ocr-l2-unit8",
    ),
    # -- expressions --------------------------------------------------------------------------
    Rule(
        "E030",
        "expression-syntax",
        E,
        "expressions",
        "A condition does not parse.",
        '        if: "mood => 2"',
    ),
    Rule(
        "E031",
        "type-mismatch",
        E,
        "expressions",
        "A condition or effect mixes types: adding to a bool, comparing a bool with a number, a "
        "condition that is a number rather than true/false.",
        "        effects: {refund_offered: +1}",
    ),
    Rule(
        "E032",
        "out-of-range",
        E,
        "expressions",
        "A number in a condition or effect lies outside the variable's declared range, so the "
        "condition can never be decided by it or the effect is always clamped.",
        '        if: "mood > 9"     # mood is declared with max: 5',
    ),
    # -- graph --------------------------------------------------------------------------------
    Rule(
        "E040",
        "dead-end",
        E,
        "graph",
        "A node that is not an ending has neither `options` nor `next`: the conversation would stop "
        "there with no outcome.",
    ),
    Rule(
        "E041",
        "no-ending-reachable",
        E,
        "graph",
        "From this node no ending can be reached by any route: the learner would be trapped.",
    ),
    Rule(
        "E042",
        "last-variant-conditional",
        E,
        "content",
        "The last variant of a `say` list (or of an option's `shows` variants) has an `if`, so "
        "when no variant holds there is nothing to say (or the line shows nothing). The last "
        "variant is the default and must be unconditional.",
    ),
    Rule(
        "E043",
        "shows-mixed",
        E,
        "content",
        "An option's `shows` mixes behaviour ids and variants: it is either a list of behaviour "
        "ids, or a list of `{if: ..., shows: [...]}` variants.",
        "        shows: [complete_action, {if: verified, shows: [complete_action]}]",
    ),
    # -- rubrics ---------------------------------------------------------------------------------
    Rule(
        "E050",
        "rubric-unknown-behaviour",
        E,
        "rubrics",
        "A rubric rule names a behaviour that is not in rubrics/behaviours.yaml.",
        "    rule: {any: [open_questoin]}",
    ),
    Rule(
        "E051",
        "duplicate-criterion",
        E,
        "rubrics",
        "Two criteria (or evidence requirements) in one rubric share a code.",
    ),
    Rule(
        "E052",
        "invalid-rule",
        E,
        "rubrics",
        "A criterion's rule cannot work: a session criterion without a rule or behaviours, a rule "
        "asking for more different behaviours than it lists, a learner-response criterion that does "
        "not say which response, a portfolio rule with nothing to count, keys of one kind of rule "
        "on a criterion assessed another way.",
        "  - code: P2\n    assess: session      # no rule",
    ),
    Rule(
        "E053",
        "unknown-band",
        E,
        "rubrics",
        "A criterion of a banded rubric names no band or a band the rubric does not define.",
    ),
    # -- warnings -----------------------------------------------------------------------------
    Rule("W101", "unreachable-node", W, "graph", "No route from `start` reaches this node."),
    Rule(
        "W102",
        "no-fallback",
        W,
        "graph",
        "Every option of this node has an `if` and none is `fallback: true`: if no condition holds, "
        "the learner is stuck.",
    ),
    Rule(
        "W103",
        "once-options-run-out",
        W,
        "graph",
        "This node is on a loop and all its options are `once: true`: going round the loop can use "
        "them all up and leave the learner stuck.",
    ),
    Rule(
        "W104",
        "ending-never-reached",
        W,
        "graph",
        "An end node that no route from `start` reaches.",
    ),
    Rule(
        "W105",
        "unused-variable",
        W,
        "content",
        "A declared variable is never read by any condition, so changing it has no effect.",
    ),
    Rule(
        "W106",
        "todo-in-text",
        W,
        "content",
        "Text still contains TODO (or FIXME/XXX): unfinished writing would reach learners.",
    ),
    Rule("W107", "unused-cast", W, "content", "A cast member never speaks."),
    Rule(
        "W108",
        "unused-fallback",
        W,
        "graph",
        "A node has more than one `fallback: true` option; only the first can ever be taken "
        "automatically.",
    ),
    Rule(
        "W109",
        "option-not-rated",
        W,
        "content",
        "An option of a scenario that names a `rubric` has no `quality` (strong, fair or poor): "
        "the author's judgement decides whether its good behaviours count and which reply the "
        "recap calls stronger, so every option of a graded scenario is rated.",
        '      - id: sorry\n        say: "Sorry."   # no quality: strong | fair | poor',
    ),
    # -- search (`roleplay lint --search`) ------------------------------------------------------
    Rule(
        "W120",
        "criterion-unreachable",
        W,
        "search",
        "A session criterion of the scenario's `rubric` that no route achieves, although options "
        "show what it looks for: the order, the addressee, a blocking or ruling-out line, or the "
        "conditions on the way always get in the way. Reported at `rubric:`.",
    ),
    Rule(
        "W121",
        "ending-unreachable-by-search",
        W,
        "search",
        "An ending the graph leads to (so not W104) that no route reaches once conditions, "
        "`once` options and fallbacks are followed, e.g. an ending only a fallback leads to, "
        "where another option is always offered.",
    ),
    Rule(
        "W122",
        "condition-always-true",
        W,
        "search",
        "An option's or say-variant's `if` is true in every state in which its node is entered, "
        "so it decides nothing (and later say-variants are never used).",
        '        if: "mood > -4"    # mood is never below -3 here',
    ),
    Rule(
        "W123",
        "condition-always-false",
        W,
        "search",
        "An option's or say-variant's `if` is false in every state in which its node is entered: "
        "the option can never be chosen, the variant is never said.",
        '        if: "mood >= 3"    # no route gets mood that high by here',
    ),
    Rule(
        "W124",
        "strategy-earns-grade",
        W,
        "search",
        "A mindless strategy earns a grade on the scenario's `rubric`: always choosing the longest "
        "reply, or always the most courteous one (sorry, please, thank you...), earns a band "
        "above Not yet, or leaving the longest reply at just one decision point earns the top "
        "band. Wrong replies must be as long and warm as right ones. Reported at `rubric:`; "
        "`roleplay explore` shows each strategy's route.",
    ),
    # -- test plans (`roleplay test`) ------------------------------------------------------------
    Rule(
        "E060",
        "invalid-plan",
        E,
        "testplans",
        "A test plan's step has no key or more than one (each step is exactly one `choose` or "
        "`expect_...`), an `expect_say` has no text, or two cases share a name.",
        "      - choose: sorry-and-ask\n        expect_say: Order 4471",
    ),
    Rule(
        "E061",
        "plan-scenario-not-found",
        E,
        "testplans",
        "The scenario a test plan tests cannot be found (no `<id>.scenario.yaml` beside the "
        "`<id>.tests.yaml`, and no `scenario:` naming a file or bundled id), or it has errors of "
        "its own, so no case can run.",
        "scenario: faulty-kettel.scenario.yaml",
    ),
    Rule(
        "E062",
        "invalid-expectation",
        E,
        "testplans",
        "An expectation cannot fit the scenario or rubric: an unknown variable, node, criterion, "
        "grade or rubric, a value of the wrong type for a variable, `expect_ending` on a node that "
        "is not an ending, or a grade or criteria expected with no rubric to judge them.",
        "        - expect_var: {moood: 0}",
    ),
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


def rule(code: str) -> Rule:
    """Return the rule with this code (KeyError for an unknown code: a programming error)."""
    return BY_CODE[code]


@dataclass(frozen=True)
class RuleKind:
    """A kind of rubric rule: how a criterion is judged."""

    code: str
    """Stable code, e.g. ``K01``."""
    name: str
    """What rubric files write in ``assess`` (and ``response``)."""
    summary: str
    """What it judges, for the generated docs."""
    verdicts: str
    """Which verdicts it can give, and when."""


RULE_KINDS: tuple[RuleKind, ...] = (
    RuleKind(
        "K01",
        "session",
        "The behaviours the learner's chosen lines showed in one session, with `any`/`all`, "
        "`min`, `distinct`, `to` (whom they spoke to), `after` (order), `blocked_by` and "
        "`weakened_by`.",
        "achieved; not_yet (missing, too_few, order, speaker, blocked); not_covered when the "
        "scenario has no option that could show it.",
    ),
    RuleKind(
        "K02",
        "learner_response: cause_assessment",
        "What the learner says caused the situation, before the conversation: the issue and the "
        "customer's characteristics or indicators, checked against the scenario's `context`.",
        "achieved when the issue matches and at least one named indicator or characteristic is "
        "the scenario's; not_yet with what did not match; not_yet (missing) when not written.",
    ),
    RuleKind(
        "K03",
        "learner_response: review",
        "The learner's written review of their performance: strengths, weaknesses, challenges, "
        "improvements.",
        "needs_tutor when every part is written (a tutor judges its quality); not_yet naming "
        "the missing parts.",
    ),
    RuleKind(
        "K04",
        "learner_response: learning_plan",
        "The learner's schedule of learning activities: activity, criterion, target date.",
        "needs_tutor when at least one complete entry exists; not_yet otherwise.",
    ),
    RuleKind(
        "K05",
        "portfolio",
        "Across a learner's sessions: `distinct` values of a session field with a `min`, every "
        "one of `values` `of` a field, some session showing `behaviours`, counting only sessions "
        "that achieved `criteria`.",
        "achieved or not_yet (with what is still missing); in one session it is not_covered.",
    ),
    RuleKind(
        "K06",
        "tutor",
        "Knowledge and workplace evidence the simulator cannot judge (describe, explain, real "
        "customers over time).",
        "always needs_tutor, with the criterion's guidance.",
    ),
)
