"""The resolved handoff model: defaults applied, references resolved, names decided.

Every target compiles from this model alone and never re-reads YAML. Each object keeps the span of
the spec node it came from, so compile-time errors can point back at the spec.
"""

from __future__ import annotations

from typing import Literal

from handrail.specs.automation import (  # noqa: F401 - part of the model's vocabulary
    Assignment,
    Automation,
    ClosedWon,
    Due,
    Escalation,
    IntakeReturn,
    Notification,
    StageEntry,
    Task,
)
from handrail.specs.calendar import BusinessCalendar
from handrail.specs.contacts import ContactRule
from handrail.specs.diagnostics import Span
from handrail.specs.gate_rollout import GateBypass
from handrail.specs.pipelines import Pipeline
from handrail.specs.platforms import Assignee, SalesforceSettings
from handrail.specs.playbook import Playbook
from handrail.specs.record import record

FieldType = Literal[
    "short_text",
    "long_text",
    "picklist",
    "multi_select",
    "number",
    "currency",
    "percent",
    "date",
    "datetime",
    "checkbox",
    "user",
]
TEXT_TYPES = frozenset({"short_text", "long_text"})
CHOICE_TYPES = frozenset({"picklist", "multi_select"})
NUMBER_TYPES = frozenset({"number", "currency", "percent"})
TIERS = ("ready", "gaps", "blocked")
Motion = Literal["automated", "structured", "white_glove", "internal", "partner"]


@record
class Quality:
    """When a populated value is only generic (half credit). Comparisons ignore case and surrounding space."""

    min_length: int = 0
    filler_phrases: tuple[str, ...] = ()  # stored lower-case
    generic_if_contains: tuple[str, ...] = ()  # stored lower-case

    @property
    def active(self) -> bool:
        return bool(self.min_length or self.filler_phrases or self.generic_if_contains)


@record
class Option:
    """One choice of a picklist or multi-select field; a generic one scores half."""

    value: str
    label: str
    generic: bool = False


@record
class Field:
    """A handoff field: its type, section, weight and what makes a value only generic."""

    key: str
    label: str
    type: FieldType
    section: str
    weight: int | None  # None: unweighted, never scored
    help: str
    description: str
    quality: Quality  # meaningful for text types only
    options: tuple[Option, ...] = ()
    length: int | None = None  # text types
    visible_lines: int | None = None  # long text
    precision: int | None = None  # number types
    scale: int | None = None
    salesforce_name: str = ""  # API name with __c
    hubspot_name: str = ""  # internal name
    allow_destructive: bool = False
    span: Span | None = None
    contacts: ContactRule | None = None  # complete_when: {contacts: ...} (specs/contacts.py)

    @property
    def generic_values(self) -> frozenset[str]:
        return frozenset(o.value for o in self.options if o.generic)

    @property
    def max_completion(self) -> float:
        """The best credit any value can earn: 0.5 when every choice is generic."""
        if self.type in CHOICE_TYPES and self.options and all(o.generic for o in self.options):
            return 0.5
        return 1.0


@record
class Section:
    """A group of fields in the brief and on the layouts, with the roles that read it."""

    key: str
    label: str
    description: str = ""
    roles: tuple[str, ...] = ("csm", "implementation", "leadership")


@record
class Range:
    """A numeric interval; None bounds are open."""

    gte: float | None = None
    gt: float | None = None
    lt: float | None = None
    lte: float | None = None

    def contains(self, x: float) -> bool:
        return (
            (self.gte is None or x >= self.gte)
            and (self.gt is None or x > self.gt)
            and (self.lt is None or x < self.lt)
            and (self.lte is None or x <= self.lte)
        )

    def bounds(self) -> tuple[float, ...]:
        return tuple(b for b in (self.gte, self.gt, self.lt, self.lte) if b is not None)

    def describe(self, name: str) -> str:
        parts = []
        for op, bound in ((">=", self.gte), (">", self.gt), ("<", self.lt), ("<=", self.lte)):
            if bound is not None:
                parts.append(f"{name} {op} {bound:g}")
        return " and ".join(parts)


