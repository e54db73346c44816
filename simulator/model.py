"""The scenario model: frozen dataclasses built by the loader, read by lint, engine and scoring.

No I/O here. Every element keeps ``where``, its path in the source document, so that any later
check can point at the exact line and column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from simulator.expr import Expr

YamlPath = tuple[str | int, ...]
VarType = Literal["int", "bool"]
Value = int | bool


@dataclass(frozen=True)
class Condition:
    """A parsed condition (``if:``) with its source text."""

    source: str
    """The text the author wrote."""
    expr: Expr
    """The parsed expression."""
    where: YamlPath
    """Path of the condition string in the document."""


@dataclass(frozen=True)
class Variant:
    """One way a node's line can be said; the first whose condition holds is used."""

    text: str
    """What is said."""
    condition: Condition | None
    """When this variant applies; None for the default (last) variant."""
    where: YamlPath
    """Path of the variant in the document."""


@dataclass(frozen=True)
class Effect:
    """A change to one variable when an option is chosen."""

    variable: str
    """The variable changed."""
    value: Value
    """Amount added (int, ``assign`` false) or value assigned."""
    assign: bool
    """True to assign, False to add (ints only)."""
    where: YamlPath
    """Path of the value in the document."""


@dataclass(frozen=True)
class ShowsVariant:
    """One variant of what a line shows; the first whose condition holds when it is said counts."""

    shows: tuple[str, ...]
    """Behaviour ids the line shows when this variant applies."""
    condition: Condition | None
    """When it applies; None for the default (last) variant."""
    where: YamlPath
    """Path of the variant in the document."""


Quality = Literal["strong", "fair", "poor"]


@dataclass(frozen=True)
class Option:
    """Something the learner can say at a node."""

    id: str
    """Author-given id, unique in the scenario; results and saves key on it."""
    say: str
    """The learner's line."""
    next: str | None
    """Node the conversation moves to (None only in a file with errors)."""
    node: str
    """Id of the node this option belongs to."""
    shows: tuple[str, ...] = ()
    """Behaviour ids this line can show: the list written, or every variant's together."""
    shows_variants: tuple[ShowsVariant, ...] = ()
    """State-dependent ``shows`` (empty when the author wrote a plain list)."""
    quality: Quality | None = None
    """The author's judgement of the line here; a poor line's good behaviours never count."""
    corrects: tuple[str, ...] = ()
    """Critical errors made earlier that this line puts right."""
    to: str | None = None
    """Whom the line is said to, when not the node's speaker (``customer`` or a cast id)."""
    effects: tuple[Effect, ...] = ()
    """Variable changes, applied in order, ints clamped."""
    feedback: str = ""
    """Practice-mode feedback on this choice."""
    condition: Condition | None = None
    """Hidden while this is false."""
    once: bool = False
    """Hidden after it has been chosen once."""
    fallback: bool = False
    """Taken automatically when nothing else is available; never offered otherwise."""
    where: YamlPath = ()
    """Path of the option in the document."""

    def shows_when(self, holds: Callable[[Condition], bool]) -> tuple[str, ...]:
        """Return what the line shows, given a test of conditions in the state it is said in."""
        if not self.shows_variants:
            return self.shows
        for variant in self.shows_variants:
            if variant.condition is None or holds(variant.condition):
                return variant.shows
        return ()

    def addressee(self, speaker: str) -> str:
        """Return whom the line is said to at a node with ``speaker``."""
        return self.to if self.to is not None else speaker


@dataclass(frozen=True)
class Node:
    """A point in the conversation."""

    id: str
    """Author-given id."""
    speaker: str
    """Cast id or ``narrator``."""
    say: tuple[Variant, ...]
    """Variants of what the speaker says; the last is unconditional."""
    options: tuple[Option, ...] = ()
    """The learner's choices here."""
    next: str | None = None
    """For a node without options: where it goes next."""
    end: str | None = None
    """Outcome if this is an ending."""
    where: YamlPath = ()
    """Path of the node in the document."""

    @property
    def is_end(self) -> bool:
        """True for an ending."""
        return self.end is not None

    def successors(self) -> Iterator[str]:
        """Yield the ids of the nodes this one can lead to (options' ``next`` or its own)."""
        if self.next is not None:
            yield self.next
        for option in self.options:
            if option.next is not None:
                yield option.next


