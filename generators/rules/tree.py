"""The handoff rules as one small expression tree, built once from the model.

The Python engine evaluates it (each node's `value`), and each target prints it in its formula language
(targets/salesforce/rule_text.py, targets/hubspot/rule_text.py), so a rule is written here once and the
three agree by construction. Nodes are frozen dataclasses; what a printer needs to know about a node is
its type and fields, what the engine needs is `value(deal)`.

    completion(f)      0 when not populated, 0.5 when a generic test holds, else 1 (or from contact roles)
    segment_match(m)   All of the match rule's tests; blank numbers count as 0
    score(s)           weighted completion of the segment's scored fields, percent, half-up to 0.1
    completeness(s)    populated required fields, percent, half-up to 0.1
    tier(t)            Ready / Gaps / Blocked from the rounded score
    gate_failures(g)   one node per requirement; any that holds stops the deal

`Rules` holds the whole tree of one model, built once (rules_for).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Mapping

from handrail.generators.rules.contacts import ContactCompletion
from handrail.generators.rules.pipeline_match import InPipeline, in_pipeline
from handrail.specs.model import TEXT_TYPES, Field, Gate, Match, Model, Range, Segment, Tiers


@dataclass(frozen=True)
class Facts:
    """What the rules read from one deal: handoff values by field key, and the segment inputs."""

    values: Mapping[str, Any]
    acv: float = 0.0
    deal_type: str = "new_business"  # or "expansion", "renewal"
    cycle_days: float = 0.0
    segment: str | None = None  # the resolved segment, for gate nodes
    score: float | None = None  # the rounded score, for gate nodes
    pipeline: str | None = None  # the deal's pipeline key (None: the default), for segments naming pipelines


def trim(text: str) -> str:
    """Salesforce's TRIM: spaces and tabs off both ends, nothing else ("Removes the spaces and tabs from the
    beginning and end of a text string", Salesforce Help, Formula Operators and Functions). Newlines stay,
    so a text of line breaks is present, and a text of spaces is blank, in the engine, gates and score."""
    return text.strip(" \t")


def selected(value: Any) -> list[str]:
    """Multi-select values arrive as a list or as Salesforce's 'a;b' text."""
    items = value if isinstance(value, (list, tuple)) else str(value).split(";")
    return [str(v).strip() for v in items if str(v).strip()]


def percent(numerator: float, denominator: float) -> float:
    """numerator / denominator * 100, rounded half up to one decimal in exact decimal arithmetic.

    Binary floating point would turn 11.5 / 40 * 100 into 28.7499..., which rounds the wrong way;
    Salesforce formulas compute in decimal, and so does this.
    """
    exact = Decimal(repr(numerator)) * 100 / Decimal(repr(denominator))
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# --- tests on one handoff field -------------------------------------------------------------------


def populated(f: Field, v: Any) -> bool:
    """A ticked checkbox, text that is not only spaces and tabs, a selected option, or any value."""
    if v is None:
        return False
    if f.type == "checkbox":
        return v is True
    if f.type == "multi_select":
        return bool(selected(v))
    return bool(trim(v)) if isinstance(v, str) else True


@dataclass(frozen=True)
class FillerPhrase:
    """Populated text that, trimmed and lower-cased, is one of the phrases (stored lower-case)."""

    field: Field
    phrases: tuple[str, ...]

    def reason(self, v: Any) -> str:
        text = trim(str(v))
        return f"filler phrase '{text}'" if text.lower() in self.phrases else ""


@dataclass(frozen=True)
class ContainsPhrase:
    field: Field
    phrase: str  # lower-case

    def reason(self, v: Any) -> str:
        return f"contains '{self.phrase}'" if self.phrase in trim(str(v)).lower() else ""


@dataclass(frozen=True)
class ShorterThan:
    field: Field
    length: int

    def reason(self, v: Any) -> str:
        return f"shorter than {self.length} characters" if len(trim(str(v))) < self.length else ""


@dataclass(frozen=True)
class OnlyGenericOptions:
    """Every chosen option is a generic one. The CRMs hold only the field's options, so the printers write
    it as "no specific option chosen" (or, for a picklist, "one of the generic options")."""

    field: Field

    def reason(self, v: Any) -> str:
        chosen = selected(v) if self.field.type == "multi_select" else [str(v).strip()]
        generic = self.field.generic_values
        return f"generic option '{'; '.join(chosen)}'" if all(c in generic for c in chosen) else ""


