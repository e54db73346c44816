"""The scenario file format v1 as data: one description drives validation and the JSON Schema.

The loader checks a document's shape against these specs (types, required and unknown keys,
allowed values) and ``json_schema()`` turns the same specs into ``schema/scenario.schema.json``,
so the schema editors use and the checks the loader makes cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ISSUES = (
    "product_out_of_stock",
    "product_faulty",
    "goods_not_delivered",
    "service_complaint",
    "lack_of_understanding",
    "other",
)
CHANNELS = ("face_to_face", "telephone", "email", "letter", "social_media", "sms")
PROBLEM_SOURCES = (
    "customer",
    "organisation",
    "expectations_gap",
    "system_failure",
    "resources_or_error",
)
OUTCOMES = ("resolved", "escalated", "unresolved", "customer_lost")
QUALITIES = ("strong", "fair", "poor")
"""The author's judgement of an option in its situation (``quality``)."""
CHARACTERISTICS = (
    "gender", "age", "location", "language", "ethnicity", "internal", "external",
    "cultural", "religious", "specialist", "disability",
)  # fmt: skip
INDICATORS = (
    "angry", "upset", "indecisive", "confused", "unreasonable", "confrontational",
    "frustrated", "specialist_equipment",
)  # fmt: skip
CUSTOMER_KINDS = ("external", "internal")
VARIABLE_TYPES = ("int", "bool")
NARRATOR = "narrator"
RESERVED_NAMES = ("turns", "true", "false", "and", "or", "not", "set", "True", "False")

KEBAB = r"^[a-z0-9]+(-[a-z0-9]+)*$"
ITEM_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
OPTION_ID = r"^[A-Za-z][A-Za-z0-9_.-]*$"  # a letter first: `--choose 2` means the second option
IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*$"


@dataclass(frozen=True)
class Spec:
    """Base of every shape description."""

    description: str = ""
    """Shown by editors on hover and used in the docs."""


@dataclass(frozen=True)
class Text(Spec):
    """A string, optionally from a fixed list or matching a pattern."""

    enum: tuple[str, ...] | None = None
    """Allowed values, if fixed."""
    pattern: str | None = None
    """Regular expression the value must match."""
    pattern_hint: str = ""
    """Plain-English form of the pattern for messages, e.g. 'kebab-case'."""
    expression: bool = False
    """True when the text is a condition in the expression language."""


@dataclass(frozen=True)
class Integer(Spec):
    """A whole number (never a bool)."""

    minimum: int | None = None
    """Smallest allowed value."""
    maximum: int | None = None
    """Largest allowed value."""


@dataclass(frozen=True)
class Boolean(Spec):
    """true or false."""


@dataclass(frozen=True)
class ListOf(Spec):
    """A list whose items all follow one spec."""

    item: Spec = field(default_factory=Spec)
    """Spec of each item."""
    min_items: int = 0
    """Fewest items allowed."""


@dataclass(frozen=True)
class Key:
    """One key of a fixed mapping."""

    spec: Spec
    """Spec of the value."""
    required: bool = False
    """Whether the key must be present."""


@dataclass(frozen=True)
class Fields(Spec):
    """A mapping with a fixed set of keys; any other key is an error."""

    keys: dict[str, Key] = field(default_factory=dict)
    """Allowed keys."""


@dataclass(frozen=True)
class MapOf(Spec):
    """A mapping with author-chosen keys (ids, variable names) and values of one spec."""

    value: Spec = field(default_factory=Spec)
    """Spec of each value."""
    key_pattern: str | None = None
    """Pattern each key must match."""
    key_hint: str = ""
    """Plain-English form of the key pattern."""
    reserved: dict[str, Spec] = field(default_factory=dict)
    """Keys with a meaning of their own (such as ``set`` in effects) and their spec."""
    min_items: int = 0
    """Fewest entries allowed."""
    required_keys: tuple[str, ...] = ()
    """Keys that must be present (the loader reports them with a message of its own)."""


@dataclass(frozen=True)
class OneOf(Spec):
    """A value of one of several shapes, told apart by its basic type."""

    choices: tuple[Spec, ...] = ()
    """Alternatives, at most one per basic type."""


def _text(description: str, *, required: bool = False, **kw: Any) -> Key:
    return Key(Text(description, **kw), required=required)