@dataclass(frozen=True)
class Variable:
    """A declared variable."""

    name: str
    """Name used in conditions and effects."""
    type: VarType
    """int or bool."""
    default: Value
    """Value at the start."""
    min: int | None = None
    """Lower clamp for ints."""
    max: int | None = None
    """Upper clamp for ints."""
    label: str = ""
    """Name shown to the learner."""
    meter: bool = False
    """Shown as a live meter."""
    where: YamlPath = ()
    """Path of the declaration."""

    def clamp(self, value: Value) -> Value:
        """Return ``value`` limited to the declared range (bools unchanged)."""
        if self.type != "int" or isinstance(value, bool):
            return value
        if self.min is not None and value < self.min:
            return self.min
        if self.max is not None and value > self.max:
            return self.max
        return value

    @property
    def display_name(self) -> str:
        """Label if given, else the name."""
        return self.label or self.name


@dataclass(frozen=True)
class CastMember:
    """Someone who speaks."""

    id: str
    """Cast id used as ``speaker``."""
    name: str
    """Name shown."""
    role: str = ""
    """Job title or relationship."""


@dataclass(frozen=True)
class Policy:
    """An organisational policy the learner may explain."""

    id: str
    """Policy id."""
    text: str
    """What the policy says."""


@dataclass(frozen=True)
class Customer:
    """Who the customer is and what makes the situation challenging."""

    name: str = ""
    """Customer's name."""
    kind: str = "external"
    """external or internal."""
    characteristics: tuple[str, ...] = ()
    """Characteristics from the unit's list."""
    indicators: tuple[str, ...] = ()
    """Indicators of a challenging customer."""
    description: str = ""
    """A line or two about the customer."""


@dataclass(frozen=True)
class Organisation:
    """The learner's organisation, its policies and the learner's authority."""

    name: str = ""
    """Organisation name."""
    policies: tuple[Policy, ...] = ()
    """Policies the learner may explain."""
    authority_own: tuple[str, ...] = ()
    """What the learner may do without referring."""
    refer_to: str | None = None
    """Cast id of the person to refer to."""


@dataclass(frozen=True)
class Context:
    """The situation."""

    issue: str
    """Issue type."""
    channel: str
    """Communication channel."""
    problem_source: str | None = None
    """Where the problem comes from."""
    subject: str = ""
    """The subject line of the customer's email or letter (shown on their first message)."""
    customer: Customer = field(default_factory=Customer)
    """The customer."""
    organisation: Organisation = field(default_factory=Organisation)
    """The organisation."""


@dataclass(frozen=True)
class Scenario:
    """A whole scenario: context, cast, variables and the conversation graph."""

    id: str
    """Unique id, equal to the file stem."""
    version: int
    """Author's revision; a saved session only resumes against the same version."""
    title: str
    """Title."""
    context: Context
    """The situation."""
    cast: dict[str, CastMember]
    """Speakers by id (``narrator`` is built in and not listed)."""
    variables: dict[str, Variable]
    """Declared variables by name."""
    start: str
    """Id of the first node."""
    nodes: dict[str, Node]
    """Nodes by id, in file order."""
    summary: str = ""
    """Short description."""
    rubric: str | None = None
    """Default rubric id."""
    difficulty: int | None = None
    """1 to 3."""
    path: str = ""
    """The file it was loaded from."""
    format: int = 1
    """File format version."""

    def option(self, option_id: str) -> Option | None:
        """Return the option with this id, wherever it is."""
        return self.options_by_id.get(option_id)

    @property
    def options_by_id(self) -> dict[str, Option]:
        """Every option in the scenario by id."""
        cached = self.__dict__.get("_options_by_id")
        if cached is None:
            cached = {o.id: o for n in self.nodes.values() for o in n.options}
            object.__setattr__(self, "_options_by_id", cached)
        return cached

    def speaker_name(self, speaker: str) -> str:
        """Return the display name of a speaker id."""
        if speaker in self.cast:
            return self.cast[speaker].name
        return "Narrator" if speaker == "narrator" else speaker


@dataclass(frozen=True)
class Behaviour:
    """Something a learner's line can show, from rubrics/behaviours.yaml."""

    id: str
    """Behaviour id used in ``shows``."""
    label: str
    """Short name."""
    polarity: Literal["positive", "negative"]
    """Whether it is good practice or a mistake."""
    description: str
    """What it means, in plain English."""
    source: str
    """The teaching content it comes from."""


