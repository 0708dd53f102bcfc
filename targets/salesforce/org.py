"""A live Salesforce org in the normal form: fetch with one retrieve, apply with one atomic deploy.

Fetch asks for exactly the components the spec owns in a single retrieve (a generated package.xml),
so the number of API calls does not grow with the number of fields; the XML it returns is read with
the same schema-typed reader as the generated files, so both sides of the diff have one form.
Apply sends one Metadata API deploy (rollbackOnError always on) holding every created or changed
component, as the plan's desired resources carry it (never rendered again), plus
destructiveChanges.xml for retired ones, polls it without ever resubmitting, and maps component
failures back to spec locations.
"""

from __future__ import annotations

import io
import os
import sys
import zipfile
from collections import defaultdict
from dataclasses import replace
from typing import Collection
from urllib.parse import unquote

from handrail.generators.plan.diff import DELETE, Key, Plan
from handrail.generators.plan.org import ApplyResult
from handrail.generators.plan.resources import Desired, Resource
from handrail.specs.diagnostics import HandrailError, SpecError
from handrail.specs.model import Environment, Model
from handrail.specs.platforms import LayoutName
from handrail.targets.salesforce import assignments, currency, people
from handrail.targets.salesforce.components import Component, from_payload
from handrail.targets.salesforce.layouts import full_name, handoff_part, is_merged, merge, unknown_layouts
from handrail.targets.salesforce.ownership import is_handrails
from handrail.targets.salesforce.package import (
    CHILD_TYPES,
    IN_FOLDER_TYPES,
    TOP_LEVEL_TYPES,
    layout,
    package_type,
)
from handrail.targets.salesforce.path_assistant import SETTINGS_OWNED
from handrail.targets.salesforce.record_types import check_record_types
from handrail.targets.salesforce.reports import FOLDER as REVIEW_FOLDER
from handrail.targets.salesforce.xml import metadata_xml

TIMEOUT_VARIABLE = "HANDRAIL_SALESFORCE_TIMEOUT"
MANAGED_TYPES = (
    "CustomField",
    "ValidationRule",
    "Flow",
    "PermissionSet",
    "CustomNotificationType",
    "ApexClass",
    "PathAssistant",
    "Layout",
    "CustomPermission",
)
_SUFFIX_TYPES = {suffix: kind for kind, (_, suffix) in TOP_LEVEL_TYPES.items()}
_SUFFIX_TYPES["standardValueSet"] = "StandardValueSet"  # read, never deployed: the stages (preflight.py)
_FOLDER_DIRECTORIES = {directory: kind for kind, (directory, _) in IN_FOLDER_TYPES.items()}


