"""Generated specs of any size for both CRMs, for call-count tests and the diff benchmark.

spec_text(100, environments)   100 handoff fields of every type, three segments, four stages
                               mapped to Salesforce and HubSpot, two gates; no people to resolve
spec_text(500, csm=True)       the same plus a CSM field, a CSM stage gate and csm_required_by
                               (the Salesforce build benchmark)
"""

from __future__ import annotations

TYPES = [
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
SEGMENTS = ["smb", "mid_market", "enterprise"]


def spec_text(count: int, environments: str = "", csm: bool = False) -> str:
    """`environments` is the YAML under `environments:` (indented by two spaces)."""
    lines = [
        "version: 1",
        "name: Generated handoff",
        *(["deal: {csm: {field: f0010}}"] if csm else []),
        "fields:",
    ]
    for n in range(count):
        kind = TYPES[n % len(TYPES)]
        extra = ""
        if kind in ("picklist", "multi_select"):
            extra += ", options: [Alpha, Beta, Gamma, {value: Other, generic: true}]"
        if kind == "long_text":
            extra += ", length: 2000"
        if n < 60 and kind in ("short_text", "long_text", "picklist"):
            extra += f", weight: {1 + n % 3}"
        if n % 50 == 0 and kind not in ("checkbox", "user"):
            extra += f", required_in: [{SEGMENTS[n // 50 % 3]}]"
        lines.append(
            f"  - {{key: f{n:04d}, label: Field {n}, type: {kind}, help: Generated field {n}.{extra}}}"
        )
    lines += [
        "segments:",
        "  - {key: smb, label: SMB, match: {acv: {lt: 25000}}, motion: automated}",
        "  - {key: mid_market, label: Mid-Market, match: {acv: {gte: 25000, lt: 100000}}, motion: structured"
        + (", csm_required_by: commit}" if csm else "}"),
        "  - {key: enterprise, label: Enterprise, match: {acv: {gte: 100000}}, motion: white_glove}",
        "stages:",
        "  - {key: proposal, label: Proposal, salesforce: Proposal/Price Quote, "
        "hubspot: presentationscheduled}",
        "  - {key: commit, label: Commit, salesforce: Commit, hubspot: contractsent}",
        "  - {key: won, label: Won, salesforce: Closed Won, hubspot: closedwon, closed_won: true}",
        "  - {key: lost, label: Lost, salesforce: Closed Lost, hubspot: closedlost, closed_lost: true}",
        "gates:",
        "  - {key: won_ready, stage: won, require: {min_tier: gaps, segment_required_fields: true},"
        " message: The handoff is not ready.}",
        "  - {key: enterprise_ready, stage: won, segments: [enterprise], require: {min_tier: ready},"
        " message: Enterprise handoffs must be Ready.}",
        *(
            [
                "  - "
                "{key: enterprise_csm, stage: proposal, segments: [enterprise], "
                "require: {csm_assigned: true}, message: Enterprise deals need a CSM.}"
            ]
            if csm
            else []
        ),
        *(["environments:" + environments] if environments else []),
    ]
    return "\n".join(lines) + "\n"