CONDITION = Text(
    "Condition in the expression language, e.g. \"mood <= -2 and not visited('details')\"",
    expression=True,
)
SAY_TEXT = Text("What the speaker says")
VARIANT = Fields(
    "One variant of a line: the first whose `if` holds is said",
    {"if": Key(CONDITION), "text": Key(SAY_TEXT, required=True)},
)
SAY = OneOf(
    "A line, or a list of variants whose last one has no `if`",
    (SAY_TEXT, ListOf("Variants, first match wins", VARIANT, min_items=1)),
)
SHOWS_VARIANT = Fields(
    "One variant of what a line shows: the first whose `if` holds when it is said counts",
    {
        "if": Key(CONDITION),
        "shows": Key(
            ListOf(
                "Behaviour ids this line shows when the variant applies",
                Text(pattern=IDENTIFIER, pattern_hint="a behaviour id"),
            ),
            required=True,
        ),
    },
)
EFFECT_VALUE = OneOf(
    "An int variable: the number is added. A bool variable: the value is assigned.",
    (Integer(), Boolean()),
)
EFFECTS = MapOf(
    "Changes to variables when the option is chosen; ints are clamped to their range",
    EFFECT_VALUE,
    key_pattern=IDENTIFIER,
    key_hint="a variable name",
    reserved={
        "set": MapOf(
            "Variables assigned (rather than added to)",
            OneOf("Value to assign", (Integer(), Boolean())),
            key_pattern=IDENTIFIER,
            key_hint="a variable name",
        )
    },
)
OPTION = Fields(
    "Something the learner can say",
    {
        "id": _text(
            "Unique in the scenario; results and saved sessions key on it",
            pattern=OPTION_ID,
            pattern_hint="a letter followed by letters, digits, '-', '_' or '.'",
            required=True,
        ),
        "say": _text("The learner's line, as they would say it", required=True),
        "shows": Key(
            ListOf(
                "Behaviour ids (rubrics/behaviours.yaml) this line shows; or variants, each "
                "`{if: ..., shows: [...]}`, the first whose `if` holds when the line is said "
                "counting (the last has no `if`)",
                OneOf(
                    "A behaviour id, or a variant",
                    (Text(pattern=IDENTIFIER, pattern_hint="a behaviour id"), SHOWS_VARIANT),
                ),
            )
        ),
        "quality": _text(
            "The author's judgement of this line in this situation: strong, fair or poor. A "
            "poor line's good behaviours never count as evidence; the recap names a stronger "
            "line by it",
            enum=QUALITIES,
        ),
        "corrects": Key(
            ListOf(
                "Critical errors (behaviour ids) made earlier that this line puts right with the "
                "customer; a corrected error no longer rules out a grade but stays a concern",
                Text(pattern=IDENTIFIER, pattern_hint="a behaviour id"),
            )
        ),
        "to": _text(
            "Whom the line is said to, when that is not the node's speaker (`customer` or a cast "
            "id): a call to the customer at a colleague's node",
            pattern=ITEM_ID,
            pattern_hint="customer or a cast id",
        ),
        "effects": Key(EFFECTS),
        "feedback": _text("Shown in practice mode after the choice: why it was strong or weak"),
        "next": _text("Node the conversation moves to", required=True),
        "if": Key(CONDITION),
        "once": Key(Boolean("Hidden after it has been chosen once")),
        "fallback": Key(Boolean("Taken automatically when no other option is available")),
    },
)
NODE = Fields(
    "A point in the conversation: someone speaks, then the learner replies, it moves on, or it ends",
    {
        "speaker": _text("A cast id, or narrator", required=True),
        "say": Key(SAY, required=True),
        "options": Key(ListOf("What the learner may say here (1 to 9)", OPTION, min_items=1)),
        "next": _text("For a node without options: where the conversation goes next"),
        "end": _text("Marks an ending", enum=OUTCOMES),
    },
)
VARIABLE = Fields(
    "A declared variable",
    {
        "type": _text("int or bool", enum=VARIABLE_TYPES, required=True),
        "default": Key(OneOf("Starting value", (Integer(), Boolean())), required=True),
        "min": Key(Integer("Smallest value (ints); effects are clamped to it")),
        "max": Key(Integer("Largest value (ints); effects are clamped to it")),
        "label": _text("Name shown to the learner"),
        "meter": Key(Boolean("Show the value as a live meter during play")),
    },
)
CAST_MEMBER = Fields(
    "Someone who speaks in the scenario",
    {
        "name": _text("Name shown in the transcript", required=True),
        "role": _text("Job title or relationship"),
    },
)
POLICY = Fields(
    "A policy the learner may explain",
    {
        "id": _text("Policy id", pattern=ITEM_ID, pattern_hint="an id", required=True),
        "text": _text("The policy", required=True),
    },
)
CONTEXT = Fields(
    "The situation: what the issue is and who is involved",
    {
        "issue": _text("The type of issue", enum=ISSUES, required=True),
        "channel": _text("How the customer is in contact", enum=CHANNELS, required=True),
        "problem_source": _text("Where the problem comes from", enum=PROBLEM_SOURCES),
        "subject": _text("The subject line of the customer's email or letter"),
        "customer": Key(
            Fields(
                "The customer",
                {
                    "name": _text("Customer's name"),
                    "kind": _text("external or internal", enum=CUSTOMER_KINDS),
                    "characteristics": Key(
                        ListOf("Customer characteristics", Text(enum=CHARACTERISTICS))
                    ),
                    "indicators": Key(
                        ListOf("Indicators of a challenging customer", Text(enum=INDICATORS))
                    ),
                    "description": _text("A line or two about the customer"),
                },
            )
        ),
        "organisation": Key(
            Fields(
                "The organisation the learner works for",
                {
                    "name": _text("Organisation name"),
                    "policies": Key(ListOf("Policies the learner may explain", POLICY)),
                    "authority": Key(
                        Fields(
                            "What the learner may do alone, and who to refer to",
                            {
                                "own": Key(ListOf("Within the learner's authority", Text())),
                                "refer_to": _text("Cast id of the person to refer to"),
                            },
                        )
                    ),
                },
            )
        ),
    },
)
SCENARIO = Fields(
    "A customer-roleplay scenario, format 1",
    {
        "format": Key(Integer("File format version: 1", minimum=1), required=True),
        "id": _text(
            "Unique id, kebab-case, equal to the file stem",
            pattern=KEBAB,
            pattern_hint="kebab-case (lower-case words joined by '-')",
            required=True,
        ),
        "version": Key(
            Integer("Author's revision, recorded with every result", minimum=1), required=True
        ),
        "title": _text("Title", required=True),
        "summary": _text("One to three sentences for the scenario browser"),
        "rubric": _text("Default rubric id"),
        "difficulty": Key(Integer("1 (introductory) to 3 (hard)", minimum=1, maximum=3)),
        "context": Key(CONTEXT, required=True),
        "cast": Key(
            MapOf(
                "Who can speak; `customer` is required, `narrator` is built in",
                CAST_MEMBER,
                key_pattern=ITEM_ID,
                key_hint="a cast id",
            ),
            required=True,
        ),
        "variables": Key(
            MapOf(
                "Every variable is declared here",
                VARIABLE,
                key_pattern=IDENTIFIER,
                key_hint="a name of letters, digits and '_'",
            )
        ),
        "start": _text("Id of the first node"),
        "nodes": Key(
            MapOf(
                "The conversation graph",
                NODE,
                key_pattern=ITEM_ID,
                key_hint="a node id",
                min_items=1,
            ),
            required=True,
        ),
    },
)