GenericTest = FillerPhrase | ContainsPhrase | ShorterThan | OnlyGenericOptions


@dataclass(frozen=True)
class Completion:
    """1 for a specific value, 0.5 for a generic one, 0 when empty."""

    field: Field
    generic: tuple[GenericTest, ...]

    def reason(self, v: Any) -> str | None:
        """For the value `v`: None when empty, the first generic test's words, or '' when specific."""
        if not populated(self.field, v):
            return None
        for test in self.generic:
            words = test.reason(v)
            if words:
                return words
        return ""


def generic_tests(f: Field) -> tuple[GenericTest, ...]:
    if f.type in TEXT_TYPES:
        q = f.quality
        tests: list[GenericTest] = [FillerPhrase(f, q.filler_phrases)] if q.filler_phrases else []
        tests += [ContainsPhrase(f, p) for p in q.generic_if_contains]
        return tuple(tests + ([ShorterThan(f, q.min_length)] if q.min_length else []))
    if f.type in ("picklist", "multi_select") and f.generic_values:
        return (OnlyGenericOptions(f),)
    return ()


def completion(f: Field) -> Completion | ContactCompletion:
    """The field's completion; from the deal's contact roles when the field is complete_when contacts."""
    return ContactCompletion(f, f.contacts) if f.contacts else Completion(f, generic_tests(f))


# --- segment rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class InRange:
    """The deal's ACV or sales-cycle days (blank counts as 0) within a range."""

    measure: str  # "acv" | "cycle_days"
    range: Range

    def value(self, d: Facts) -> bool:
        return self.range.contains(d.acv if self.measure == "acv" else d.cycle_days)


@dataclass(frozen=True)
class DealTypeIs:
    """The deal's type: "expansion" or "renewal" when its deal-type value is one the spec lists (an
    expansion value wins over a renewal value), else "new_business"."""

    kind: str

    def value(self, d: Facts) -> bool:
        return d.deal_type == self.kind


@dataclass(frozen=True)
class PartnerSourced:
    """The partner box ticked (or not); with no partner field in the spec no deal is partner-sourced."""

    field: Field | None
    expected: bool

    def value(self, d: Facts) -> bool:
        ticked = self.field is not None and d.values.get(self.field.key) is True
        return ticked == self.expected


SegmentTest = InRange | DealTypeIs | PartnerSourced | InPipeline


@dataclass(frozen=True)
class SegmentMatch:
    """Every test holds; no tests: every deal. Tests in the order ACV, deal type, partner, cycle."""

    segment: Segment
    tests: tuple[SegmentTest, ...]

    def value(self, d: Facts) -> bool:
        return all(t.value(d) for t in self.tests)


def segment_match(model: Model, segment: Segment) -> SegmentMatch:
    m: Match = segment.match
    tests: list[SegmentTest] = []
    if m.acv is not None:
        tests.append(InRange("acv", m.acv))
    if m.deal_type is not None:
        tests.append(DealTypeIs(m.deal_type))
    if m.partner_sourced is not None:
        tests.append(PartnerSourced(model.partner_field, m.partner_sourced))
    if m.sales_cycle_days is not None:
        tests.append(InRange("cycle_days", m.sales_cycle_days))
    if segment.pipelines:
        tests.append(in_pipeline(model, segment.pipelines))
    return SegmentMatch(segment, tuple(tests))


# --- segment figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """sum(weight x completion) x 100 / sum(weight), half-up to one decimal; None when nothing is scored."""

    terms: tuple[tuple[int, Completion | ContactCompletion], ...]

    @property
    def possible(self) -> int:
        return sum(w for w, _ in self.terms)


@dataclass(frozen=True)
class Completeness:
    """Populated required fields x 100 / required fields, half-up to one decimal; 100 when none."""

    required: tuple[Field, ...]


@dataclass(frozen=True)
class Tier:
    """Ready at >= ready, Gaps at >= gaps, else Blocked, from the rounded score; None without a score."""

    tiers: Tiers

    def value(self, score: float | None) -> str | None:
        if score is None:
            return None
        return "ready" if score >= self.tiers.ready else "gaps" if score >= self.tiers.gaps else "blocked"


def score(model: Model, segment: Segment) -> Score:
    return Score(tuple((model.field(k).weight, completion(model.field(k))) for k in segment.scored_fields))


def completeness(model: Model, segment: Segment) -> Completeness:
    return Completeness(tuple(model.field(k) for k in segment.required_fields))


