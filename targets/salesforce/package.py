"""Laying components out as files: SFDX source format or Metadata API (mdapi) format.

source   sfdx-project.json, manifest/package.xml and force-app/main/default/..., one file per field and
         rule (as `sf project retrieve` writes them), deployable with `sf project deploy start`.
mdapi    package.xml at the root and objects/Opportunity.object holding the fields and validation
         rules: the root of a zip for a singlePackage Metadata API deploy.
"""

from __future__ import annotations

import json
from collections import defaultdict

from handrail.targets.salesforce.components import Component, root_element
from handrail.targets.salesforce.xml import metadata_xml

SOURCE_ROOT = "force-app/main/default"
# Types that live inside an object: (folder in source format, element in the mdapi .object file, suffix).
CHILD_TYPES = {
    "CustomField": ("fields", "fields", "field"),
    "ValidationRule": ("validationRules", "validationRules", "validationRule"),
}
# Types with a file of their own: (folder, suffix).
TOP_LEVEL_TYPES = {
    "Flow": ("flows", "flow"),
    "PermissionSet": ("permissionsets", "permissionset"),
    "CustomNotificationType": ("notificationtypes", "notiftype"),
    "ApexClass": ("classes", "cls"),
    "PathAssistant": ("pathAssistants", "pathAssistant"),
    "Layout": ("layouts", "layout"),
    "Settings": ("settings", "settings"),
    "CustomPermission": ("customPermissions", "customPermission"),
}
# Types that live in a folder (fullName "Folder/Name"), and their folders' types: (folder, suffix).
# A folder is listed in package.xml under the type it holds, and its metadata sits beside it:
# reports/Handrail-meta.xml (mdapi), reports/Handrail.reportFolder-meta.xml (source).
IN_FOLDER_TYPES = {"Report": ("reports", "report"), "Dashboard": ("dashboards", "dashboard")}
FOLDER_TYPES = {"ReportFolder": "Report", "DashboardFolder": "Dashboard"}
FORMATS = ("source", "mdapi")


def package_type(kind: str) -> str:
    """The type package.xml lists a component under: a folder's is the type it holds."""
    return FOLDER_TYPES.get(kind, kind)


def layout(components: list[Component], fmt: str, api_version: str) -> dict[str, bytes]:
    """{relative path: bytes} for the whole project, in a stable order."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    known = {*CHILD_TYPES, *TOP_LEVEL_TYPES, *IN_FOLDER_TYPES, *FOLDER_TYPES}
    unknown = sorted({c.type for c in components} - known)
    if unknown:
        raise ValueError(f"no layout for metadata type(s) {', '.join(unknown)}")
    files: dict[str, bytes] = {}
    if fmt == "source":
        files["sfdx-project.json"] = sfdx_project(api_version)
        files["manifest/package.xml"] = package_xml(components, api_version)
        for c in components:
            files.update(_source_files(c))
    else:
        files["package.xml"] = package_xml(components, api_version)
        files.update(_object_files(components))
        for c in components:
            if c.type in TOP_LEVEL_TYPES:
                files.update(_top_level_files(c, ""))
            elif c.type in IN_FOLDER_TYPES or c.type in FOLDER_TYPES:
                files.update(_folder_files(c, "", mdapi=True))
    return files


def _folder_files(c: Component, root: str, mdapi: bool) -> dict[str, bytes]:
    """A foldered component, or a folder's metadata file, in either format."""
    if c.type in FOLDER_TYPES:
        directory, _ = IN_FOLDER_TYPES[FOLDER_TYPES[c.type]]
        suffix = "-meta.xml" if mdapi else f".{c.type[0].lower()}{c.type[1:]}-meta.xml"
        return {f"{root}{directory}/{c.name}{suffix}": metadata_xml(c.type, c.pairs)}
    directory, suffix = IN_FOLDER_TYPES[c.type]
    meta = "" if mdapi else "-meta.xml"
    return {f"{root}{directory}/{c.name}.{suffix}{meta}": metadata_xml(c.type, c.pairs)}


def _source_files(c: Component) -> dict[str, bytes]:
    if c.type in IN_FOLDER_TYPES or c.type in FOLDER_TYPES:
        return _folder_files(c, SOURCE_ROOT + "/", mdapi=False)
    if c.type in TOP_LEVEL_TYPES:
        return _top_level_files(c, SOURCE_ROOT + "/", "-meta.xml")
    obj, member = c.name.split(".", 1)
    folder, _, suffix = CHILD_TYPES[c.type]
    path = f"{SOURCE_ROOT}/objects/{obj}/{folder}/{member}.{suffix}-meta.xml"
    return {path: metadata_xml(c.type, (("fullName", member),) + tuple(c.pairs))}


def _top_level_files(c: Component, root: str, meta: str = "") -> dict[str, bytes]:
    folder, suffix = TOP_LEVEL_TYPES[c.type]
    base = f"{root}{folder}/{c.name}.{suffix}"
    if c.type == "ApexClass":  # the code, and its metadata beside it in both formats
        return {base: c.content or b"", f"{base}-meta.xml": metadata_xml(c.type, c.pairs)}
    return {base + meta: metadata_xml(root_element(c), c.pairs)}


def _object_files(components: list[Component]) -> dict[str, bytes]:
    """One CustomObject file per object, holding only the children Handrail manages, sorted as retrieved."""
    children: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for c in components:
        if c.type in CHILD_TYPES:
            obj, member = c.name.split(".", 1)
            children[obj][CHILD_TYPES[c.type][1]].append((member, [("fullName", member), *c.pairs]))
    files = {}
    for obj in sorted(children):
        pairs = [
            (element, [body for _, body in sorted(children[obj][element], key=lambda m: m[0])])
            for element in ("fields", "validationRules")
            if children[obj][element]
        ]
        files[f"objects/{obj}.object"] = metadata_xml("CustomObject", pairs)
    return files


def package_xml(components: list[Component], api_version: str) -> bytes:
    """The manifest: members per type, types and members sorted, as `sf project generate manifest` does."""
    members: dict[str, set[str]] = defaultdict(set)
    for c in components:
        members[package_type(c.type)].add(c.name)
    types = [[*(("members", m) for m in sorted(members[t])), ("name", t)] for t in sorted(members)]
    return metadata_xml("Package", [("types", types), ("version", api_version)])


def sfdx_project(api_version: str) -> bytes:
    project = {
        "packageDirectories": [{"path": "force-app", "default": True}],
        "namespace": "",
        "sfdcLoginUrl": "https://login.salesforce.com",
        "sourceApiVersion": api_version,
    }
    return (json.dumps(project, indent=2) + "\n").encode("utf-8")
