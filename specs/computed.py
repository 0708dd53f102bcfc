"""Fields Handrail adds to every handoff: the computed score and the process timestamps.

Targets generate them beside the spec's own fields; their keys are reserved in specs.
"""

from __future__ import annotations

from handrail.specs.model import Field, Naming, Option, Quality, Segment
from handrail.specs.naming import hubspot_property_name, salesforce_field_name

# key, label, type, help. Order is the order targets emit them in.
_COMPUTED = (
    ("score", "Handoff Score", "number", "Weighted handoff quality score, 0-100. Computed by Handrail."),
    (
        "completeness",
        "Handoff Completeness",
        "percent",
        "Required handoff fields populated, as a percentage.",
    ),
    ("tier", "Handoff Tier", "picklist", "Ready, Gaps or Blocked, from the handoff score."),
    ("segment", "Handoff Segment", "picklist", "The handoff segment this deal resolved to."),
    (
        "missing_summary",
        "Handoff Missing Summary",
        "long_text",
        "Which handoff fields are missing or generic.",
    ),
    ("closed_won_at", "Closed Won At", "datetime", "When the deal reached Closed Won; SLAs count from here."),
    ("internal_handoff_at", "Internal Handoff At", "datetime", "When the CSM was briefed internally."),
    ("first_touch_at", "First CS Touch At", "datetime", "When CS first contacted the customer."),
    ("kickoff_at", "Kickoff At", "datetime", "When the kickoff call took place."),
    (
        "clocks_stamped",
        "SLA Clocks Stamped",
        "short_text",
        "The SLA clocks automation stamped when a task was completed (;-separated); others were typed.",
    ),
    (
        "csm_rating",
        "CSM Handoff Rating",
        "picklist",
        "The CSM's rating of the handoff, 1 (poor) to 5 (excellent).",
    ),
    (
        "intake_status",
        "CS Intake Status",
        "picklist",
        "Whether CS accepted the handoff or returned it to Sales.",
    ),
    (
        "intake_decided_at",
        "Intake Decided At",
        "datetime",
        "When CS last accepted or returned the handoff; time to decision counts from Closed Won At.",
    ),
    (
        "intake_resubmit",
        "Resubmit Handoff to CS",
        "checkbox",
        "Tick to send a handoff CS returned back to CS: the Closed Won gates are checked again.",
    ),
    (
        "gate_flags",
        "Gate Flags",
        "long_text",
        "The gates the deal's last flagged save would have failed: monitor-mode gates, and enforced gates "
        "a bypass holder passed.",
    ),
    ("gate_flagged_at", "Gate Flagged At", "datetime", "When a gate last flagged the deal."),
)
RESERVED = frozenset(key for key, *_ in _COMPUTED)
# Long text counts against Salesforce's 1,638,400 characters per object: a list of gate keys needs little.
LONG_TEXT_LENGTHS = {"gate_flags": 1000}
READ_ONLY = frozenset(
    {
        "score",
        "completeness",
        "tier",
        "segment",
        "missing_summary",
        "closed_won_at",
        "intake_decided_at",
        "clocks_stamped",
        "gate_flags",
        "gate_flagged_at",
    }
)
SALES_EDITABLE = frozenset({"intake_resubmit"})  # the one computed field Sales sets: it resubmits


def computed_fields(naming: Naming, segments: tuple[Segment, ...]) -> tuple[Field, ...]:
    options = {
        "tier": (Option("Ready", "Ready"), Option("Gaps", "Gaps"), Option("Blocked", "Blocked")),
        "segment": tuple(Option(s.key, s.label) for s in segments),
        "csm_rating": tuple(Option(str(n), str(n)) for n in range(1, 6)),
        "intake_status": (
            Option("Pending", "Pending"),
            Option("Accepted", "Accepted"),
            Option("Returned", "Returned to Sales"),
        ),
    }
    shape = {"score": (5, 1), "completeness": (5, 1)}
    out = []
    for key, label, ftype, help_text in _COMPUTED:
        precision, scale = shape.get(key, (None, None))
        out.append(
            Field(
                key=key,
                label=label,
                type=ftype,
                section="handoff",
                weight=None,
                help=help_text,
                description="Managed by Handrail. Computed; do not edit by hand."
                if key in READ_ONLY
                else "Managed by Handrail.",
                quality=Quality(),
                options=options.get(key, ()),
                length=LONG_TEXT_LENGTHS.get(key, 32768)
                if ftype == "long_text"
                else {"short_text": 255}.get(ftype),
                visible_lines=3 if ftype == "long_text" else None,
                precision=precision,
                scale=scale,
                salesforce_name=salesforce_field_name(naming.salesforce_prefix, key),
                hubspot_name=hubspot_property_name(naming.hubspot_prefix, key),
            )
        )
    return tuple(out)