def json_schema(spec: Spec | None = None, name: str = "scenario") -> dict[str, Any]:
    """Return the draft-07 JSON Schema for ``spec`` (by default the whole scenario file)."""
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": f"https://customer-roleplay.example/schema/{name}.schema.json",
        "title": f"customer-roleplay {name} (format 1)",
        **_schema(SCENARIO if spec is None else spec),
    }


def _schema(spec: Spec) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if spec.description:
        out["description"] = spec.description
    if isinstance(spec, Text):
        out["type"] = "string"
        if spec.enum is not None:
            out["enum"] = list(spec.enum)
        if spec.pattern is not None:
            out["pattern"] = spec.pattern
    elif isinstance(spec, Integer):
        out["type"] = "integer"
        if spec.minimum is not None:
            out["minimum"] = spec.minimum
        if spec.maximum is not None:
            out["maximum"] = spec.maximum
    elif isinstance(spec, Boolean):
        out["type"] = "boolean"
    elif isinstance(spec, ListOf):
        out["type"] = "array"
        out["items"] = _schema(spec.item)
        if spec.min_items:
            out["minItems"] = spec.min_items
    elif isinstance(spec, Fields):
        out["type"] = "object"
        out["properties"] = {name: _schema(key.spec) for name, key in spec.keys.items()}
        required = [name for name, key in spec.keys.items() if key.required]
        if required:
            out["required"] = required
        out["additionalProperties"] = False
    elif isinstance(spec, MapOf):
        out["type"] = "object"
        if spec.reserved:
            out["properties"] = {name: _schema(sub) for name, sub in spec.reserved.items()}
        if spec.key_pattern is not None:
            out["propertyNames"] = {"pattern": spec.key_pattern}
        out["additionalProperties"] = _schema(spec.value)
        if spec.min_items:
            out["minProperties"] = spec.min_items
        if spec.required_keys:
            out["required"] = list(spec.required_keys)
    elif isinstance(spec, OneOf):
        out["anyOf"] = [_schema(choice) for choice in spec.choices]
    return out


