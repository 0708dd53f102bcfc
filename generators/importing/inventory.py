"""What an org holds that a draft spec is made from, in CRM-neutral terms.

The Salesforce and HubSpot importers (targets/*/importer.py) fill an Inventory; generators.importing.draft
writes the spec from it. Nothing here knows how either CRM is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CrmField:
    """One custom field (Salesforce) or deal property (HubSpot) as the org holds it.

    `spec_type` is the spec's type the field adopts as, or None when the spec has no type for it
    (`why` says so); the other attributes are the ones a spec can state, as the org has them.
    """

    name: str
    label: str
    crm_type: str
    spec_type: str | None
    help: str = ""
    description: str = ""
    length: int | None = None
    visible_lines: int | None = None
    precision: int | None = None
    scale: int | None = None
    options: tuple[tuple[str, str], ...] = ()  # (value, label)
    group: str = ""  # HubSpot property group
    why: str = ""  # why it cannot be adopted as it is
    kept: tuple[str, ...] = ()  # what the org holds that the spec does not state ("history tracking on")


@dataclass(frozen=True)
class CrmStage:
    value: str  # the StageName value or the HubSpot stage id
    label: str
    won: bool = False
    closed: bool = False


@dataclass(frozen=True)
class CrmPipeline:
    """A HubSpot pipeline, or a Salesforce record type with its business process (sales process)."""

    name: str
    label: str
    stages: tuple[CrmStage, ...]
    active: bool = True
    process: str = ""  # Salesforce: the business process
    default: bool = False


@dataclass(frozen=True)
class CrmAutomation:
    """An active validation rule, flow or workflow that touches deals: listed, never decompiled."""

    kind: str
    name: str
    detail: str = ""


@dataclass
class Inventory:
    platform: str  # salesforce or hubspot
    source: str  # the environment it was read from, for the draft's header
    fields: list[CrmField] = field(default_factory=list)
    stages: list[CrmStage] = field(default_factory=list)  # the default pipeline's, in order
    pipelines: list[CrmPipeline] = field(default_factory=list)
    automations: list[CrmAutomation] = field(default_factory=list)
    groups: dict[str, str] = field(default_factory=dict)  # HubSpot property group name -> label
    notes: list[str] = field(default_factory=list)