@record
class Match:
    """Segment rule: every condition present must hold. No conditions: matches every deal."""

    acv: Range | None = None
    deal_type: Literal["new_business", "expansion", "renewal"] | None = None
    partner_sourced: bool | None = None
    sales_cycle_days: Range | None = None

    @property
    def dimensions(self) -> frozenset[str]:
        return frozenset(
            n
            for n in ("acv", "deal_type", "partner_sourced", "sales_cycle_days")
            if getattr(self, n) is not None
        )

    def holds(self, acv: float, deal_type: str, partner_sourced: bool, sales_cycle_days: float) -> bool:
        return (
            (self.acv is None or self.acv.contains(acv))
            and (self.deal_type is None or self.deal_type == deal_type)
            and (self.partner_sourced is None or self.partner_sourced == partner_sourced)
            and (self.sales_cycle_days is None or self.sales_cycle_days.contains(sales_cycle_days))
        )

    def describe(self) -> str:
        parts = []
        if self.deal_type is not None:
            parts.append(f"deal type is {self.deal_type}")
        if self.partner_sourced is not None:
            parts.append("partner-sourced" if self.partner_sourced else "not partner-sourced")
        if self.acv is not None:
            parts.append(self.acv.describe("ACV"))
        if self.sales_cycle_days is not None:
            parts.append(self.sales_cycle_days.describe("sales cycle days"))
        return " and ".join(parts) or "every deal"


@record
class Sla:
    """The handoff's clocks: internal handoff and first touch in hours, kickoff in business days."""

    internal_handoff_hours: int = 24
    first_touch_hours: int = 48
    kickoff_business_days: int = 5
    implementation_contact_days: int | None = None  # the playbook's post-sale owner segments (specs.playbook)


@record
class Segment:
    """A class of deals (by ACV, type, region...) with its own required fields, motion and SLA."""

    key: str
    label: str
    description: str
    match: Match
    motion: Motion
    required_fields: tuple[str, ...]  # field keys, in spec field order
    scored_fields: tuple[str, ...]  # weighted field keys counted in the score, in spec field order
    csm_required_by: str | None  # stage key
    sla: Sla
    span: Span | None = None
    pipelines: tuple[str, ...] = ()  # pipeline keys; empty: deals of any pipeline (specs/pipelines.py)


@record
class Tiers:
    """The score thresholds of the ready and gaps tiers; below gaps is blocked."""

    ready: float = 85
    gaps: float = 60


@record
class Stage:
    """A pipeline stage as the spec names it, with its Salesforce and HubSpot values."""

    key: str
    label: str
    order: int
    salesforce: str | None
    hubspot: str | None
    closed_won: bool = False
    closed_lost: bool = False
    span: Span | None = None


@record
class Requirement:
    """What a gate requires: fields, the segment's required fields, a minimum score or tier."""

    fields: tuple[str, ...] = ()
    segment_required_fields: bool = False
    min_score: float | None = None
    min_tier: Literal["gaps", "ready"] | None = None
    csm_assigned: bool = False

    def effective_min_score(self, tiers: Tiers) -> float | None:
        """min_score and min_tier folded into one threshold."""
        floors = [self.min_score] if self.min_score is not None else []
        if self.min_tier:
            floors.append(tiers.ready if self.min_tier == "ready" else tiers.gaps)
        return max(floors) if floors else None


@record
class Approval:
    """A gate's `hubspot:` block: who approves a move into its stage while the gate is not met."""

    approvers: tuple[str, ...]  # HubSpot user ids
    mode: Literal["any", "all"] = "any"
    span: Span | None = None


@record
class Gate:
    """A stage gate: what deals of `segments` must hold to enter `stage`, enforced or monitored."""

    key: str
    stage: str
    segments: tuple[str, ...]  # resolved segment keys
    require: Requirement
    message: str
    active: bool = True
    allow_destructive: bool = False
    span: Span | None = None
    hubspot_approval: Approval | None = None  # opt-in conditional approval (targets.hubspot.pipeline_rules)
    pipelines: tuple[str, ...] = ()  # pipeline keys; empty: every pipeline that has the stage
    mode: Literal["enforce", "monitor"] = "enforce"  # monitor: flag, do not block (specs.gate_rollout)