# -- rubrics -------------------------------------------------------------------------------------

GRADINGS = ("banded", "competence", "pass_only")
ASSESS = ("session", "learner_response", "portfolio", "tutor")
RESPONSES = ("cause_assessment", "review", "learning_plan")
PORTFOLIO_FIELDS = ("scenario", "issue", "problem_source", "channel")
BEHAVIOUR_LIST = ListOf("Behaviour ids", Text(pattern=IDENTIFIER, pattern_hint="a behaviour id"))

SESSION_RULE = Fields(
    "Which of the learner's lines evidence the criterion",
    {
        "any": Key(BEHAVIOUR_LIST),
        "all": Key(BEHAVIOUR_LIST),
        "min": Key(Integer("At least this many qualifying lines", minimum=1)),
        "distinct": Key(Integer("At least this many different behaviours", minimum=1)),
        "to": Key(
            ListOf(
                "Whom the learner must be speaking to: customer, colleague, or a cast id",
                Text(pattern=ITEM_ID, pattern_hint="customer, colleague or a cast id"),
            )
        ),
        "after": Key(BEHAVIOUR_LIST),
        "blocked_by": Key(BEHAVIOUR_LIST),
        "ruled_out_by": Key(BEHAVIOUR_LIST),
        "weakened_by": Key(BEHAVIOUR_LIST),
    },
)
PORTFOLIO_RULE = Fields(
    "How the criterion is judged across a learner's sessions",
    {
        "distinct": _text("Count different values of this", enum=PORTFOLIO_FIELDS),
        "min": Key(Integer("At least this many", minimum=1)),
        "of": _text("The field `values` are drawn from", enum=PORTFOLIO_FIELDS),
        "values": Key(ListOf("Every one of these must occur", Text())),
        "behaviours": Key(BEHAVIOUR_LIST),
        "criteria": Key(ListOf("Only sessions achieving these criteria count", Text())),
        "each_session": Key(
            Boolean(
                "The criterion must be shown on each occasion: every session judged against the "
                "rubric must achieve it (or send it to the tutor)"
            )
        ),
    },
)
CRITERION = Fields(
    "A grading or assessment criterion",
    {
        "code": _text("As printed in the specification, e.g. P2 or 1.1", required=True),
        "band": _text("Band id (banded rubrics)"),
        "text": _text("The criterion's wording, verbatim from the source", required=True),
        "assess": _text("How it is judged", enum=ASSESS, required=True),
        "rule": Key(SESSION_RULE),
        "response": _text("Which written response is judged", enum=RESPONSES),
        "portfolio": Key(PORTFOLIO_RULE),
        "feedback": Key(
            Fields(
                "Feedback shown to the learner",
                {"achieved": _text("When achieved"), "not_yet": _text("When not yet")},
            )
        ),
        "guidance": _text("Notes for tutors on how the criterion is mapped"),
        "outcomes": Key(
            ListOf(
                "Session criteria: achieved only in a session that ended with one of these "
                "outcomes (an unfinished session cannot achieve it)",
                Text(enum=OUTCOMES),
                min_items=1,
            )
        ),
        "tutor_confirms": Key(
            Boolean(
                "Session criteria: the session is supporting evidence only; when the rule finds "
                "it the verdict is needs_tutor, never achieved (knowledge criteria such as "
                "'Explain' or 'Describe')"
            )
        ),
    },
)
RUBRIC = Fields(
    "A customer-roleplay rubric, format 1",
    {
        "format": Key(Integer("File format version: 1", minimum=1), required=True),
        "id": _text(
            "Unique id, kebab-case, equal to the file stem",
            pattern=KEBAB,
            pattern_hint="kebab-case (lower-case words joined by '-')",
            required=True,
        ),
        "version": Key(Integer("Revision, recorded with every result", minimum=1), required=True),
        "title": _text("Unit title", required=True),
        "qualification": _text("Qualification", required=True),
        "unit": _text("Unit number or reference"),
        "source": _text("Where the criteria are transcribed from", required=True),
        "grading": _text("banded, competence or pass_only", enum=GRADINGS, required=True),
        "bands": Key(
            ListOf(
                "Bands, lowest first (banded rubrics)",
                Fields(
                    "A band",
                    {
                        "id": _text(
                            "Band id", pattern=IDENTIFIER, pattern_hint="an id", required=True
                        ),
                        "label": _text("Label shown", required=True),
                    },
                ),
                min_items=1,
            )
        ),
        "notes": _text("What a tutor must know about using this rubric"),
        "critical": Key(
            ListOf(
                "Critical behaviours (serious errors such as a data breach or a misstated right): "
                "a session that shows one and does not put it right earns no grade, whatever "
                "else it shows",
                Text(pattern=IDENTIFIER, pattern_hint="a behaviour id"),
            )
        ),
        "practice_only": Key(
            Boolean(
                "True when the awarding body does not accept simulation as evidence: grades are "
                "then labelled as practice, never as the unit's result"
            )
        ),
        "criteria": Key(
            ListOf("The criteria, in the document's order", CRITERION, min_items=1), required=True
        ),
        "requirements": Key(ListOf("Evidence requirements across sessions", CRITERION)),
    },
)


