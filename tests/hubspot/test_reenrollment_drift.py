"""What `diff` compares on a workflow's re-enrollment trigger: a live flow still carrying the old plain AND
branch (hs_name / hs_value read as deal properties, never firing) is drift; the event branch HubSpot
returns with its own additions is not. (Reference README, Corrections; OpenAPI
PublicUnifiedEventsFilterBranch.)
"""

from __future__ import annotations

import copy

from helpers import EXAMPLE_SPEC

from handrail.specs.validate import load_spec
from handrail.targets.hubspot.flows import flows
from handrail.targets.hubspot.org_normalise import normalise


def _desired() -> dict:
    return next(f.body for f in flows(load_spec(EXAMPLE_SPEC).model) if f.key == "closed-won-handoff")


def test_the_old_plain_branch_trigger_is_drift():
    desired = _desired()
    live = copy.deepcopy(desired)
    trigger = live["enrollmentCriteria"]["reEnrollmentTriggersFilterBranches"][0]
    for key in ("eventTypeId", "operator"):
        trigger.pop(key)
    trigger["filterBranchType"] = trigger["filterBranchOperator"] = "AND"
    assert normalise("flow", live, desired)["enrollmentCriteria"] != desired["enrollmentCriteria"]


def test_the_event_trigger_as_hubspot_returns_it_is_not_drift():
    desired = _desired()
    live = copy.deepcopy(desired)
    live.update(id="77", revisionId="3", uuid="77-3")
    live["enrollmentCriteria"]["reEnrollmentTriggersFilterBranches"][0]["coalescingRefineBy"] = {
        "type": "NUM_OCCURRENCES",
        "minOccurrences": 1,
    }
    assert normalise("flow", live, desired) == desired
