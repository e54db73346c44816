"""Raw YAML -> model. Collects every structural problem; never raises for bad input.

``load_scenario_document`` checks the document's shape against ``simulator.spec``, reports each
problem with its place, and still builds as much of the model as it can so that the linter can
report the remaining problems in the same run.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from simulator import expr, spec
from simulator.errors import Problem, suggest
from simulator.model import (
    Band,
    Behaviour,
    CastMember,
    Condition,
    Context,
    Criterion,
    Customer,
    Effect,
    Node,
    Option,
    Organisation,
    Policy,
    PortfolioRule,
    Rubric,
    Scenario,
    SessionRule,
    ShowsVariant,
    Variable,
    Variant,
    YamlPath,
)
from simulator.yamlsource import Document, read_document

SUPPORTED_FORMATS = (1,)
MAX_OPTIONS = 9


@dataclass
class Loaded:
    """The result of loading one scenario file: the model (if one could be built) and problems."""

    document: Document | None
    """The parsed YAML, or None when it did not parse."""
    scenario: Scenario | None
    """The model, or None when the file is too broken to build one."""
    problems: list[Problem] = field(default_factory=list)
    """Everything found while loading."""


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int):
        return f"a number ({value})"
    if isinstance(value, float):
        return f"a decimal number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"text ('{shown}')"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping (key: value pairs)"
    return type(value).__name__


def _expected(s: spec.Spec) -> str:
    if isinstance(s, spec.Text):
        return "text"
    if isinstance(s, spec.Integer):
        return "a whole number"
    if isinstance(s, spec.Boolean):
        return "true or false"
    if isinstance(s, spec.ListOf):
        return "a list"
    if isinstance(s, spec.Fields | spec.MapOf):
        return "a mapping (key: value pairs)"
    if isinstance(s, spec.OneOf):
        return " or ".join(_expected(c) for c in s.choices)
    return "a value"


def describe(path: YamlPath) -> str:
    """Describe where a path points in words a tutor understands, e.g. "option 2 of node 'x'"."""
    if not path:
        return "the file"
    parts = list(path)
    if parts[0] == "nodes" and len(parts) >= 2:
        where = f"node '{parts[1]}'"
        if len(parts) >= 4 and parts[2] == "options" and isinstance(parts[3], int):
            where = f"option {parts[3] + 1} of {where}"
            rest = parts[4:]
        elif len(parts) >= 4 and parts[2] == "say" and isinstance(parts[3], int):
            where = f"variant {parts[3] + 1} of {where}"
            rest = parts[4:]
        else:
            rest = parts[2:]
        return f"'{'.'.join(str(r) for r in rest)}' in {where}" if rest else where
    if parts[0] == "cast" and len(parts) >= 2:
        rest = parts[2:]
        where = f"cast member '{parts[1]}'"
        return f"'{'.'.join(str(r) for r in rest)}' of {where}" if rest else where
    if parts[0] == "variables" and len(parts) >= 2:
        rest = parts[2:]
        where = f"variable '{parts[1]}'"
        return f"'{'.'.join(str(r) for r in rest)}' of {where}" if rest else where
    return "'" + ".".join(str(p) for p in parts) + "'"


class _Invalid:
    """Marks a value removed because it had the wrong shape (a problem was reported)."""


INVALID = _Invalid()


class Conformer:
    """Checks plain data against a spec, reporting problems and returning the usable part."""

    def __init__(self, doc: Document, problems: list[Problem]) -> None:
        self.doc = doc
        self.problems = problems

    def report(
        self,
        code: str,
        path: YamlPath,
        message: str,
        *,
        at_key: bool = False,
        lost: YamlPath | None = None,
    ) -> None:
        """Record a problem; the value at ``lost`` (by default ``path``) is dropped from now on."""
        self.problems.append(self.doc.problem(code, path, message, at_key=at_key))
        self.doc.broken.add(path if lost is None else lost)

    def wrong_type(self, s: spec.Spec, value: Any, path: YamlPath) -> _Invalid:
        self.report(
            "E010", path, f"{describe(path)} should be {_expected(s)}, not {_type_name(value)}"
        )
        return INVALID

    def conform(self, s: spec.Spec, value: Any, path: YamlPath) -> Any:
        """Return ``value`` with bad parts removed (``INVALID`` if it is unusable as a whole)."""
        refused = self.doc.refused
        if refused and path in refused:
            return INVALID  # already reported while reading the YAML (a tag)
        if isinstance(s, spec.Text):  # most values: checked here without the general dispatch
            if not isinstance(value, str):
                return self.wrong_type(s, value, path)
            if s.enum is None and s.pattern is None:
                return value
            return self.conform_text(s, value, path)
        if isinstance(s, spec.OneOf):
            for choice in s.choices:
                if _matches_basic_type(choice, value):
                    return self.conform(choice, value, path)
            return self.wrong_type(s, value, path)
        if not _matches_basic_type(s, value):
            return self.wrong_type(s, value, path)
        if isinstance(s, spec.Text):
            return self.conform_text(s, value, path)
        if isinstance(s, spec.Integer):
            if (s.minimum is not None and value < s.minimum) or (
                s.maximum is not None and value > s.maximum
            ):
                lo = "" if s.minimum is None else f"at least {s.minimum}"
                hi = "" if s.maximum is None else f"at most {s.maximum}"
                rng = " and ".join(x for x in (lo, hi) if x)
                self.report("E013", path, f"{describe(path)} must be {rng}, not {value}")
                return INVALID
            return value
        if isinstance(s, spec.ListOf):
            if len(value) < s.min_items:
                self.report("E010", path, f"{describe(path)} should not be an empty list")
            items = [self.conform(s.item, item, (*path, i)) for i, item in enumerate(value)]
            return [item for item in items if item is not INVALID]
        if isinstance(s, spec.Fields):
            return self.conform_fields(s, value, path)
        if isinstance(s, spec.MapOf):
            return self.conform_map(s, value, path)
        return value

    def conform_text(self, s: spec.Text, value: str, path: YamlPath) -> Any:
        if s.enum is not None and value not in s.enum:
            self.report(
                "E013",
                path,
                f"'{value}' is not a valid {describe(path)}; use one of: "
                f"{', '.join(s.enum)}{suggest(value, s.enum)}",
            )
            return INVALID
        # fullmatch: with re.match, '$' would accept a trailing newline (ECMA-262's '$' does not)
        if s.pattern is not None and not re.fullmatch(s.pattern, value):
            self.report(
                "E013",
                path,
                f"{describe(path)} should be {s.pattern_hint or s.pattern}, not '{value}'",
            )
            return INVALID
        return value

    def conform_fields(self, s: spec.Fields, value: dict[str, Any], path: YamlPath) -> Any:
        result: dict[str, Any] = {}
        misspelt: set[str] = set()
        for key, item in value.items():
            if key not in s.keys:
                where = describe(path)
                hint = suggest(key, s.keys)
                self.report(
                    "E012", (*path, key), f"unknown key '{key}' in {where}{hint}", at_key=True
                )
                misspelt.update(difflib.get_close_matches(key, s.keys, n=1, cutoff=0.6))
                continue
            cleaned = self.conform(s.keys[key].spec, item, (*path, key))
            if cleaned is not INVALID:
                result[key] = cleaned
        for key, k in s.keys.items():
            # a misspelt key ('idd' for 'id') is reported once, as unknown with a suggestion
            if k.required and key not in value and key not in misspelt:
                self.report(
                    "E011",
                    path,
                    f"{describe(path)} is missing '{key}'",
                    at_key=True,
                    lost=(*path, key),
                )
        return result

    def conform_map(self, s: spec.MapOf, value: dict[str, Any], path: YamlPath) -> Any:
        if len(value) < s.min_items:
            self.report("E010", path, f"{describe(path)} should not be empty")
        result: dict[str, Any] = {}
        for key, item in value.items():
            child = (*path, key)
            if key in s.reserved:
                cleaned = self.conform(s.reserved[key], item, child)
            elif s.key_pattern is not None and not re.fullmatch(s.key_pattern, key):
                self.report(
                    "E013",
                    child,
                    f"'{key}' in {describe(path)} should be {s.key_hint}",
                    at_key=True,
                )
                continue
            else:
                cleaned = self.conform(s.value, item, child)
            if cleaned is not INVALID:
                result[key] = cleaned
        return result


def _matches_basic_type(s: spec.Spec, value: Any) -> bool:
    if isinstance(s, spec.Text):
        return isinstance(value, str)
    if isinstance(s, spec.Integer):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(s, spec.Boolean):
        return isinstance(value, bool)
    if isinstance(s, spec.ListOf):
        return isinstance(value, list)
    if isinstance(s, spec.Fields | spec.MapOf):
        return isinstance(value, dict)
    if isinstance(s, spec.OneOf):
        return any(_matches_basic_type(c, value) for c in s.choices)
    return True


class _ScenarioBuilder:
    """Builds the model from conformed data and makes the checks that need several keys."""

    def __init__(self, doc: Document, problems: list[Problem]) -> None:
        self.doc = doc
        self.problems = problems

    def report(
        self, code: str, path: YamlPath, message: str, *, dropped: bool = False, **kw: Any
    ) -> None:
        """Record a problem; ``dropped`` when the value at ``path`` is left out of the model."""
        self.problems.append(self.doc.problem(code, path, message, **kw))
        if dropped:
            self.doc.broken.add(path)

    def condition(self, source: str, path: YamlPath) -> Condition | None:
        try:
            parsed = expr.parse(source)
        except expr.ExprError as exc:
            self.report(
                "E030",
                path,
                f"cannot read condition '{source}': {exc.message}",
                offset=exc.offset,
                dropped=True,
            )
            return None
        return Condition(source, parsed, path)

    def build(self, data: dict[str, Any], file_stem: str | None) -> Scenario | None:
        fmt = data.get("format")
        if fmt is not None and fmt not in SUPPORTED_FORMATS:
            self.report(
                "E013",
                ("format",),
                f"format {fmt} is not supported; this version of the simulator reads format 1",
            )
            return None
        scenario_id = data.get("id", file_stem or "scenario")
        if "id" in data and file_stem is not None and data["id"] != file_stem:
            self.report(
                "E013",
                ("id",),
                f"id '{data['id']}' must equal the file name '{file_stem}' "
                f"(rename the file to {data['id']}.scenario.yaml or change the id)",
            )
        variables = self.variables(data.get("variables", {}))
        nodes = self.nodes(data.get("nodes", {}))
        cast_members = {
            cid: CastMember(cid, m.get("name", cid), m.get("role", ""))
            for cid, m in data.get("cast", {}).items()
        }
        raw_cast = self.doc.data.get("cast")
        if "cast" in data and isinstance(raw_cast, dict) and "customer" not in raw_cast:
            self.report("E011", ("cast",), "'cast' is missing 'customer'", at_key=True)
        if "narrator" in data.get("cast", {}):
            self.report(
                "E013",
                ("cast", "narrator"),
                "'narrator' is built in; do not declare it in cast",
                at_key=True,
            )
        return Scenario(
            id=scenario_id,
            version=data.get("version", 0),
            title=data.get("title", ""),
            summary=data.get("summary", ""),
            rubric=data.get("rubric"),
            difficulty=data.get("difficulty"),
            context=self.context(data.get("context", {})),
            cast=cast_members,
            variables=variables,
            start=data.get("start", ""),
            nodes=nodes,
            path=self.doc.path,
            format=fmt if isinstance(fmt, int) else 1,
        )

    def context(self, data: dict[str, Any]) -> Context:
        c = data.get("customer", {})
        o = data.get("organisation", {})
        authority = o.get("authority", {})
        return Context(
            issue=data.get("issue", "other"),
            channel=data.get("channel", "face_to_face"),
            problem_source=data.get("problem_source"),
            subject=data.get("subject", ""),
            customer=Customer(
                name=c.get("name", ""),
                kind=c.get("kind", "external"),
                characteristics=tuple(c.get("characteristics", ())),
                indicators=tuple(c.get("indicators", ())),
                description=c.get("description", ""),
            ),
            organisation=Organisation(
                name=o.get("name", ""),
                policies=tuple(
                    Policy(p["id"], p["text"])
                    for p in o.get("policies", ())
                    if "id" in p and "text" in p
                ),
                authority_own=tuple(authority.get("own", ())),
                refer_to=authority.get("refer_to"),
            ),
        )

    def variables(self, data: dict[str, Any]) -> dict[str, Variable]:
        result: dict[str, Variable] = {}
        for name, v in data.items():
            path: YamlPath = ("variables", name)
            if name in spec.RESERVED_NAMES:
                self.report(
                    "E013",
                    path,
                    f"'{name}' is a reserved word; choose another variable name",
                    at_key=True,
                    dropped=True,
                )
                continue
            vtype = v.get("type")
            if vtype is None:
                continue
            default = v.get("default", False if vtype == "bool" else 0)
            lo, hi = v.get("min"), v.get("max")
            if vtype == "bool":
                if not isinstance(default, bool):
                    self.report(
                        "E016",
                        (*path, "default"),
                        f"variable '{name}' is a bool, so its default must be true or false",
                    )
                    default = False
                for key in ("min", "max"):
                    if key in v:
                        self.report(
                            "E016",
                            (*path, key),
                            f"variable '{name}' is a bool; '{key}' only applies to ints",
                            at_key=True,
                        )
                lo = hi = None
            else:
                if isinstance(default, bool):
                    self.report(
                        "E016",
                        (*path, "default"),
                        f"variable '{name}' is an int, so its default must be a number",
                    )
                    default = 0
                if lo is not None and hi is not None and lo > hi:
                    self.report(
                        "E016",
                        (*path, "min"),
                        f"variable '{name}' has min {lo} greater than max {hi}",
                    )
                    lo, hi = hi, lo
                if (lo is not None and default < lo) or (hi is not None and default > hi):
                    self.report(
                        "E016",
                        (*path, "default"),
                        f"default {default} of variable '{name}' is outside its range "
                        f"[{lo if lo is not None else ''}..{hi if hi is not None else ''}]",
                    )
            result[name] = Variable(
                name=name, type=cast(Any, vtype), default=default, min=lo, max=hi,
                label=v.get("label", ""), meter=v.get("meter", False), where=path,
            )  # fmt: skip
        return result

    def nodes(self, data: dict[str, Any]) -> dict[str, Node]:
        result: dict[str, Node] = {}
        seen_options: dict[str, YamlPath] = {}
        for node_id, n in data.items():
            path: YamlPath = ("nodes", node_id)
            has_options, has_next, has_end = "options" in n, "next" in n, "end" in n
            if has_end and (has_options or has_next):
                clash = "options" if has_options else "next"
                self.report(
                    "E015",
                    (*path, clash),
                    f"node '{node_id}' is an ending ('end: {n['end']}') so it cannot also "
                    f"have '{clash}'",
                    at_key=True,
                )
            elif has_options and has_next:
                self.report(
                    "E015",
                    (*path, "next"),
                    f"node '{node_id}' has both 'options' and 'next'; use 'next' only for "
                    "a node the conversation leaves by itself",
                    at_key=True,
                )
            options_data = n.get("options", [])
            if len(options_data) > MAX_OPTIONS:
                self.report(
                    "E017",
                    (*path, "options", MAX_OPTIONS),
                    f"node '{node_id}' has {len(options_data)} options; the learner can "
                    f"choose from at most {MAX_OPTIONS} (keys 1-9)",
                )
            options = []
            for i, o in enumerate(options_data):
                opath: YamlPath = (*path, "options", i)
                if "id" not in o:
                    self.doc.broken.add(opath)  # reported as missing or invalid; left out
                    continue
                first = seen_options.get(o["id"])
                if first is not None:
                    self.report(
                        "E014",
                        (*opath, "id"),
                        f"option id '{o['id']}' is already used at line "
                        f"{self.doc.mark(first).line}; option ids must be unique in the "
                        "scenario",
                    )
                    self.doc.broken.add(opath)  # the option is left out of the model
                    continue
                seen_options[o["id"]] = (*opath, "id")
                options.append(self.option(o, opath, node_id))
            result[node_id] = Node(
                id=node_id, speaker=n.get("speaker", ""), say=self.say(n.get("say"), (*path, "say")),
                options=tuple(options), next=n.get("next"), end=n.get("end"), where=path,
            )  # fmt: skip
        return result

    def say(self, value: Any, path: YamlPath) -> tuple[Variant, ...]:
        if isinstance(value, str):
            return (Variant(value, None, path),)
        if not isinstance(value, list):
            return ()
        variants = []
        for i, v in enumerate(value):
            vpath: YamlPath = (*path, i)
            cond = self.condition(v["if"], (*vpath, "if")) if "if" in v else None
            variants.append(Variant(v.get("text", ""), cond, vpath))
        return tuple(variants)

    def option(self, o: dict[str, Any], path: YamlPath, node_id: str) -> Option:
        effects: list[Effect] = []
        for name, value in o.get("effects", {}).items():
            if name == "set":
                for var, assigned in value.items():
                    effects.append(Effect(var, assigned, True, (*path, "effects", "set", var)))
            else:
                effects.append(
                    Effect(name, value, isinstance(value, bool), (*path, "effects", name))
                )
        shows, variants = self.shows(o.get("shows", []), (*path, "shows"))
        return Option(
            id=o["id"], say=o.get("say", ""), next=o.get("next"), node=node_id,
            shows=shows, shows_variants=variants, effects=tuple(effects),
            feedback=o.get("feedback", ""),
            condition=self.condition(o["if"], (*path, "if")) if "if" in o else None,
            once=o.get("once", False), fallback=o.get("fallback", False), where=path,
            quality=o.get("quality"), corrects=tuple(o.get("corrects", ())), to=o.get("to"),
        )  # fmt: skip

    def shows(
        self, value: list[Any], path: YamlPath
    ) -> tuple[tuple[str, ...], tuple[ShowsVariant, ...]]:
        """A plain list of behaviours, or variants (each item a mapping); never a mixture."""
        if not any(isinstance(item, dict) for item in value):
            return tuple(item for item in value if isinstance(item, str)), ()
        plain = [i for i, item in enumerate(value) if not isinstance(item, dict)]
        if plain:
            self.report(
                "E043",
                (*path, plain[0]),
                "'shows' mixes behaviour ids and variants: write either a list of behaviour "
                "ids, or a list of variants such as {if: verified, shows: [complete_action]}",
            )
            return tuple(item for item in value if isinstance(item, str)), ()
        variants: list[ShowsVariant] = []
        for i, item in enumerate(value):
            vpath: YamlPath = (*path, i)
            cond = self.condition(item["if"], (*vpath, "if")) if "if" in item else None
            variants.append(ShowsVariant(tuple(item.get("shows", ())), cond, vpath))
        union = tuple(dict.fromkeys(b for v in variants for b in v.shows))
        return union, tuple(variants)


def file_stem(path: str) -> str | None:
    """Return the scenario id a file name implies (``x.scenario.yaml`` -> ``x``), or None."""
    name = Path(path).name
    for suffix in (".scenario.yaml", ".scenario.yml"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return None


def load_scenario_document(doc: Document) -> Loaded:
    """Check a parsed document's shape and build the model; all problems are collected."""
    problems: list[Problem] = []
    data = Conformer(doc, problems).conform(spec.SCENARIO, doc.data, ())
    if data is INVALID:
        return Loaded(doc, None, problems)
    scenario = _ScenarioBuilder(doc, problems).build(data, file_stem(doc.path))
    return Loaded(doc, scenario, problems)