# -- test plans ----------------------------------------------------------------------------------

CRITERION_STATUSES = ("achieved", "not_yet", "not_covered", "needs_tutor")
"""The verdicts a criterion can have (as ``simulator.scoring.results.STATUSES``)."""
PLAN_STEP_KEYS = (
    "choose",
    "expect_options",
    "expect_say",
    "expect_var",
    "expect_outcome",
    "expect_ending",
    "expect_grade",
    "expect_criteria",
)
"""The keys a test-plan step can have; each step has exactly one of them."""

PLAN_STEP = Fields(
    "One step of a case: an option to choose, or one thing to check (exactly one key)",
    {
        "choose": _text(
            "Choose this option, by id (never by position)",
            pattern=OPTION_ID,
            pattern_hint="an option id (a letter followed by letters, digits, '-', '_' or '.')",
        ),
        "expect_options": Key(
            ListOf(
                "Exactly the options offered now, by id, in any order",
                Text(pattern=OPTION_ID, pattern_hint="an option id"),
            )
        ),
        "expect_say": _text(
            "Text that appears in one line said since the previous `choose` (the learner's own "
            "line, then everything said as a result); before the first `choose`, the opening lines"
        ),
        "expect_var": Key(
            MapOf(
                "Variables and the values they have now",
                OneOf("Expected value", (Integer(), Boolean())),
                key_pattern=IDENTIFIER,
                key_hint="a variable name",
                min_items=1,
            )
        ),
        "expect_outcome": _text("The conversation has ended with this outcome", enum=OUTCOMES),
        "expect_ending": _text(
            "The conversation has ended at this end node",
            pattern=ITEM_ID,
            pattern_hint="a node id",
        ),
        "expect_grade": _text(
            "The session grade so far on the plan's rubric: a band id (pass, merit, distinction), "
            "competent, not_yet, or in_progress while the conversation has not ended",
            pattern=IDENTIFIER,
            pattern_hint="a grade such as merit or not_yet",
        ),
        "expect_criteria": Key(
            MapOf(
                "Criterion codes and the verdict each has so far on the plan's rubric",
                Text("Verdict", enum=CRITERION_STATUSES),
                min_items=1,
            )
        ),
    },
)
PLAN_CASE = Fields(
    "One case: a route through the scenario, with checks along the way",
    {
        "name": _text("What the case shows; printed with PASS or FAIL", required=True),
        "steps": Key(ListOf("Steps, in order", PLAN_STEP, min_items=1), required=True),
    },
)
TEST_PLAN = Fields(
    "A test plan for one scenario (<id>.tests.yaml beside <id>.scenario.yaml)",
    {
        "scenario": _text(
            "The scenario tested: a file relative to this plan, or a bundled id "
            "(default: the .scenario.yaml file with this plan's name, beside it)"
        ),
        "rubric": _text(
            "Rubric for expect_grade and expect_criteria: an id or a file relative to this plan "
            "(default: the scenario's rubric)"
        ),
        "cases": Key(ListOf("The cases", PLAN_CASE, min_items=1), required=True),
    },
)
