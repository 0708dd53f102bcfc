"""What a Metadata API deploy or retrieve reports back, as plain values: the deploy's status and its
component failures (parsed from checkDeployStatus), and a retrieve's zip and messages."""

from __future__ import annotations

from dataclasses import dataclass

FINISHED = ("Succeeded", "SucceededPartial", "Failed", "Canceled")


@dataclass(frozen=True)
class ComponentFailure:
    component_type: str
    file_name: str
    full_name: str
    problem: str
    problem_type: str
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class DeployStatus:
    id: str
    status: str  # Pending, InProgress, Succeeded, SucceededPartial, Failed, Canceling, Canceled
    done: bool
    success: bool
    check_only: bool
    components_total: int
    components_deployed: int
    component_errors: int
    state_detail: str | None
    error_message: str | None
    failures: tuple[ComponentFailure, ...]

    @property
    def finished(self) -> bool:
        return self.done or self.status in FINISHED


@dataclass(frozen=True)
class RetrieveResult:
    zip_bytes: bytes
    messages: tuple[str, ...]  # e.g. "Entity of type 'CustomField' named '...' cannot be found"


def parse_deploy_status(result) -> DeployStatus:
    ns = {"mt": "http://soap.sforce.com/2006/04/metadata"}

    def text(node, name: str) -> str | None:
        return node.findtext(f"mt:{name}", None, ns)

    def number(name: str) -> int:
        try:
            return int(text(result, name) or 0)
        except ValueError:
            return 0

    failures = tuple(
        ComponentFailure(
            text(f, "componentType") or "",
            text(f, "fileName") or "",
            text(f, "fullName") or "",
            text(f, "problem") or "",
            text(f, "problemType") or "Error",
            int(text(f, "lineNumber")) if text(f, "lineNumber") else None,
            int(text(f, "columnNumber")) if text(f, "columnNumber") else None,
        )
        for f in result.findall("mt:details/mt:componentFailures", ns)
    )
    return DeployStatus(
        id=text(result, "id") or "",
        status=text(result, "status") or "Pending",
        done=text(result, "done") == "true",
        success=text(result, "success") == "true",
        check_only=text(result, "checkOnly") == "true",
        components_total=number("numberComponentsTotal"),
        components_deployed=number("numberComponentsDeployed"),
        component_errors=number("numberComponentErrors"),
        state_detail=text(result, "stateDetail"),
        error_message=text(result, "errorMessage"),
        failures=failures,
    )
