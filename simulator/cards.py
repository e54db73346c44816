"""The pack for a live role-play in threes: the customer's card, the agent's brief and the
observer's tick-sheet, drawn from a scenario (and its rubric) as data.

Pure: no templates, no interface. ``roleplay cards`` renders the pack with
``report/templates/cards.html``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from simulator.model import Behaviour, Rubric, Scenario, Variable

MAX_LINES = 6
"""How many of the customer's lines the card prints: enough to set the tone, few enough to read."""
MAX_BEHAVIOURS = 8
"""How many of what calms or inflames the customer the card lists (the commonest)."""


@dataclass(frozen=True)
class CustomerCard:
    """What the person playing the customer needs to know."""

    name: str
    """The customer's name."""
    kind: str
    """External or internal customer."""
    description: str
    """Who they are, as the author wrote it (may be empty)."""
    situation: str
    """What happened: the scenario's summary."""
    feelings: tuple[str, ...]
    """How they feel: the scenario's indicators (angry, confused ...), as words."""
    starting_mood: str
    """How they start, from the mood meter (empty without one)."""
    calms: tuple[str, ...]
    """What the agent might do that calms them: behaviours of the replies that raise the mood."""
    inflames: tuple[str, ...]
    """What inflames them: behaviours of the replies that lower the mood."""
    lines: tuple[str, ...]
    """Lines they may use, in the order the conversation reaches them."""


@dataclass(frozen=True)
class AgentBrief:
    """What the person playing the agent needs to know: the organisation's side."""

    organisation: str
    """Organisation name."""
    channel: str
    """How the customer gets in touch, as words."""
    policies: tuple[tuple[str, str], ...]
    """(policy id, text) of each policy."""
    authority: tuple[str, ...]
    """What the agent may do without referring."""
    refer_to: str
    """Whom to refer anything beyond that to (name and role), or empty."""


@dataclass(frozen=True)
class TickGroup:
    """One criterion on the observer's tick-sheet with the behaviours that evidence it."""

    code: str
    """Criterion code (P2 ...)."""
    text: str
    """The criterion's wording."""
    look_for: tuple[str, ...]
    """Behaviours to tick when seen (labels)."""
    watch_for: tuple[str, ...]
    """Behaviours that weaken or cancel it (labels)."""


@dataclass(frozen=True)
class ObserverSheet:
    """The observer's tick-sheet."""

    rubric_id: str
    """The rubric the criteria come from (empty when the scenario names none)."""
    rubric_title: str
    """Its title."""
    groups: tuple[TickGroup, ...]
    """One group per criterion a session can show."""
    serious: tuple[str, ...]
    """Serious errors to note at once (labels)."""


@dataclass(frozen=True)
class CardPack:
    """Everything printed for one role-play in threes."""

    scenario_id: str
    """Scenario id."""
    title: str
    """Scenario title."""
    customer: CustomerCard
    """The customer's card."""
    agent: AgentBrief
    """The agent's brief."""
    observer: ObserverSheet
    """The observer's tick-sheet."""


def words(value: str | None) -> str:
    """Return an id as words: ``product_faulty`` -> ``Product faulty``."""
    if not value:
        return ""
    text = value.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def mood_variable(scenario: Scenario) -> Variable | None:
    """Return the variable that stands for the customer's mood: ``mood``, else the first meter
    whose label names mood, else the first meter."""
    meters = [v for v in scenario.variables.values() if v.type == "int" and v.meter]
    if "mood" in scenario.variables and scenario.variables["mood"].type == "int":
        return scenario.variables["mood"]
    named = [v for v in meters if "mood" in v.display_name.lower()]
    found = named or meters
    return found[0] if found else None


def customer_speakers(scenario: Scenario) -> set[str]:
    """Return the cast ids that speak as the customer."""
    name = scenario.context.customer.name
    ids = {cid for cid, member in scenario.cast.items() if name and member.name == name}
    if "customer" in scenario.cast:
        ids.add("customer")
    return ids


