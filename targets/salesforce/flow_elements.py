"""Flow metadata elements as ordered XML pairs, and a builder that lays a whole flow out as Salesforce
retrieves it.

Every function returns the pairs of one element in the Metadata API schema's sequence order: inherited
elements first (description, name, label, locationX, locationY for nodes), then the type's own elements.
`FlowBuilder.pairs()` emits the top-level groups in the Flow type's order, each group sorted by name, as
`sf project retrieve` writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Pairs = list[tuple[str, Any]]

# The Flow type's element order (v63 WSDL); only the groups Handrail emits.
_GROUPS = (
    "actionCalls",
    "assignments",
    "decisions",
    "formulas",
    "recordCreates",
    "recordLookups",
    "recordUpdates",
    "textTemplates",
    "variables",
)
_NODE_GROUPS = ("actionCalls", "assignments", "decisions", "recordCreates", "recordLookups", "recordUpdates")
API_NAME_MAX = 80
FAULT_END = "Keep_Failure_Message"  # where the last step of a path goes when it fails
FAULT_MESSAGE = "Failure_Message"


# --- values -------------------------------------------------------------------------------------------


def reference(name: str) -> Pairs:
    return [("elementReference", name)]


def string(text: str) -> Pairs:
    return [("stringValue", text)]


def boolean(value: bool) -> Pairs:
    return [("booleanValue", value)]


def connector(target: str | None) -> Pairs | None:
    return [("targetReference", target)] if target else None


# --- small parts --------------------------------------------------------------------------------------


def condition(left: str, operator: str, right: Pairs) -> Pairs:
    return [("leftValueReference", left), ("operator", operator), ("rightValue", right)]


def is_null(left: str, null: bool = True) -> Pairs:
    return condition(left, "IsNull", boolean(null))


def equals(left: str, value: str) -> Pairs:
    return condition(left, "EqualTo", string(value))


def is_true(left: str) -> Pairs:
    return condition(left, "EqualTo", boolean(True))


def rule(
    name: str,
    label: str,
    conditions: list[Pairs],
    target: str | None,
    logic: str = "and",
    changed_to_meet: bool = False,
) -> Pairs:
    """A decision outcome. `changed_to_meet`: only when the triggering save made the conditions true."""
    return [
        ("name", name),
        ("conditionLogic", logic),
        ("conditions", conditions),
        ("connector", connector(target)),
        ("doesRequireRecordChangedToMeetCriteria", True if changed_to_meet else None),
        ("label", label),
    ]


def any_of_logic(count: int, before: int = 0) -> str:
    """Condition logic: the first `before` conditions AND any one of the next `count`."""
    if not before:
        return "and" if count == 1 else "or"
    fixed = " AND ".join(str(i) for i in range(1, before + 1))
    alternatives = " OR ".join(str(i) for i in range(before + 1, before + count + 1))
    return f"{fixed} AND ({alternatives})" if count > 1 else f"{fixed} AND {alternatives}"


def assign(target: str, value: Pairs | None, operator: str = "Assign") -> Pairs:
    """One assignment item; value None assigns blank."""
    return [("assignToReference", target), ("operator", operator), ("value", value)]


def field_value(name: str, value: Pairs) -> Pairs:
    return [("field", name), ("value", value)]


def record_filter(name: str, operator: str, value: Pairs) -> Pairs:
    return [("field", name), ("operator", operator), ("value", value)]


def parameter(name: str, value: Pairs) -> Pairs:
    return [("name", name), ("value", value)]


def formula(name: str, data_type: str, expression: str, description: str, scale: int | None = None) -> Pairs:
    return [
        ("description", description),
        ("name", name),
        ("dataType", data_type),
        ("expression", expression),
        ("scale", scale),
    ]


def text_template(name: str, text: str) -> Pairs:
    return [("name", name), ("isViewedAsPlainText", True), ("text", text)]


def collection_variable(name: str, data_type: str = "String", collection: bool = True) -> Pairs:
    """A variable that is neither input nor output: a collection, or (collection False) one value."""
    return [
        ("name", name),
        ("dataType", data_type),
        ("isCollection", collection),
        ("isInput", False),
        ("isOutput", False),
    ]


def scheduled_path(
    name: str, label: str, target: str, offset: int, unit: str, record_field: str | None
) -> Pairs:
    """A path that runs `offset` `unit`s after a date field, or after the triggering save when no field."""
    return [
        ("name", name),
        ("connector", connector(target)),
        ("label", label),
        ("offsetNumber", offset),
        ("offsetUnit", unit),
        ("recordField", record_field),
        ("timeSource", "RecordField" if record_field else "RecordTriggerEvent"),
    ]


# --- the builder --------------------------------------------------------------------------------------


@dataclass
class _Node:
    group: str
    name: str
    label: str
    body: Pairs  # the type's own elements
    description: str | None = None
    targets: tuple[str, ...] = ()  # elements it connects to, for the layout


@dataclass
class FlowBuilder:
    """Collects a flow's elements; node positions are assigned from the connectors when the flow is laid
    out."""

    label: str
    description: str
    status: str
    api_version: str
    start: Pairs = field(default_factory=list)  # the start element's own elements after locationY
    start_targets: tuple[str, ...] = ()
    nodes: dict[str, _Node] = field(default_factory=dict)
    resources: dict[str, tuple[str, Pairs]] = field(default_factory=dict)  # name -> (group, pairs)

    # Nodes ---------------------------------------------------------------------------------------
    def _add(
        self,
        group: str,
        name: str,
        label: str,
        body: Pairs,
        targets: tuple[str | None, ...],
        description: str | None = None,
    ) -> str:
        self._claim(name)
        self.nodes[name] = _Node(group, name, label, body, description, tuple(t for t in targets if t))
        return name

    def decision(
        self,
        name: str,
        label: str,
        rules: list[Pairs],
        default: str | None = None,
        default_label: str = "Otherwise",
    ) -> str:
        targets = tuple(dict(r)["connector"][0][1] for r in rules if dict(r)["connector"])
        body = [
            ("defaultConnector", connector(default)),
            ("defaultConnectorLabel", default_label),
            ("rules", rules),
        ]
        return self._add("decisions", name, label, body, (default, *targets))

    def assignment(
        self, name: str, label: str, items: list[Pairs], then: str | None, description: str | None = None
    ) -> str:
        return self._add(
            "assignments",
            name,
            label,
            [("assignmentItems", items), ("connector", connector(then))],
            (then,),
            description,
        )

    def lookup(
        self, name: str, label: str, sobject: str, filters: list[Pairs], then: str | None, **query: Any
    ) -> str:
        """Get Records stored automatically as `name`: the first match (nothing found leaves it blank), or
        every match with first_only=False; `logic` is the filter logic, `sort` a (field, "Asc"/"Desc")."""
        first, (field, order) = query.get("first_only", True), query.get("sort") or (None, None)
        body = [
            ("assignNullValuesIfNoRecordsFound", False if first else None),
            ("connector", connector(then)),
            ("filterLogic", query.get("logic", "and")),
            ("filters", filters),
            ("getFirstRecordOnly", first),
            ("object", sobject),
            ("sortField", field),
            ("sortOrder", order),
            ("storeOutputAutomatically", True),
        ]
        return self._add("recordLookups", name, label, body, (then,))

    def create(
        self,
        name: str,
        label: str,
        sobject: str,
        values: list[Pairs],
        then: str | None,
        description: str | None = None,
    ) -> str:
        """Create Records; a failure is routed on (see `_on_fault`) so it never rolls back the user's save."""
        fault = self._on_fault(then)
        body = [
            ("connector", connector(then)),
            ("faultConnector", connector(fault)),
            ("inputAssignments", values),
            ("object", sobject),
            ("storeOutputAutomatically", True),
        ]
        return self._add("recordCreates", name, label, body, (then, fault), description)

    def update_record(self, name: str, label: str, values: list[Pairs], then: str | None) -> str:
        """Update Records on the record the flow runs for ($Record); a failure is routed on (`_on_fault`)."""
        fault = self._on_fault(then)
        body = [("connector", connector(then)), ("faultConnector", connector(fault))]
        body += [("inputAssignments", values), ("inputReference", "$Record")]
        return self._add("recordUpdates", name, label, body, (then, fault))

    def action(self, name: str, label: str, action: str, inputs: list[Pairs], then: str | None) -> str:
        """A standard invocable action; a failure is routed on (see `_on_fault`) so it never rolls back the
        user's save."""
        fault = self._on_fault(then)
        body = [
            ("actionName", action),
            ("actionType", action),
            ("connector", connector(then)),
            ("faultConnector", connector(fault)),
            ("flowTransactionModel", "CurrentTransaction"),
            ("inputParameters", inputs),
            ("nameSegment", action),
        ]
        return self._add("actionCalls", name, label, body, (then, fault))

    def _on_fault(self, then: str | None) -> str:
        """Where a failed step goes: on to the next step, or, for the last step of a path, to an assignment
        that keeps the fault message and ends the path. An element without a fault connector that fails
        makes the whole transaction fail, the triggering save included."""
        if then:
            return then
        if not self.has(FAULT_END):
            self.variable(collection_variable(FAULT_MESSAGE, collection=False))
            self.assignment(
                FAULT_END,
                "Keep the Failure Message",
                [assign(FAULT_MESSAGE, reference("$Flow.FaultMessage"))],
                None,
                "A task or notification failed; the deal's save goes ahead. The message is kept "
                "for the flow's debug log.",
            )
        return FAULT_END

    # Resources -----------------------------------------------------------------------------------
    def formula(self, pairs: Pairs) -> str:
        return self._resource("formulas", pairs)

    def text_template(self, pairs: Pairs) -> str:
        return self._resource("textTemplates", pairs)

    def variable(self, pairs: Pairs) -> str:
        return self._resource("variables", pairs)

    def has(self, name: str) -> bool:
        return name in self.nodes or name in self.resources

    def _resource(self, group: str, pairs: Pairs) -> str:
        name = dict(pairs)["name"]
        self._claim(name)
        self.resources[name] = (group, pairs)
        return name

    def _claim(self, name: str) -> None:
        if self.has(name):
            raise ValueError(f"flow element name {name} is used twice")
        if len(name) > API_NAME_MAX:
            raise ValueError(f"flow element name {name} is longer than {API_NAME_MAX} characters")

    # Layout --------------------------------------------------------------------------------------
    def pairs(self) -> Pairs:
        positions = self._positions()
        groups: dict[str, list[tuple[str, Pairs]]] = {g: [] for g in _GROUPS}
        for node in self.nodes.values():
            x, y = positions.get(node.name, (0, 0))
            groups[node.group].append(
                (
                    node.name,
                    [
                        ("description", node.description),
                        ("name", node.name),
                        ("label", node.label),
                        ("locationX", x),
                        ("locationY", y),
                        *node.body,
                    ],
                )
            )
        for name, (group, pairs) in self.resources.items():
            groups[group].append((name, pairs))
        ordered = {
            g: [body for _, body in sorted(items, key=lambda item: item[0])] for g, items in groups.items()
        }
        metadata = [
            [("name", "BuilderType"), ("value", string("LightningFlowBuilder"))],
            [("name", "CanvasMode"), ("value", string("FREE_FORM_CANVAS"))],
        ]
        return [
            ("actionCalls", ordered["actionCalls"] or None),
            ("apiVersion", self.api_version),
            ("areMetricsLoggedToDataCloud", False),
            ("assignments", ordered["assignments"] or None),
            ("decisions", ordered["decisions"] or None),
            ("description", self.description),
            ("formulas", ordered["formulas"] or None),
            ("interviewLabel", f"{self.label} {{!$Flow.CurrentDateTime}}"),
            ("label", self.label),
            ("processMetadataValues", metadata),
            ("processType", "AutoLaunchedFlow"),
            ("recordCreates", ordered["recordCreates"] or None),
            ("recordLookups", ordered["recordLookups"] or None),
            ("recordUpdates", ordered["recordUpdates"] or None),
            ("start", [("locationX", 50), ("locationY", 0), *self.start]),
            ("status", self.status),
            ("textTemplates", ordered["textTemplates"] or None),
            ("variables", ordered["variables"] or None),
        ]

    def _positions(self) -> dict[str, tuple[int, int]]:
        """Breadth-first from the start: one row per step, one column per branch.

        The free-form canvas is used because paths rejoin (fault paths, skipped recipients), which the
        auto-layout canvas would need marked as Go To connectors."""
        positions: dict[str, tuple[int, int]] = {}
        row, frontier = 1, list(self.start_targets)
        while frontier:
            next_frontier: list[str] = []
            column = 0
            for name in frontier:
                if name in positions or name not in self.nodes:
                    continue
                positions[name] = (176 + 264 * column, 108 * row + 72)
                column += 1
                next_frontier += self.nodes[name].targets
            frontier, row = next_frontier, row + 1
        unplaced = [n for n in sorted(self.nodes) if n not in positions]
        for i, name in enumerate(unplaced):
            positions[name] = (176 + 264 * i, 108 * row + 72)
        return positions
