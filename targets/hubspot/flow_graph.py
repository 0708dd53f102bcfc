"""Lays steps out as an automation v4 action graph: ids, connections, branches.

A flow runs a shared prefix, then (when segments differ) a STATIC_BRANCH on the deal's segment into
one chain per segment; segments with identical chains share one. An IfEmpty step becomes a
LIST_BRANCH whose "empty" path rejoins the main path with a GOTO edge; an IfAnyOf step (a tier condition)
likewise a STATIC_BRANCH on its property whose value paths rejoin the default one; a Choose step (a CSM
rule's territory) a LIST_BRANCH whose two paths rejoin.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from handrail.targets.hubspot.actions import Choose, IfAnyOf, IfEmpty, Step
from handrail.targets.hubspot.filters import branch, either, unknown

End = tuple[dict[str, Any], str, str]  # an open end: (action, connection key, edge type)


def connect(ends: list[End], next_id: str) -> None:
    for node, key, edge in ends:
        node[key] = {"edgeType": edge, "nextActionId": next_id}


class Graph:
    def __init__(self) -> None:
        self.actions: list[dict[str, Any]] = []

    def _add(self, action: dict[str, Any]) -> dict[str, Any]:
        action["actionId"] = str(len(self.actions) + 1)
        self.actions.append(action)
        return action

    def sequence(self, steps: Sequence[Step | IfEmpty]) -> tuple[str | None, list[End]]:
        """Lay out steps one after another; returns the first id and the open ends to connect onward."""
        first, pending = None, []
        for step in steps:
            sid, ends = self._step(step)
            connect(pending, sid)
            first = first or sid
            pending = ends
        return first, pending

    def _step(self, step: Step | IfEmpty | IfAnyOf) -> tuple[str, list[End]]:
        if isinstance(step, Step):
            node = self._add(
                {
                    "type": "SINGLE_CONNECTION",
                    "actionTypeId": step.action_type,
                    "actionTypeVersion": 0,
                    "fields": step.fields,
                }
            )
            return node["actionId"], [(node, "connection", "STANDARD")]
        if isinstance(step, Choose):
            choice = {"branchName": step.label, "filterBranch": step.when}
            node = self._add(
                {"type": "LIST_BRANCH", "defaultBranchName": "Otherwise", "listBranches": [choice]}
            )
            then_id, then_ends = self.sequence(step.then)
            else_id, else_ends = self.sequence(step.otherwise)
            if then_id:
                choice["connection"] = {"edgeType": "STANDARD", "nextActionId": then_id}
            if else_id:
                node["defaultBranch"] = {"edgeType": "STANDARD", "nextActionId": else_id}
            # The otherwise path owns what follows; the chosen path joins it with a GOTO edge.
            ends = else_ends if else_id else [(node, "defaultBranch", "STANDARD")]
            ends += [(n, k, "GOTO") for n, k, _ in (then_ends if then_id else [(choice, "connection", "")])]
            return node["actionId"], ends
        if isinstance(step, IfAnyOf):
            source = {"type": "OBJECT_PROPERTY", "propertyName": step.prop}
            node = self._add(
                {
                    "type": "STATIC_BRANCH",
                    "inputValue": source,
                    "staticBranches": [],
                    "defaultBranchName": step.label,
                }
            )
            then_id, ends = self.sequence(step.then)
            node["staticBranches"] = [
                {
                    "branchValue": v,
                    "connection": {"edgeType": "GOTO" if i else "STANDARD", "nextActionId": then_id},
                }
                for i, v in enumerate(step.values)
            ]
            return node["actionId"], [
                (node, "defaultBranch", "STANDARD"),
                *[(n, k, "GOTO") for n, k, _ in ends],
            ]
        node = self._add(
            {
                "type": "LIST_BRANCH",
                "defaultBranchName": "Already set",
                "listBranches": [
                    {"branchName": step.label, "filterBranch": either([branch([unknown(step.prop)])])}
                ],
            }
        )
        then_id, ends = self.sequence(step.then)
        node["listBranches"][0]["connection"] = {"edgeType": "STANDARD", "nextActionId": then_id}
        # The default path owns what follows; the branch's path joins it with a GOTO edge.
        return node["actionId"], [(node, "defaultBranch", "STANDARD"), *[(n, k, "GOTO") for n, k, _ in ends]]

    def by_value(self, prop: str, routes: dict[str, list[Step | IfEmpty]]) -> str | None:
        """A STATIC_BRANCH on `prop`: one branch per value; values with the same steps share a chain."""
        if not any(routes.values()):
            return None
        source = {"type": "OBJECT_PROPERTY", "propertyName": prop}
        node = self._add({"type": "STATIC_BRANCH", "inputValue": source, "staticBranches": []})
        chains: dict[str, str] = {}
        for value, steps in routes.items():
            if not steps:
                continue
            fingerprint = json.dumps([_describe(s) for s in steps], sort_keys=True)
            if fingerprint in chains:
                node["staticBranches"].append(
                    {
                        "branchValue": value,
                        "connection": {"edgeType": "GOTO", "nextActionId": chains[fingerprint]},
                    }
                )
                continue
            first, _ = self.sequence(steps)
            chains[fingerprint] = first
            node["staticBranches"].append(
                {"branchValue": value, "connection": {"edgeType": "STANDARD", "nextActionId": first}}
            )
        return node["actionId"]


def _describe(step: Step | IfEmpty | IfAnyOf | Choose) -> Any:
    if isinstance(step, Step):
        return [step.action_type, step.fields]
    if isinstance(step, Choose):
        return [
            "choose",
            step.when,
            [_describe(s) for s in step.then],
            [_describe(s) for s in step.otherwise],
        ]
    if isinstance(step, IfAnyOf):
        return ["if-any-of", step.prop, list(step.values), [_describe(s) for s in step.then]]
    return ["if-empty", step.prop, [_describe(s) for s in step.then]]


def lay_out(
    prefix: Sequence[Step | IfEmpty], prop: str, routes: dict[str, list[Step | IfEmpty]]
) -> tuple[str | None, list[dict]]:
    """The whole action list: prefix, then per-value routes (inline when every value runs the same steps)."""
    graph = Graph()
    first, ends = graph.sequence(prefix)
    chains = {json.dumps([_describe(s) for s in steps], sort_keys=True) for steps in routes.values()}
    if not any(routes.values()):
        tail_first = None
    elif len(chains) == 1 and all(routes.values()):
        tail_first, _ = graph.sequence(next(iter(routes.values())))
    else:
        tail_first = graph.by_value(prop, routes)
    if tail_first:
        connect(ends, tail_first)
    return first or tail_first, graph.actions