class SalesforceOrg:
    platform = "salesforce"

    def __init__(
        self, connection, name: str, prefix: str, production: bool = False, progress=None, layouts=()
    ):
        self.conn, self.name, self.prefix, self.production = connection, name, prefix, production
        self.progress = progress or _stderr_progress
        self.layouts = tuple(layouts)  # the spec's LayoutNames, to locate a layout the org lacks
        self.env: Environment | None = None  # set by connect: whose permission_sets to assign
        self.user_ids: dict[str, str] = {}  # username (lower case) -> User Id, read by prepare

    @classmethod
    def connect(cls, env: Environment, model: Model, **kwargs) -> "SalesforceOrg":
        """kwargs go to client.connect; HANDRAIL_SALESFORCE_TIMEOUT sets the read timeout in seconds."""
        from handrail.targets.salesforce.client import DEFAULT_TIMEOUT, connect
        from handrail.targets.salesforce.team_access import check_teams_enabled

        if os.environ.get(TIMEOUT_VARIABLE) and "timeout" not in kwargs:
            kwargs["timeout"] = (DEFAULT_TIMEOUT[0], float(os.environ[TIMEOUT_VARIABLE]))
        conn = connect(env, **kwargs)
        check_teams_enabled(conn, model)  # live orgs only: a snapshot folder has no describe to ask
        org = cls(
            conn, env.name, model.naming.salesforce_prefix, env.production, layouts=model.salesforce.layouts
        )
        org.env = env
        return org

    def prepare(self, desired: Desired, model: Model) -> Desired:
        """This org's usernames for the people the spec names (people.py); a warning when the segments'
        ACV thresholds read an amount in each deal's currency (currency.py); then the environment's
        permission set assignments, once its usernames are known to the org."""
        if self.env is None:
            return desired
        check_record_types(self.conn, model)  # the pipelines' record types, before anything else
        desired = people.resolve(desired, model, self.env, self.conn)
        notes = currency.plan_warnings(self.conn, model, self.env.name)
        for note in notes:
            print(note.render(), file=sys.stderr)
        desired = replace(desired, warnings=desired.warnings + tuple(notes))
        if not self.env.permission_sets:
            return desired
        self.user_ids = assignments.check_users(self.conn, self.env)
        have = {(r.kind, r.key) for r in desired.resources}
        extra = [r for r in assignments.resources(model, self.env) if (r.kind, r.key) not in have]
        return replace(desired, resources=desired.resources + tuple(extra))

    # -- fetch ------------------------------------------------------------------------------------
    def fetch(self, keys: Collection[Key]) -> dict[Key, Resource]:
        grants = sorted(key for kind, key in keys if kind == assignments.KIND)
        live = (
            {(assignments.KIND, n): r for n, r in assignments.fetch(self.conn, grants).items()}
            if grants
            else {}
        )
        return live | self._fetch_metadata([k for k in keys if k[0] != assignments.KIND])

    def _fetch_metadata(self, keys: Collection[Key]) -> dict[Key, Resource]:
        members: dict[str, list[str]] = defaultdict(list)
        for kind, key in keys:
            members[package_type(kind)].append(key)
        if not members:
            return {}
        result = self.conn.retrieve({kind: sorted(names) for kind, names in sorted(members.items())})
        wanted = set(keys)
        found = {k: r for k, r in read_retrieved_zip(result.zip_bytes).items() if k in wanted}
        self._check_layouts_exist([k for k in wanted if is_merged(*k) and k not in found])
        return {k: replace(r, body=_owned_part(k, r.body)) for k, r in found.items()}

    def _check_layouts_exist(self, missing: list[Key]) -> None:
        """A layout the spec names that the org lacks is a spec error: merging never creates one."""
        if not missing:
            return
        org_layouts = [
            unquote(n.removeprefix("Opportunity-"))
            for item in self.conn.list_metadata("Layout")
            if (n := item.get("fullName") or "").startswith("Opportunity-")
        ]
        names = [n for n in self.layouts if ("Layout", full_name(n.name)) in missing]
        raise SpecError(
            unknown_layouts(
                names or [LayoutName(unquote(k.removeprefix("Opportunity-"))) for _, k in missing],
                org_layouts,
            )
        )

    def impact(self, model: Model, plan: Plan) -> list:
        """The plan's notes: deals its gates would stop, records that no longer fit, dependencies."""
        from handrail.targets.salesforce.impact import notes

        return notes(self.conn, model, plan)

    def managed(self) -> list[Key]:
        """Opportunity fields and rules in Handrail's namespace (the spec's API-name prefix), and the
        reports and dashboards with that prefix in the Handrail folders."""
        found = []
        for kind in ("CustomField", "ValidationRule"):
            for item in self.conn.list_metadata(kind):
                name = item.get("fullName") or ""
                if is_handrails(self.prefix, kind, name):  # the rule a snapshot follows too
                    found.append((kind, name))
        # Reports and dashboards are listed one folder at a time: both of Handrail's in one call.
        for item in self.conn.list_queries([(kind, REVIEW_FOLDER) for kind in IN_FOLDER_TYPES]):
            kind, name = item.get("type") or "", item.get("fullName") or ""
            if kind in IN_FOLDER_TYPES and is_handrails(self.prefix, kind, name):
                found.append((kind, name))
        return sorted(found)

    # -- apply ------------------------------------------------------------------------------------
    def apply(self, plan: Plan, desired: Desired, model: Model, options: dict) -> ApplyResult:
        """One deploy for the metadata, then, once it saved, the permission set assignments."""
        check_only = bool(options.get("check_only"))
        grants = [c for c in plan.pending if c.kind == assignments.KIND]
        metadata = [c for c in plan.pending if c.kind != assignments.KIND]
        result = self._deploy(metadata, desired, options) if metadata else ApplyResult(check_only=check_only)
        if not grants:
            return result
        if check_only or result.failed:
            result.not_attempted += [c.ident for c in grants]
            result.notes.append("permission set assignments wait for a deploy that saves")
            return result
        allow = bool(options.get("allow_destructive"))
        result.notes += assignments.apply(self.conn, grants, self.user_ids, allow)
        result.applied += [c.ident for c in grants]
        return result

    def _deploy(self, changes: list, desired: Desired, options: dict) -> ApplyResult:
        from handrail.targets.salesforce.render import normalize_options

        check_only = bool(options.get("check_only"))
        result = ApplyResult(check_only=check_only)
        pending = {(c.kind, c.key): c for c in changes}
        options = normalize_options({"format": "mdapi", "api_version": options.get("api_version")})
        parts = deployed_components(desired, pending)
        merged = self._merged_layouts([c for c in parts if is_merged(c.type, c.name)])
        deletions = [c for c in changes if c.action == DELETE]
        package = deploy_zip(
            {**layout(parts, "mdapi", options["api_version"]), **merged}
            if parts
            else {"package.xml": metadata_xml("Package", [("version", options["api_version"])])},
            deletions,
            options["api_version"],
        )
        tests = [c.name for c in parts if c.type == "ApexClass"]
        test_level = "RunSpecifiedTests" if self.production and tests else None
        deploy_id = self.conn.deploy(
            package, check_only=check_only, test_level=test_level, tests=tests or None
        )
        result.notes.append(f"deploy {deploy_id} submitted" + (" (check only)" if check_only else ""))
        status = self.conn.wait_for_deploy(deploy_id, on_progress=self.progress)
        sources = {(r.kind, r.key): r for r in desired.resources}
        if status.success and status.status == "Succeeded":
            if check_only:
                result.notes.append(f"deploy {deploy_id} validated: nothing was saved (check only)")
                result.not_attempted = [c.ident for c in changes]
            else:
                result.applied = [c.ident for c in changes]
                result.notes.append(f"deploy {deploy_id} succeeded: {status.components_deployed} components")
            return result
        failed = set()
        for f in status.failures:
            kind = f.component_type or _kind_of(f.file_name)
            qualified = kind not in CHILD_TYPES or "." in f.full_name
            key = f.full_name if qualified else f"Opportunity.{f.full_name}"
            resource = sources.get((kind, key))
            where = f"{resource.source}: " if resource and resource.source else ""
            line = f" (line {f.line})" if f.line else ""
            result.failed.append((f"{kind}:{key}", f"{where}{f.problem}{line}"))
            failed.add(f"{kind}:{key}")
        if not status.failures:
            result.failed.append((f"deploy:{deploy_id}", status.error_message or status.status))
        # rollbackOnError: a failed deploy saves nothing, so everything else was not applied either.
        result.not_attempted = [c.ident for c in changes if c.ident not in failed]
        result.notes.append(f"deploy {deploy_id} {status.status}: rolled back, the org is unchanged")
        return result

    def _merged_layouts(self, parts: list[Component]) -> dict[str, bytes]:
        """Each named layout as the org holds it now, its Handoff sections replaced by the planned ones.

        Retrieved just before the deploy, so an edit made to the rest of the layout since the plan is kept.
        """
        if not parts:
            return {}
        result = self.conn.retrieve({"Layout": sorted(c.name for c in parts)})
        with zipfile.ZipFile(io.BytesIO(result.zip_bytes)) as zf:
            present = set(zf.namelist())
            out = {}
            for c in parts:
                path = f"layouts/{c.name}.layout"
                if path not in present:
                    raise HandrailError(
                        f"the page layout {c.name} no longer exists in the org; nothing was deployed; "
                        "run `handrail plan` again"
                    )
                sections = [pairs for name, value in c.pairs if name == "layoutSections" for pairs in value]
                out[path] = merge(zf.read(path), sections)
        return out