@dataclass(frozen=True)
class SessionRule:
    """Which of a learner's lines in one session evidence a criterion."""

    any: tuple[str, ...] = ()
    """Qualifying lines show at least one of these behaviours."""
    all: tuple[str, ...] = ()
    """Every one of these behaviours is shown by some qualifying line."""
    min: int = 1
    """At least this many qualifying lines."""
    distinct: int = 0
    """At least this many different behaviours among the qualifying lines (0: no requirement)."""
    to: tuple[str, ...] = ()
    """Whom the learner must be speaking to: ``customer``, ``colleague`` or cast ids (empty: anyone)."""
    after: tuple[str, ...] = ()
    """A line only qualifies once every one of these has been shown on an earlier line."""
    blocked_by: tuple[str, ...] = ()
    """A line showing one of these cancels the evidence before it."""
    ruled_out_by: tuple[str, ...] = ()
    """A line showing one of these anywhere rules the criterion out for the session."""
    weakened_by: tuple[str, ...] = ()
    """Lines showing these are listed as concerns."""
    outcomes: tuple[str, ...] = ()
    """The session must end with one of these outcomes (empty: any, and unfinished counts)."""

    @property
    def behaviours(self) -> tuple[str, ...]:
        """Every behaviour that can evidence the criterion."""
        return tuple(dict.fromkeys(self.any + self.all))


@dataclass(frozen=True)
class PortfolioRule:
    """How a criterion or evidence requirement is judged across sessions."""

    distinct: str | None = None
    """Count different values of this session field (scenario, issue, problem_source, channel)."""
    min: int = 1
    """At least this many (distinct values, or sessions)."""
    of: str | None = None
    """The session field ``values`` are drawn from."""
    values: tuple[str, ...] = ()
    """Every one of these values must occur."""
    behaviours: tuple[str, ...] = ()
    """Some session shows one of these behaviours."""
    criteria: tuple[str, ...] = ()
    """Only sessions that achieved these criteria count."""
    each_session: bool = False
    """Every session judged against the rubric must have the criterion (on each occasion)."""


@dataclass(frozen=True)
class Criterion:
    """One grading criterion (or evidence requirement) of a rubric."""

    code: str
    """Code as printed, e.g. ``P2`` or ``1.1``."""
    text: str
    """Verbatim wording from the source document."""
    assess: Literal["session", "learner_response", "portfolio", "tutor"]
    """How it is judged."""
    band: str | None = None
    """Band id in a banded rubric."""
    rule: SessionRule | None = None
    """For session criteria."""
    response: str | None = None
    """For learner_response criteria: cause_assessment, review or learning_plan."""
    portfolio: PortfolioRule | None = None
    """How it is judged across sessions, if it is."""
    feedback_achieved: str = ""
    """Feedback when achieved."""
    feedback_not_yet: str = ""
    """Feedback when not yet achieved."""
    guidance: str = ""
    """Notes for tutors on the mapping."""
    tutor_confirms: bool = False
    """A session is supporting evidence only: what would be achieved goes to the tutor."""
    where: YamlPath = ()
    """Path in the rubric document."""


@dataclass(frozen=True)
class Band:
    """A grade band such as Merit."""

    id: str
    """Band id used by criteria."""
    label: str
    """Label shown."""


@dataclass(frozen=True)
class Rubric:
    """A qualification's criteria and how each is judged."""

    id: str
    """Rubric id, equal to the file stem."""
    version: int
    """Revision, recorded with every result."""
    title: str
    """Unit title."""
    qualification: str
    """Qualification name."""
    source: str
    """Where the criteria come from."""
    grading: Literal["banded", "competence", "pass_only"]
    """How grades are given."""
    criteria: tuple[Criterion, ...]
    """Criteria in the document's order."""
    bands: tuple[Band, ...] = ()
    """Bands, lowest first (banded rubrics)."""
    requirements: tuple[Criterion, ...] = ()
    """Evidence requirements judged across sessions."""
    unit: str = ""
    """Unit number or reference."""
    notes: str = ""
    """What a tutor must know."""
    practice_only: bool = False
    """The awarding body does not accept simulation as evidence: grades are practice only."""
    critical: tuple[str, ...] = ()
    """Serious errors: one shown and not put right rules out every grade for the session."""
    path: str = ""
    """The file it was loaded from."""

    def criterion(self, code: str) -> Criterion | None:
        """Return the criterion (or requirement) with this code."""
        return next((c for c in self.criteria + self.requirements if c.code == code), None)

    @property
    def session_criteria(self) -> tuple[Criterion, ...]:
        """The criteria one session can evidence."""
        return tuple(c for c in self.criteria if c.assess == "session")