def _starting_mood(mood: Variable | None) -> str:
    if mood is None or mood.min is None or mood.max is None or isinstance(mood.default, bool):
        return ""
    span = mood.max - mood.min
    if span <= 0:
        return ""
    where = (mood.default - mood.min) / span
    feeling = (
        "very upset" if where < 0.25 else
        "upset" if where < 0.45 else
        "on edge" if where < 0.6 else
        "calm"
    )  # fmt: skip
    return f"{feeling} ({mood.display_name.lower()} {mood.default} on a scale of {mood.min} to {mood.max})"


def _by_effect(
    scenario: Scenario, mood: Variable | None, behaviours: Mapping[str, Behaviour]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Behaviour labels of replies that raise the mood, and of those that lower it, commonest
    first."""
    calms: Counter[str] = Counter()
    inflames: Counter[str] = Counter()
    if mood is None:
        return (), ()
    for option in scenario.options_by_id.values():
        change = sum(
            int(e.value)
            for e in option.effects
            if e.variable == mood.name and not e.assign and not isinstance(e.value, bool)
        )
        if change == 0:
            continue
        target = calms if change > 0 else inflames
        for shown in option.shows:
            known = behaviours.get(shown)
            if known is None:
                continue
            if (change > 0) == (known.polarity == "positive"):
                target[known.label] += 1
    return (
        tuple(label for label, _ in calms.most_common(MAX_BEHAVIOURS)),
        tuple(label for label, _ in inflames.most_common(MAX_BEHAVIOURS)),
    )


def _customer_lines(scenario: Scenario) -> tuple[str, ...]:
    speakers = customer_speakers(scenario)
    lines: list[str] = []
    for node in scenario.nodes.values():
        if node.speaker not in speakers:
            continue
        for variant in node.say:
            text = " ".join(variant.text.split())
            if text and text not in lines:
                lines.append(text)
    return tuple(lines[:MAX_LINES])


def _label(behaviours: Mapping[str, Behaviour], bid: str) -> str:
    known = behaviours.get(bid)
    return known.label if known is not None else words(bid)


def observer_sheet(rubric: Rubric | None, behaviours: Mapping[str, Behaviour]) -> ObserverSheet:
    """Return the tick-sheet for a rubric: each session criterion with what evidences it."""
    if rubric is None:
        return ObserverSheet("", "", (), ())
    groups = []
    for criterion in rubric.session_criteria:
        rule = criterion.rule
        if rule is None:
            continue
        against = tuple(dict.fromkeys(rule.weakened_by + rule.blocked_by + rule.ruled_out_by))
        groups.append(
            TickGroup(
                criterion.code,
                " ".join(criterion.text.split()),
                tuple(_label(behaviours, b) for b in rule.behaviours),
                tuple(_label(behaviours, b) for b in against),
            )
        )
    return ObserverSheet(
        rubric.id,
        rubric.title,
        tuple(groups),
        tuple(_label(behaviours, b) for b in rubric.critical),
    )


def card_pack(
    scenario: Scenario, rubric: Rubric | None, behaviours: Mapping[str, Behaviour]
) -> CardPack:
    """Return the pack for a live role-play of ``scenario``."""
    context = scenario.context
    customer = context.customer
    organisation = context.organisation
    mood = mood_variable(scenario)
    calms, inflames = _by_effect(scenario, mood, behaviours)
    refer = ""
    if organisation.refer_to:
        member = scenario.cast.get(organisation.refer_to)
        refer = (
            f"{member.name}, {member.role}" if member and member.role else
            member.name if member else words(organisation.refer_to)
        )  # fmt: skip
    return CardPack(
        scenario.id,
        scenario.title,
        CustomerCard(
            name=customer.name or "The customer",
            kind=f"{words(customer.kind)} customer",
            description=" ".join(customer.description.split()),
            situation=" ".join(scenario.summary.split()),
            feelings=tuple(words(i) for i in customer.indicators),
            starting_mood=_starting_mood(mood),
            calms=calms,
            inflames=inflames,
            lines=_customer_lines(scenario),
        ),
        AgentBrief(
            organisation=organisation.name,
            channel=words(context.channel),
            policies=tuple((p.id, " ".join(p.text.split())) for p in organisation.policies),
            authority=organisation.authority_own,
            refer_to=refer,
        ),
        observer_sheet(rubric, behaviours),
    )