def _owned_part(key: Key, body: dict) -> dict:
    """What plan compares of a live component Handrail owns only part of: a layout's Handoff sections,
    the settings Handrail sets in an org settings file; everything else whole."""
    kind, name = key
    if is_merged(kind, name):
        return handoff_part(body)
    if kind == "Settings":
        return {k: v for k, v in body.items() if k in SETTINGS_OWNED.get(name, ())}
    return body


def deployed_components(desired: Desired, keys: Collection[Key]) -> list[Component]:
    """The components to deploy, as planned: from the desired resources' payloads, never rendered again."""
    return [
        from_payload(r.payload, r.source)
        for r in desired.resources
        if (r.kind, r.key) in keys and r.payload is not None
    ]


def deploy_zip(files: dict[str, bytes], deletions: list, api_version: str) -> bytes:
    files = dict(files)
    if deletions:
        members: dict[str, list[str]] = defaultdict(list)
        for change in deletions:
            members[package_type(change.kind)].append(change.key)
        types = [[*(("members", m) for m in sorted(members[t])), ("name", t)] for t in sorted(members)]
        files["destructiveChanges.xml"] = metadata_xml(
            "Package", [("types", types), ("version", api_version)]
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(files):
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            zf.writestr(info, files[path])
    return buffer.getvalue()


def read_retrieved_zip(data: bytes) -> dict[Key, Resource]:
    """Resources from a singlePackage retrieve zip (mdapi layout), in the normal form."""
    from lxml import etree

    from handrail.targets.salesforce.normal_form import _element_body, body_from_xml

    out: dict[Key, Resource] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        for name in sorted(names):
            parts = name.split("/")
            if parts[0] in _FOLDER_DIRECTORIES:
                out.update(_foldered(parts, zf.read(name)))
                continue
            if len(parts) != 2 or name.endswith("-meta.xml"):
                continue
            folder, filename = parts
            stem, _, suffix = filename.rpartition(".")
            if folder == "objects" and suffix == "object":
                root = etree.fromstring(zf.read(name))
                for child in root:
                    local = etree.QName(child).localname
                    kind = {
                        "fields": "CustomField",
                        "validationRules": "ValidationRule",
                        "businessProcesses": "BusinessProcess",  # read, never deployed (preflight.py)
                    }.get(local)
                    if kind:
                        body = _element_body(child, kind)
                        member = body.pop("fullName", "")
                        out[(kind, f"{stem}.{member}")] = Resource(kind, f"{stem}.{member}", body)
            elif suffix in _SUFFIX_TYPES:
                kind = _SUFFIX_TYPES[suffix]
                if kind == "ApexClass":
                    meta = f"{name}-meta.xml"
                    body = body_from_xml(zf.read(meta)) if meta in names else {}
                    body["content"] = zf.read(name).decode("utf-8")
                else:
                    body = body_from_xml(zf.read(name))
                out[(kind, stem)] = Resource(kind, stem, body)
    return out


def _foldered(parts: list[str], data: bytes) -> dict[Key, Resource]:
    """A report or dashboard (reports/Folder/Name.report) or its folder (reports/Folder-meta.xml)."""
    from handrail.targets.salesforce.normal_form import body_from_xml

    kind = _FOLDER_DIRECTORIES[parts[0]]
    if len(parts) == 2 and parts[1].endswith("-meta.xml"):
        kind, key = f"{kind}Folder", parts[1].removesuffix("-meta.xml")
    elif len(parts) == 3 and parts[2].endswith("." + IN_FOLDER_TYPES[kind][1]):
        key = f"{parts[1]}/{parts[2].rpartition('.')[0]}"
    else:
        return {}
    return {(kind, key): Resource(kind, key, body_from_xml(data))}


def _kind_of(file_name: str) -> str:
    directory = file_name.split("/", 1)[0]
    if directory in _FOLDER_DIRECTORIES:
        kind = _FOLDER_DIRECTORIES[directory]
        return f"{kind}Folder" if file_name.endswith("-meta.xml") else kind
    suffix = file_name.rsplit(".", 1)[-1]
    if file_name.startswith("objects/"):
        return "CustomField"
    return _SUFFIX_TYPES.get(suffix, suffix)


def _stderr_progress(status) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(
            f"\rdeploy {status.id}: {status.status} "
            f"{status.components_deployed}/{status.components_total} components"
            + ("\n" if status.finished else "")
        )
        sys.stderr.flush()
    elif status.finished:
        sys.stderr.write(f"deploy {status.id}: {status.status}\n")