@record
class DealSource:
    """Where the deal attributes segments match on live in each CRM."""

    acv_salesforce: str = "Amount"
    acv_hubspot: str = "amount_in_home_currency"  # converted: the amount in the company currency
    deal_type_salesforce: str = "Type"
    deal_type_hubspot: str = "dealtype"
    expansion_values_salesforce: tuple[str, ...] = ("Existing Customer - Upgrade",)
    expansion_values_hubspot: tuple[str, ...] = ("existingbusiness",)
    renewal_values_salesforce: tuple[str, ...] = ()
    renewal_values_hubspot: tuple[str, ...] = ()
    partner_field: str | None = None  # spec field key (checkbox)
    csm_field: str | None = None  # spec field key (user)
    account_csm_salesforce: str | None = None  # Account user field with its CSM (deal.csm.account_field)
    account_csm_hubspot: str | None = None  # the company's user property holding its CSM
    # where each value is written, by its path under deal: ("acv.salesforce", "expansion_values.hubspot[0]")
    spans: tuple[tuple[str, Span], ...] = ()

    def span(self, path: str) -> Span | None:
        """Where `path` is written; a value not written (a default) at the nearest written parent."""
        spans = dict(self.spans)
        while path and path not in spans:
            path = path.rpartition(".")[0] if "[" not in path else path.rpartition("[")[0]
        return spans.get(path) or spans.get("")


@record
class Naming:
    """The prefixes and names Handrail gives what it creates in each CRM."""

    salesforce_prefix: str = "Handoff"
    hubspot_prefix: str = "handoff"
    hubspot_group: str = "handoff"
    salesforce_object: str = "Opportunity"


@record
class Environment:
    """A named place to deploy to: a Salesforce org, a HubSpot portal or a snapshot folder."""

    name: str
    target: Literal["salesforce", "hubspot", "snapshot"]
    settings: tuple[tuple[str, str | bool], ...]  # the remaining keys, as written
    production: bool = False
    span: Span | None = None
    permission_sets: tuple[tuple[str, tuple[Assignee, ...]], ...] = ()  # Salesforce: (role, users)
    people: tuple[tuple[str, str], ...] = ()  # the spec's username -> this environment's (specs.people)
    username_suffix: str | None = None  # Salesforce: appended to every username the spec names
    hubspot_stages: tuple[tuple[str, str], ...] = ()  # stage key -> this portal's deal stage id
    # pipeline key -> (this portal's pipeline id or None, ((stage key, stage id), ...)): specs.environment_ids
    hubspot_pipelines: tuple[tuple[str, str | None, tuple[tuple[str, str], ...]], ...] = ()

    def get(self, key: str, default=None):
        return dict(self.settings).get(key, default)


@record
class Model:
    """The validated spec: everything the generators and targets compile from."""

    name: str
    source: str  # the spec file
    naming: Naming
    deal: DealSource
    sections: tuple[Section, ...]
    fields: tuple[Field, ...]
    tiers: Tiers
    segments: tuple[Segment, ...]
    stages: tuple[Stage, ...]
    gates: tuple[Gate, ...]
    automation: Automation
    environments: tuple[Environment, ...]
    computed: tuple[Field, ...] = ()  # score, tier, timestamps...: see specs.computed
    retired_fields: tuple[Field, ...] = ()  # tombstones: fields to delete from the CRM (names resolved)
    retired_gates: tuple[str, ...] = ()
    salesforce: SalesforceSettings = SalesforceSettings()
    pipelines: tuple[Pipeline, ...] = ()  # empty: one implicit default (specs.pipelines.pipelines_of)
    calendar: BusinessCalendar = BusinessCalendar()
    playbook: Playbook = Playbook()  # the edge cases (specs.playbook)
    gate_bypass: GateBypass | None = None  # holders pass every enforced gate (specs.gate_rollout)

    def computed_field(self, key: str) -> Field:
        return self._index("computed")[key]

    def field(self, key: str) -> Field:
        return self._index("fields")[key]

    def segment(self, key: str) -> Segment:
        return self._index("segments")[key]

    def stage(self, key: str) -> Stage:
        return self._index("stages")[key]

    def section(self, key: str) -> Section:
        return self._index("sections")[key]

    def environment(self, name: str) -> Environment:
        return self._index("environments", "name")[name]

    @property
    def weighted_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.weight)

    @property
    def csm_field(self) -> Field | None:
        return self.field(self.deal.csm_field) if self.deal.csm_field else None

    @property
    def partner_field(self) -> Field | None:
        return self.field(self.deal.partner_field) if self.deal.partner_field else None

    def _index(self, attr: str, key: str = "key") -> dict:
        cache = self.__dict__.setdefault("_indexes", {})
        if attr not in cache:
            cache[attr] = {getattr(item, key): item for item in getattr(self, attr)}
        return cache[attr]