def load_scenario_file(path: Path, display: str | None = None) -> Loaded:
    """Read, parse and build one scenario file."""
    doc, problems = read_document(path, display)
    if doc is None:
        return Loaded(None, None, problems)
    loaded = load_scenario_document(doc)
    loaded.problems[:0] = problems
    return loaded


BEHAVIOURS_SPEC = spec.Fields(
    "The behaviour vocabulary",
    {
        "format": spec.Key(spec.Integer(minimum=1), required=True),
        "behaviours": spec.Key(
            spec.MapOf(
                "Behaviours by id",
                spec.Fields(
                    "A behaviour",
                    {
                        "label": spec.Key(spec.Text(), required=True),
                        "polarity": spec.Key(
                            spec.Text(enum=("positive", "negative")), required=True
                        ),
                        "description": spec.Key(spec.Text(), required=True),
                        "source": spec.Key(spec.Text(), required=True),
                    },
                ),
                key_pattern=spec.IDENTIFIER,
                key_hint="snake_case",
                min_items=1,
            ),
            required=True,
        ),
    },
)


def load_behaviours_file(
    path: Path, display: str | None = None
) -> tuple[dict[str, Behaviour], list[Problem]]:
    """Read rubrics/behaviours.yaml into Behaviour objects by id, with any problems."""
    doc, problems = read_document(path, display)
    if doc is None:
        return {}, problems
    data = Conformer(doc, problems).conform(BEHAVIOURS_SPEC, doc.data, ())
    if data is INVALID:
        return {}, problems
    make: Callable[[str, dict[str, Any]], Behaviour] = lambda bid, b: Behaviour(  # noqa: E731
        bid,
        b.get("label", bid),
        b.get("polarity", "positive"),
        b.get("description", ""),
        b.get("source", ""),
    )
    return {bid: make(bid, b) for bid, b in data.get("behaviours", {}).items()}, problems


