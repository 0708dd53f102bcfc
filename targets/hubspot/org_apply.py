"""Apply a plan to a HubSpot portal, change by change, reporting each one.

HubSpot has no transactions, so apply uses operations that converge when repeated: create what is
missing, set properties and rules to absolute values (PATCH / PUT), replace workflows guarded by
their revisionId, archive only what the spec retires. Order: the property group, properties (plain
ones in one batch create, calculated ones in a second, since they reference the first), validation
rules, workflows, pipeline rules, then deletions (workflows before the properties they use).

Every change ends up applied, failed (with the spec location and HubSpot's reason) or not attempted
(a change it depends on failed). Creates are never resent after an unclear failure (5xx, no reply):
apply re-reads HubSpot and reports what actually exists; a 429 means HubSpot did nothing, so that one
is retried after Retry-After. A workflow whose revision moved on since plan is re-read and reported,
never overwritten blindly. A rerun re-plans from live state and does only what is left.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterable

from handrail.generators.plan.diff import CREATE, DELETE, UPDATE, Change, Plan
from handrail.generators.plan.org import ApplyResult
from handrail.generators.plan.resources import Desired, Resource
from handrail.targets.errors import TargetError
from handrail.targets.hubspot.adoption import keep_option_descriptions
from handrail.targets.hubspot.org_normalise import normalise
from handrail.targets.hubspot.vocabulary import DEALS, FLOWS_PATH, PIPELINE_RULES_PATH, VALIDATION_PATH
from handrail.targets.transport.retry import Transient, classify_failure, retrying

BATCH = 100
# PropertyUpdate's keys: everything else about an existing property is fixed at creation.
UPDATABLE = frozenset(
    {
        "label",
        "description",
        "groupName",
        "type",
        "fieldType",
        "options",
        "displayOrder",
        "hidden",
        "formField",
        "calculationFormula",
        "numberDisplayHint",
        "textDisplayHint",
        "currencyPropertyName",
        "showCurrencySymbol",
    }
)
FLOW_CREATE_ONLY = ("objectTypeId", "flowType", "dataSources")  # not in ApiPlatformFlowPutRequest


class Applier:
    def __init__(self, org, desired: Desired):
        self.org, self.conn = org, org.conn
        self.sources = {(r.kind, r.key): r for r in desired.resources}
        self.result = ApplyResult()
        self.broken: set[str] = set()  # properties that did not come to exist: their dependents wait
        self.group_failed = False

    def run(self, plan: Plan) -> ApplyResult:
        pending = plan.pending
        of = lambda kind, *actions: [c for c in pending if c.kind == kind and c.action in actions]  # noqa: E731
        for change in of("property_group", CREATE, UPDATE):
            self._group(change)
        creates = of("property", CREATE)
        for batch in (_plain(creates), _calculated(creates)):
            for start in range(0, len(batch), BATCH):
                self._create_properties(batch[start : start + BATCH])
        for change in of("property", UPDATE):
            self._update_property(change)
        for change in of("property_validation", CREATE, UPDATE):
            self._validation(change)
        for change in of("flow", CREATE, UPDATE):
            self._flow(change)
        for change in of("pipeline_rules", CREATE, UPDATE):
            self._attempt(
                change,
                lambda: self.conn.request(
                    "PATCH",
                    PIPELINE_RULES_PATH.format(pipeline=change.key),
                    body=self._body(change),
                    idempotent=True,
                ),
            )
        for change in of("flow", DELETE):
            self._delete_flow(change)
        for change in of("property", DELETE):
            self._archive_property(change)
        self._summarise(pending)
        return self.result

    # -- bookkeeping ------------------------------------------------------------------------------------
    def _body(self, change: Change) -> dict:
        resource = self.sources.get((change.kind, change.key))
        return dict(resource.body if resource else change.after or {})

    def _where(self, change: Change) -> str:
        resource: Resource | None = self.sources.get((change.kind, change.key))
        if resource and resource.source:
            return f"{resource.source}: "
        origin = str(change.origin or "")
        return f"{origin}: " if origin and origin != change.ident else ""

    def _applied(self, change: Change, note: str = "") -> None:
        self.result.applied.append(change.ident)
        if note:
            self.result.notes.append(f"{change.ident}: {note}")

    def _failed(self, change: Change, message: str) -> None:
        self.result.failed.append((change.ident, f"{self._where(change)}{message}"))
        if change.kind == "property":
            self.broken.add(change.key)

    def _skipped(self, change: Change, why: str) -> None:
        self.result.not_attempted.append(change.ident)
        self.result.notes.append(f"{change.ident} not attempted: {why}")
        if change.kind == "property":
            self.broken.add(change.key)

    def _attempt(self, change: Change, call: Callable[[], Any]) -> bool:
        try:
            call()
        except TargetError as exc:
            self._failed(change, reason(exc))
            return False
        self._applied(change)
        return True

    def _summarise(self, pending: Iterable[Change]) -> None:
        done = len(self.result.applied)
        if self.result.failed or self.result.not_attempted:
            self.result.notes.append(
                f"HubSpot has no transactions: {done} of {len(tuple(pending))} change(s) applied, "
                f"{len(self.result.failed)} failed, {len(self.result.not_attempted)} not attempted. "
                "Everything applied stays; run `handrail plan` to see what is left, then apply again."
            )

    # -- the property group and properties ----------------------------------------------------------------
    def _group(self, change: Change) -> None:
        api = self.conn.client.crm.properties.groups_api
        body = self._body(change)
        if change.action == UPDATE:
            update = {k: body[k] for k in ("label", "displayOrder") if k in body}
            ok = self._attempt(
                change,
                lambda: self.conn.call(
                    "groups.update", api.update, DEALS, change.key, update, idempotent=True
                ),
            )
        else:
            ok = self._create(
                change,
                lambda: self.conn.call("groups.create", api.create, DEALS, body, idempotent=False),
                lambda: change.key in self.org.read_groups(),
            )
        self.group_failed = not ok and change.action == CREATE

    def _create_properties(self, changes: list[Change]) -> None:
        if self.group_failed:
            for change in changes:
                self._skipped(change, "its property group could not be created")
            return
        ready = []
        for change in changes:
            missing = sorted(n for n in self.broken if _mentions(self._body(change), n))
            if missing:
                self._skipped(change, f"it uses {', '.join(missing)}, which was not created")
            else:
                ready.append(change)
        if not ready:
            return
        api = self.conn.client.crm.properties.batch_api
        inputs = {"inputs": [self._body(c) for c in ready]}
        try:
            raw = once(
                lambda: self.conn.call(
                    "properties.batch_create",
                    api.create,
                    DEALS,
                    inputs,
                    _preload_content=False,
                    idempotent=False,
                ),
                self.conn.retry_policy,
            )
        except TargetError as exc:
            if not unclear(exc):
                for change in ready:
                    self._failed(change, reason(exc))
                return
            live = self._reread(self.org.read_properties)
            for change in ready:
                self._after_unclear(change, exc, live is not None and change.key in live, live is not None)
            return
        data = json.loads(raw.data or b"{}")
        created = {p.get("name") for p in data.get("results", [])}
        errors = _errors_by_name(data.get("errors", []))
        for change in ready:
            if change.key in created:
                self._applied(change)
            else:
                self._failed(change, errors.get(change.key) or errors.get("") or "HubSpot did not create it")

    def _update_property(self, change: Change) -> None:
        body = self._body(change)
        changed = sorted({_top_key(d.path) for d in change.differences})
        fixed = [k for k in changed if k not in UPDATABLE]
        if fixed:
            self._failed(
                change,
                f"HubSpot cannot change {', '.join(fixed)} of an existing property; "
                "retire the field in the spec and add one under a new name",
            )
            return
        api = self.conn.client.crm.properties.core_api
        update = {k: body[k] for k in changed if k in body}
        if "options" in update:  # the spec states no option descriptions: each keeps the portal's
            live = (self.org.live.properties or {}).get(change.key)
            update["options"] = keep_option_descriptions(update["options"], live)
        self._attempt(
            change,
            lambda: self.conn.call(
                "properties.update", api.update, DEALS, change.key, update, idempotent=True
            ),
        )

    def _validation(self, change: Change) -> None:
        prop, _, rule = change.key.partition("/")
        if prop in self.broken:
            self._skipped(change, f"property {prop} was not created")
            return
        path = VALIDATION_PATH.format(property=prop, rule=rule)
        self._attempt(change, lambda: self.conn.request("PUT", path, body=self._body(change)))

    def _archive_property(self, change: Change) -> None:
        api = self.conn.client.crm.properties.core_api
        try:
            self.conn.call("properties.archive", api.archive, DEALS, change.key, idempotent=True)
        except TargetError as exc:
            if exc.status != 404:  # 404: already archived, e.g. by an earlier attempt whose reply was lost
                self._failed(change, reason(exc))
                return
        self._applied(change)

    # -- workflows ---------------------------------------------------------------------------------------
    def _flow(self, change: Change) -> None:
        body = self._body(change)
        missing = sorted(n for n in self.broken if _mentions(body, n))
        if missing:
            self._skipped(change, f"the workflow uses {', '.join(missing)}, which was not created")
            return
        if change.action == CREATE:
            self._create(
                change,
                lambda: self.conn.request("POST", FLOWS_PATH, body=body, idempotent=False),
                lambda: change.key in self.org.read_flows(),
            )
            return
        live = (self.org.live.flows or {}).get(change.key)
        if live is None:
            self._failed(change, "the workflow was not found in HubSpot any more; run `handrail plan` again")
            return
        put = {k: v for k, v in body.items() if k not in FLOW_CREATE_ONLY}
        put["revisionId"] = live["revisionId"]
        try:
            self.conn.request("PUT", f"{FLOWS_PATH}/{live['id']}", body=put)
        except TargetError as exc:
            if exc.status == 409 or unclear(exc):
                self._check_flow(change, live, body, exc)
            else:
                self._failed(change, reason(exc))
            return
        self._applied(change)

    def _check_flow(self, change: Change, planned: dict, body: dict, exc: TargetError) -> None:
        """After a refused or unanswered PUT: re-read the workflow and report what it holds."""
        current = self._reread(lambda: self.org.read_flow(str(planned["id"])))
        if current is not None and normalise("flow", current, body) == body:
            self._applied(change, "confirmed by re-reading the workflow (an earlier attempt had saved it)")
        elif exc.status == 409:
            now = current.get("revisionId") if current else "unknown"
            self._failed(
                change,
                "the workflow changed in HubSpot since plan read it "
                f"(revision {planned['revisionId']}, now {now}); nothing was overwritten: "
                "run `handrail plan` again to see the change",
            )
        else:
            self._failed(change, f"{reason(exc)}; the workflow was not updated")

    def _delete_flow(self, change: Change) -> None:
        live = (self.org.live.flows or {}).get(change.key)
        if live is None:
            self._applied(change, "already gone")
            return
        try:
            self.conn.request("DELETE", f"{FLOWS_PATH}/{live['id']}")
        except TargetError as exc:
            if exc.status != 404:
                self._failed(change, reason(exc))
                return
        self._applied(change)

    # -- creates: never resent after an unclear failure ------------------------------------------------------
    def _create(self, change: Change, send: Callable[[], Any], exists: Callable[[], bool]) -> bool:
        try:
            once(send, self.conn.retry_policy)
        except TargetError as exc:
            if not unclear(exc):
                self._failed(change, reason(exc))
                return False
            found = self._reread(exists)
            self._after_unclear(change, exc, bool(found), found is not None)
            return bool(found)
        self._applied(change)
        return True

    def _after_unclear(self, change: Change, exc: TargetError, exists: bool, reread: bool) -> None:
        if exists:
            self._applied(change, f"confirmed by re-reading HubSpot after: {reason(exc)}")
        elif reread:
            self._failed(
                change,
                f"{reason(exc)}; not in HubSpot when re-read, but it may still appear: run "
                "`handrail plan` before applying again",
            )
        else:
            self._failed(
                change,
                f"{reason(exc)}; HubSpot could not be re-read either, "
                "so the outcome is unknown: run `handrail plan` to see",
            )

    def _reread(self, read: Callable[[], Any]) -> Any:
        try:
            return read()
        except TargetError:
            return None


def once(send: Callable[[], Any], policy) -> Any:
    """A call that must not be repeated, except after a 429 (HubSpot did nothing)."""
    return retrying(send, idempotent=True, policy=policy, classify=_rate_limited, what="HubSpot create")


def _rate_limited(exc: BaseException) -> Transient | None:
    return classify_failure(exc) if getattr(exc, "status", None) == 429 else None


def unclear(exc: TargetError) -> bool:
    """HubSpot may have carried it out: no reply, or a server error."""
    return exc.status is None or exc.status >= 500


def reason(exc: TargetError) -> str:
    """HubSpot's own message, without the request line."""
    if exc.status is None:
        return f"no reply from HubSpot ({exc.body or 'connection failed'})"
    try:
        message = json.loads(exc.body).get("message")
    except (ValueError, AttributeError):
        message = None
    return f"HTTP {exc.status}: {message or exc.body or 'no details'}"


def _errors_by_name(errors: list[dict]) -> dict[str, str]:
    """A 207 batch's per-item errors by property name ('' for errors naming none)."""
    out: dict[str, str] = {}
    for item in errors:
        message = item.get("message") or item.get("category") or "failed"
        if item.get("category") == "OBJECT_ALREADY_EXISTS":
            message += (
                " (plan saw no such property, so it is most likely archived, and HubSpot keeps "
                "archived names: restore it from HubSpot's archived properties, or retire the field "
                "and use a new key)"
            )
        names = (item.get("context") or {}).get("propertyName") or [""]
        for name in names:
            out.setdefault(name, message)
    return out


def _top_key(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _mentions(body: Any, name: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", json.dumps(body)) is not None


def _plain(changes: list[Change]) -> list[Change]:
    return [c for c in changes if (c.after or {}).get("fieldType") != "calculation_equation"]


def _calculated(changes: list[Change]) -> list[Change]:
    return [c for c in changes if (c.after or {}).get("fieldType") == "calculation_equation"]
