"""Tasks and notifications never block a save: every Create Records and action call in the generated flows
has a fault connector to an element of the same flow.

Record-triggered flows run in the record's transaction: an element that fails without a fault path fails
the interview and rolls back the whole transaction, the rep's save included; with a fault path it is
not rolled back (Trailhead, "Roll Back Changes After an Error",
https://trailhead.salesforce.com/content/learn/modules/flow-implementation-2/roll-back-changes-after-an-error).
`faultConnector` is an element of FlowActionCall and FlowRecordCreate in the Metadata API WSDL.
"""

from __future__ import annotations

import dataclasses

import pytest
from helpers import EXAMPLE_SPEC, ROOT
from lxml import etree

from handrail.specs.validate import load_spec
from handrail.targets.salesforce import flows
from handrail.targets.salesforce.flow_elements import FAULT_END
from handrail.targets.salesforce.schema import validate_xml
from handrail.targets.salesforce.xml import metadata_xml

SPECS = [EXAMPLE_SPEC] + sorted((ROOT / "tests" / "specs").glob("*.yaml"))
NS = "{http://soap.sforce.com/2006/04/metadata}"


def generated_flows(spec):
    model = load_spec(spec).model
    active = dataclasses.replace(
        model, automation=dataclasses.replace(model.automation, flow_status="active")
    )
    return [c for c in flows.components(active, {}) if c.type == "Flow"]


def target(element, name: str) -> str | None:
    return element.findtext(f"{NS}{name}/{NS}targetReference")


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_action_and_create_has_a_fault_path(spec):
    checked = 0
    for component in generated_flows(spec):
        data = metadata_xml("Flow", component.pairs)
        assert validate_xml(f"{component.name}.flow-meta.xml", data) == []
        root = etree.fromstring(data)
        names = {e.findtext(f"{NS}name") for e in root if e.find(f"{NS}locationX") is not None}
        for element in root.iter(f"{NS}actionCalls", f"{NS}recordCreates"):
            where = f"{component.name}.{element.findtext(f'{NS}name')}"
            fault = target(element, "faultConnector")
            assert fault in names, f"{where}: fault connector {fault!r}"
            assert fault == (target(element, "connector") or FAULT_END), where
            checked += 1
    if spec == EXAMPLE_SPEC:
        assert checked >= 9  # the tasks and notifications of the Closed Won and stage-entry flows


def test_the_last_step_of_a_path_fails_into_an_end_that_keeps_the_message():
    won = next(c for c in generated_flows(EXAMPLE_SPEC) if c.name.endswith("Closed_Won_After_Save"))
    root = etree.fromstring(metadata_xml("Flow", won.pairs))
    last = [e for e in root.iter(f"{NS}actionCalls") if target(e, "connector") is None]
    assert last and all(target(e, "faultConnector") == FAULT_END for e in last)
    end = next(e for e in root.iter(f"{NS}assignments") if e.findtext(f"{NS}name") == FAULT_END)
    assert end.find(f"{NS}connector") is None  # the path ends here
    item = end.find(f"{NS}assignmentItems")
    assert item.findtext(f"{NS}value/{NS}elementReference") == "$Flow.FaultMessage"
    variable = next(
        v
        for v in root.iter(f"{NS}variables")
        if v.findtext(f"{NS}name") == item.findtext(f"{NS}assignToReference")
    )
    assert variable.findtext(f"{NS}dataType") == "String"