# -- rubrics -------------------------------------------------------------------------------------


@dataclass
class LoadedRubric:
    """The result of loading one rubric file."""

    document: Document | None
    """The parsed YAML, or None when it did not parse."""
    rubric: Rubric | None
    """The model, or None when the file is too broken to build one."""
    problems: list[Problem] = field(default_factory=list)
    """Everything found while loading."""


def _tuple(data: dict[str, Any], key: str) -> tuple[str, ...]:
    return tuple(data.get(key, ()))


class _RubricBuilder:
    """Builds a Rubric from conformed data and checks what needs several keys at once."""

    def __init__(self, doc: Document, problems: list[Problem]) -> None:
        self.doc = doc
        self.problems = problems

    def report(self, code: str, path: YamlPath, message: str, **kw: Any) -> None:
        self.problems.append(self.doc.problem(code, path, message, **kw))

    def build(self, data: dict[str, Any], stem: str | None) -> Rubric | None:
        fmt = data.get("format")
        if fmt is not None and fmt not in SUPPORTED_FORMATS:
            self.report(
                "E013",
                ("format",),
                f"format {fmt} is not supported; this version of the simulator reads format 1",
            )
            return None
        rubric_id = data.get("id", stem or "rubric")
        if "id" in data and stem is not None and data["id"] != stem:
            self.report(
                "E013",
                ("id",),
                f"id '{data['id']}' must equal the file name '{stem}' "
                f"(rename the file to {data['id']}.yaml or change the id)",
            )
        grading = data.get("grading", "competence")
        bands = tuple(Band(b["id"], b["label"]) for b in data.get("bands", ()) if "id" in b)
        if grading == "banded" and not bands and ("bands",) not in self.doc.broken:
            self.report(
                "E052",
                ("grading",),
                "a banded rubric needs 'bands' (for example pass, merit, distinction)",
            )
        if grading != "banded" and "bands" in data:
            self.report(
                "E052",
                ("bands",),
                f"'bands' only applies to banded rubrics; this one is {grading}",
                at_key=True,
            )
        seen: dict[str, YamlPath] = {}
        criteria = self.criteria(data.get("criteria", []), "criteria", grading, bands, seen)
        requirements = self.criteria(
            data.get("requirements", []), "requirements", grading, (), seen
        )
        return Rubric(
            id=rubric_id, version=data.get("version", 0), title=data.get("title", ""),
            qualification=data.get("qualification", ""), source=data.get("source", ""),
            grading=cast(Any, grading), criteria=criteria, bands=bands, requirements=requirements,
            unit=data.get("unit", ""), notes=data.get("notes", ""),
            practice_only=data.get("practice_only", False), critical=_tuple(data, "critical"),
            path=self.doc.path,
        )  # fmt: skip

    def criteria(
        self,
        items: list[dict[str, Any]],
        key: str,
        grading: str,
        bands: tuple[Band, ...],
        seen: dict[str, YamlPath],
    ) -> tuple[Criterion, ...]:
        result = []
        for i, c in enumerate(items):
            path: YamlPath = (key, i)
            if "code" not in c or "assess" not in c:
                continue
            code = c["code"]
            if code in seen:
                self.report(
                    "E051",
                    (*path, "code"),
                    f"criterion code '{code}' is already used at line "
                    f"{self.doc.mark(seen[code]).line}; codes must be unique",
                )
                continue
            seen[code] = (*path, "code")
            criterion = self.criterion(c, path, grading, bands)
            if criterion is not None:
                result.append(criterion)
        return tuple(result)

    def criterion(
        self, c: dict[str, Any], path: YamlPath, grading: str, bands: tuple[Band, ...]
    ) -> Criterion | None:
        code, assess = c["code"], c["assess"]
        band = c.get("band")
        band_ids = [b.id for b in bands]
        if path[0] == "criteria" and grading == "banded":
            if band is None:
                self.report(
                    "E053",
                    path,
                    f"criterion {code} needs a 'band' ({', '.join(band_ids)})",
                    at_key=True,
                )
            elif bands and band not in band_ids:
                self.report(
                    "E053",
                    (*path, "band"),
                    f"criterion {code} names band '{band}', which is not one of "
                    f"{', '.join(band_ids)}{suggest(band, band_ids)}",
                )
        elif band is not None and path[0] == "criteria":
            self.report(
                "E053",
                (*path, "band"),
                f"criterion {code} has a band, but this rubric is {grading}",
                at_key=True,
            )
        rule = self.session_rule(c, path, code, assess)
        portfolio = self.portfolio_rule(c, path, code, assess)
        if assess == "learner_response" and "response" not in c:
            self.report(
                "E052",
                path,
                f"criterion {code} is assessed from a learner response but does not say "
                "which: add 'response: cause_assessment', 'review' or 'learning_plan'",
                at_key=True,
            )
        if assess != "learner_response" and "response" in c:
            self.report(
                "E052",
                (*path, "response"),
                f"'response' only applies to learner_response criteria; {code} is "
                f"assessed by {assess}",
                at_key=True,
            )
        feedback = c.get("feedback", {})
        return Criterion(
            code=code, text=c.get("text", ""), assess=assess, band=band, rule=rule,
            response=c.get("response"), portfolio=portfolio,
            feedback_achieved=feedback.get("achieved", ""), feedback_not_yet=feedback.get("not_yet", ""),
            guidance=c.get("guidance", ""), tutor_confirms=c.get("tutor_confirms", False),
            where=path,
        )  # fmt: skip

    def session_rule(
        self, c: dict[str, Any], path: YamlPath, code: str, assess: str
    ) -> SessionRule | None:
        r = c.get("rule")
        if assess != "session":
            if "rule" in c:
                self.report(
                    "E052",
                    (*path, "rule"),
                    f"'rule' only applies to session criteria; {code} is assessed by {assess}",
                    at_key=True,
                )
            return None
        for key in ("outcomes", "tutor_confirms"):
            if key in c and assess != "session":
                self.report(
                    "E052",
                    (*path, key),
                    f"'{key}' only applies to session criteria; {code} is assessed by {assess}",
                    at_key=True,
                )
        if r is None:
            if (*path, "rule") not in self.doc.broken:
                self.report(
                    "E052",
                    path,
                    f"session criterion {code} needs a 'rule' naming the behaviours that "
                    "evidence it",
                    at_key=True,
                )
            return None
        rule = SessionRule(
            any=_tuple(r, "any"), all=_tuple(r, "all"), min=r.get("min", 1),
            distinct=r.get("distinct", 0), to=_tuple(r, "to"), after=_tuple(r, "after"),
            blocked_by=_tuple(r, "blocked_by"), ruled_out_by=_tuple(r, "ruled_out_by"),
            weakened_by=_tuple(r, "weakened_by"), outcomes=_tuple(c, "outcomes"),
        )  # fmt: skip
        if not rule.any and not rule.all:
            self.report(
                "E052",
                (*path, "rule"),
                f"the rule of {code} names no behaviours: give 'any' or 'all'",
                at_key=True,
            )
        elif rule.any and rule.all:
            self.report(
                "E052",
                (*path, "rule", "all"),
                f"the rule of {code} has both 'any' and 'all'; use one",
                at_key=True,
            )
        if rule.distinct > len(rule.behaviours) and rule.behaviours:
            self.report(
                "E052",
                (*path, "rule", "distinct"),
                f"the rule of {code} asks for {rule.distinct} different behaviours but "
                f"lists only {len(rule.behaviours)}",
            )
        overlap = set(rule.behaviours) & (set(rule.blocked_by) | set(rule.ruled_out_by))
        if overlap:
            self.report(
                "E052",
                (*path, "rule", "blocked_by"),
                f"the rule of {code} is blocked by a behaviour that evidences it: "
                f"{', '.join(sorted(overlap))}",
                at_key=True,
            )
        return rule

    def portfolio_rule(
        self, c: dict[str, Any], path: YamlPath, code: str, assess: str
    ) -> PortfolioRule | None:
        p = c.get("portfolio")
        if p is None:
            if assess == "portfolio" and (*path, "portfolio") not in self.doc.broken:
                self.report(
                    "E052",
                    path,
                    f"criterion {code} is assessed across sessions but has no 'portfolio' rule",
                    at_key=True,
                )
            return None
        rule = PortfolioRule(
            distinct=p.get("distinct"), min=p.get("min", 1), of=p.get("of"),
            values=_tuple(p, "values"), behaviours=_tuple(p, "behaviours"),
            criteria=_tuple(p, "criteria"), each_session=p.get("each_session", False),
        )  # fmt: skip
        if bool(rule.values) != bool(rule.of):
            missing = "of" if rule.values else "values"
            self.report(
                "E052",
                (*path, "portfolio"),
                f"the portfolio rule of {code} needs both 'values' and 'of' (missing '{missing}')",
                at_key=True,
            )
        if not (
            rule.distinct or rule.values or rule.behaviours or rule.criteria or rule.each_session
        ):
            self.report(
                "E052",
                (*path, "portfolio"),
                f"the portfolio rule of {code} says nothing to count: give 'distinct', "
                "'values', 'behaviours' or 'criteria'",
                at_key=True,
            )
        return rule


def rubric_stem(path: str) -> str | None:
    """Return the rubric id a file name implies (``x.yaml`` -> ``x``)."""
    name = Path(path).name
    for suffix in (".yaml", ".yml"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return None


def load_rubric_document(doc: Document) -> LoadedRubric:
    """Check a rubric document's shape and build the model; all problems are collected."""
    problems: list[Problem] = []
    data = Conformer(doc, problems).conform(spec.RUBRIC, doc.data, ())
    if data is INVALID:
        return LoadedRubric(doc, None, problems)
    rubric = _RubricBuilder(doc, problems).build(data, rubric_stem(doc.path))
    return LoadedRubric(doc, rubric, problems)


def load_rubric_file(path: Path, display: str | None = None) -> LoadedRubric:
    """Read, parse and build one rubric file."""
    doc, problems = read_document(path, display)
    if doc is None:
        return LoadedRubric(None, None, problems)
    loaded = load_rubric_document(doc)
    loaded.problems[:0] = problems
    return loaded