# --- gates ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Empty:
    """The field holds no value: the gate's simplest requirement fails."""

    field: Field

    def value(self, d: Facts) -> bool:
        return not populated(self.field, d.values.get(self.field.key))

    def failure(self) -> str:
        return f"{self.field.label} is empty"


@dataclass(frozen=True)
class EmptyInSegments:
    """Any of these fields is empty for a deal in one of `segments` (a deal with no segment counts as in all).
    `universe` is every segment the gate covers, so a printer can write the shorter test."""

    segments: tuple[str, ...]
    universe: tuple[str, ...]
    fields: tuple[Field, ...]

    def applies(self, d: Facts) -> bool:
        return d.segment is None or d.segment in self.segments

    def value(self, d: Facts) -> bool:
        return self.applies(d) and any(not populated(f, d.values.get(f.key)) for f in self.fields)


@dataclass(frozen=True)
class ScoreBelow:
    """The score is blank or under the floor: gates fail closed."""

    floor: float

    def value(self, d: Facts) -> bool:
        return d.score is None or d.score < self.floor

    def wanted(self) -> str:
        """The requirement in words, as gate messages list it."""
        return f"a handoff score of at least {self.floor:g}"

    def failure(self, score: float | None) -> str:
        """Why a deal with `score` fails it."""
        if score is None:
            return f"no handoff score (needs {self.floor:g} or more)"
        return f"score {score:.1f} is below {self.floor:g}"


Requirement = Empty | EmptyInSegments | ScoreBelow


def segment_requirements(model: Model, gate: Gate) -> list[tuple[tuple[str, ...], list[Field]]]:
    """Required fields of the gate's segments not already required by the gate itself, grouped by which of
    those segments need them (spec order)."""
    if not gate.require.segment_required_fields:
        return []
    skip = set(gate.require.fields)
    if gate.require.csm_assigned and model.csm_field:
        skip.add(model.csm_field.key)
    groups: dict[tuple[str, ...], list[Field]] = {}
    for f in model.fields:
        if f.key in skip:
            continue
        needed_by = tuple(k for k in gate.segments if f.key in model.segment(k).required_fields)
        if needed_by:
            groups.setdefault(needed_by, []).append(f)
    return list(groups.items())


def gate_failures(model: Model, gate: Gate) -> tuple[Requirement, ...]:
    """One node per requirement, in the order the gate lists them: CSM, fields, segment fields, score."""
    req = gate.require
    out: list[Requirement] = []
    if req.csm_assigned and model.csm_field:
        out.append(Empty(model.csm_field))
    out += [Empty(model.field(k)) for k in req.fields]
    out += [
        EmptyInSegments(keys, gate.segments, tuple(fields))
        for keys, fields in segment_requirements(model, gate)
    ]
    floor = req.effective_min_score(model.tiers)
    if floor is not None:
        out.append(ScoreBelow(floor))
    return tuple(out)


@dataclass(frozen=True)
class Rules:
    """Every rule of one model, by field, segment and gate key."""

    completions: Mapping[str, Completion | ContactCompletion]
    matches: tuple[SegmentMatch, ...]
    scores: Mapping[str, Score]
    completeness: Mapping[str, Completeness]
    tier: Tier
    model: Model
    _gates: dict[str, tuple[Requirement, ...]] = field(default_factory=dict)

    def match(self, segment: str) -> SegmentMatch:
        return next(m for m in self.matches if m.segment.key == segment)

    def gate(self, key: str) -> tuple[Requirement, ...]:
        """The gate's requirements, built when first asked for (scoring alone never needs them)."""
        if key not in self._gates:
            self._gates[key] = gate_failures(self.model, next(g for g in self.model.gates if g.key == key))
        return self._gates[key]


_BUILT: dict[int, tuple[Model, Rules]] = {}


def rules_for(model: Model) -> Rules:
    """The model's rule tree; built once per model object (a model is immutable)."""
    hit = _BUILT.get(id(model))
    if hit is not None and hit[0] is model:
        return hit[1]
    built = Rules(
        completions={f.key: completion(f) for f in model.fields},
        matches=tuple(segment_match(model, s) for s in model.segments),
        scores={s.key: score(model, s) for s in model.segments},
        completeness={s.key: completeness(model, s) for s in model.segments},
        tier=Tier(model.tiers),
        model=model,
    )
    if len(_BUILT) > 64:  # models are few per process; keep the cache from growing in long test runs
        _BUILT.clear()
    _BUILT[id(model)] = (model, built)
    return built
