"""Deploy and retrieve zips the way the Metadata API handles them (singlePackage layout).

A deploy is checked whole before anything is applied: package.xml and every file are validated
against the WSDL's schema (errors carry file, line and column, attributed to the component whose
element holds the line), members named in package.xml must exist in the zip, and a few cheap
Salesforce rules are enforced. Then all of it is applied, or (rollbackOnError) none of it.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from fakes import wsdl
from fakes.salesforce_org import CHILD_TYPES, FILE_TYPES, IN_FOLDER_TYPES, SalesforceOrg
from fakes.wsdl import MD

OPPORTUNITY_STANDARD_FIELDS = {
    "Id",
    "Name",
    "AccountId",
    "Amount",
    "CloseDate",
    "StageName",
    "Probability",
    "Type",
    "LeadSource",
    "NextStep",
    "Description",
    "OwnerId",
    "IsClosed",
    "IsWon",
    "ForecastCategoryName",
    "CampaignId",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
    "ExpectedRevenue",
    "TotalOpportunityQuantity",
    "Pricebook2Id",
    "FiscalYear",
    "FiscalQuarter",
    "HasOpportunityLineItem",
}
DESTRUCTIVE_PRE = ("destructiveChanges.xml", "destructiveChangesPre.xml")
DESTRUCTIVE_POST = ("destructiveChangesPost.xml",)


@dataclass
class DeployMessage:
    component_type: str
    file_name: str
    full_name: str
    success: bool
    problem: str | None = None
    problem_type: str | None = None  # "Error" | "Warning"
    line: int | None = None
    column: int | None = None
    created: bool = False
    changed: bool = False
    deleted: bool = False


@dataclass
class Change:
    type: str
    full_name: str
    element: etree._Element | None  # None: delete
    file_name: str


@dataclass
class DeployPlan:
    pre_deletes: list[Change] = field(default_factory=list)
    upserts: list[Change] = field(default_factory=list)
    post_deletes: list[Change] = field(default_factory=list)
    failures: list[DeployMessage] = field(default_factory=list)
    successes: list[DeployMessage] = field(default_factory=list)
    error_message: str | None = None
    apex_sources: dict[str, bytes] = field(default_factory=dict)  # class name -> .cls body

    @property
    def failed_names(self) -> set[tuple[str, str]]:
        return {(f.component_type, f.full_name) for f in self.failures}


def plan_deploy(org: SalesforceOrg, zip_bytes: bytes) -> DeployPlan:
    plan = DeployPlan()
    try:
        files = _read_zip(zip_bytes)
    except zipfile.BadZipFile:
        plan.error_message = "The deploy payload is not a valid zip file"
        plan.failures.append(DeployMessage("", "", "", False, "Not a valid zip file", "Error"))
        return plan
    if "package.xml" not in files:
        plan.failures.append(
            DeployMessage("", "package.xml", "package.xml", False, "No package.xml found", "Error")
        )
        return plan
    parsed = _parse_files(files, plan)
    plan.apex_sources = {
        name.rsplit("/", 1)[-1][:-4]: data
        for name, data in files.items()
        if name.startswith("classes/") and name.endswith(".cls")
    }
    package = _package_members(parsed.get("package.xml"), "package.xml", plan)
    for name in DESTRUCTIVE_PRE + DESTRUCTIVE_POST:
        if name in files:
            members = _package_members(parsed.get(name), name, plan)
            target = plan.pre_deletes if name in DESTRUCTIVE_PRE else plan.post_deletes
            for type_name, names in members.items():
                target.extend(Change(member_type(type_name, n), n, None, name) for n in names)
    for type_name, members in package.items():
        _collect(type_name, members, parsed, plan)
    _check_rules(org, plan)
    return plan


def apply_plan(org: SalesforceOrg, plan: DeployPlan, *, skip_failed: bool) -> None:
    """Apply deletes and upserts; with skip_failed, components that failed are left out."""
    failed = plan.failed_names if skip_failed else set()
    for change in plan.pre_deletes:
        _delete(org, change, plan)
    for change in plan.upserts:
        if (change.type, change.full_name) not in failed:
            if change.type == "Flow" and not org.deploy_flows_as_active:
                _arrive_inactive(change.element)
            existed = org.find(change.type, change.full_name) is not None
            org.put(change.type, change.full_name, change.element)
            if change.type == "ApexClass" and change.full_name in plan.apex_sources:
                org.apex_sources[change.full_name] = plan.apex_sources[change.full_name]
            plan.successes.append(
                DeployMessage(
                    change.type,
                    change.file_name,
                    change.full_name,
                    True,
                    created=not existed,
                    changed=existed,
                )
            )
    for change in plan.post_deletes:
        _delete(org, change, plan)


def _arrive_inactive(element: etree._Element) -> None:
    """Production without "Deploy processes and flows as active": an active flow lands as a draft."""
    status = element.find(f"{{{MD}}}status")
    if status is not None and status.text == "Active":
        status.text = "Draft"


def dry_run(plan: DeployPlan) -> None:
    """checkOnly / rolled back: report what would have been deployed without touching the org."""
    failed = plan.failed_names
    for change in plan.upserts:
        if (change.type, change.full_name) not in failed:
            plan.successes.append(DeployMessage(change.type, change.file_name, change.full_name, True))


def _delete(org: SalesforceOrg, change: Change, plan: DeployPlan) -> None:
    existing = org.find(change.type, change.full_name)
    if existing is None:
        plan.successes.append(
            DeployMessage(
                change.type,
                change.file_name,
                change.full_name,
                True,
                f"No {change.type} named: {change.full_name} found",
                "Warning",
            )
        )
        return
    del org.store(change.type)[change.full_name]
    org.apex_sources.pop(change.full_name, None) if change.type == "ApexClass" else None
    plan.successes.append(DeployMessage(change.type, change.file_name, change.full_name, True, deleted=True))


# -- reading the zip --------------------------------------------------------------------------------
def _read_zip(zip_bytes: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        return {
            info.filename.lstrip("./"): archive.read(info) for info in archive.infolist() if not info.is_dir()
        }


def _parse_files(files: dict[str, bytes], plan: DeployPlan) -> dict[str, etree._Element]:
    parsed = {}
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    for name, data in sorted(files.items()):
        if name.endswith(".cls"):
            continue  # Apex source; its -meta.xml is the component
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            line, column = exc.position
            plan.failures.append(
                DeployMessage(
                    _type_of_file(name),
                    name,
                    _name_of_file(name),
                    False,
                    f"Error parsing file: {exc.msg}",
                    "Error",
                    line,
                    column,
                )
            )
            continue
        expected = _root_type(name)
        if expected == "Settings":  # settings/PathAssistant.settings holds a PathAssistantSettings root
            expected = _name_of_file(name) + "Settings"
            if etree.QName(root).localname != expected:
                plan.failures.append(
                    DeployMessage(
                        "Settings", name, _name_of_file(name), False, f"Expected root {expected}", "Error"
                    )
                )
                continue
        errors = wsdl.validate(root, expected) if expected else []
        for line, column, message in errors:
            type_name, full_name = _component_at(root, name, line)
            plan.failures.append(
                DeployMessage(
                    type_name, name, full_name, False, f"Error parsing file: {message}", "Error", line, column
                )
            )
        parsed[name] = root
    return parsed


def member_type(type_name: str, member: str) -> str:
    """A member of Report or Dashboard without a "/" is a folder (ReportFolder, DashboardFolder)."""
    return f"{type_name}Folder" if type_name in IN_FOLDER_TYPES and "/" not in member else type_name


def _root_type(file_name: str) -> str | None:
    if file_name == "package.xml" or file_name.startswith("destructiveChanges"):
        return "Package"
    parts = file_name.split("/")
    for type_name, (folder, suffix) in IN_FOLDER_TYPES.items():
        if parts[0] == folder and len(parts) == 2 and parts[1].endswith("-meta.xml"):
            return f"{type_name}Folder"
        if parts[0] == folder and len(parts) == 3 and parts[2].endswith(suffix):
            return type_name
    if file_name.startswith("objects/") and file_name.endswith(".object"):
        return "CustomObject"
    for type_name, (folder, suffix) in FILE_TYPES.items():
        if file_name.startswith(folder + "/") and file_name.endswith(
            suffix + ("-meta.xml" if suffix == ".cls" else "")
        ):
            return type_name
    return None


def _type_of_file(file_name: str) -> str:
    return _root_type(file_name) or ""


def _name_of_file(file_name: str) -> str:
    if _root_type(file_name) in IN_FOLDER_TYPES:  # reports/Folder/Name.report: "Folder/Name"
        return file_name.split("/", 1)[1].rsplit(".", 1)[0]
    if (_root_type(file_name) or "").removesuffix("Folder") in IN_FOLDER_TYPES:
        return file_name.split("/", 1)[1].removesuffix("-meta.xml")
    base = file_name.rsplit("/", 1)[-1]
    return base.split(".", 1)[0]


def _component_at(root: etree._Element, file_name: str, line: int) -> tuple[str, str]:
    """The component whose element holds `line`: a field or rule inside an .object, else the file's."""
    type_name = _root_type(file_name) or ""
    if type_name != "CustomObject":
        return type_name, _name_of_file(file_name)
    object_name = _name_of_file(file_name)
    owner = ("CustomObject", object_name)
    for child in root:
        tag = etree.QName(child).localname
        child_type = next((t for t, t_tag in CHILD_TYPES.items() if t_tag == tag), None)
        if child.sourceline and child.sourceline <= line and child_type:
            name = child.findtext(f"{{{MD}}}fullName") or "?"
            owner = (child_type, f"{object_name}.{name}")
        elif child.sourceline and child.sourceline <= line:
            owner = ("CustomObject", object_name)
    return owner


def _package_members(root: etree._Element | None, file_name: str, plan: DeployPlan) -> dict[str, list[str]]:
    members: dict[str, list[str]] = {}
    if root is None:
        return members
    for types in root.findall(f"{{{MD}}}types"):
        type_name = types.findtext(f"{{{MD}}}name") or ""
        names = [m.text or "" for m in types.findall(f"{{{MD}}}members")]
        if type_name not in {*CHILD_TYPES, *FILE_TYPES, *IN_FOLDER_TYPES, "CustomObject"}:
            plan.failures.append(
                DeployMessage(
                    "",
                    file_name,
                    file_name,
                    False,
                    f"Unknown type name '{type_name}' specified in {file_name}",
                    "Error",
                )
            )
            continue
        members.setdefault(type_name, []).extend(names)
    return members


def _collect(type_name: str, members: list[str], parsed: dict[str, etree._Element], plan: DeployPlan) -> None:
    available = _components_in_zip(type_name, parsed)
    wanted = sorted(available) if "*" in members else members
    for member in wanted:
        if member not in available:
            plan.failures.append(
                DeployMessage(
                    type_name,
                    "package.xml",
                    member,
                    False,
                    f"An object '{member}' of type {type_name} was named in package.xml, but was not found "
                    "in "
                    "zipped directory",
                    "Error",
                )
            )
            continue
        file_name, element = available[member]
        if type_name == "CustomObject":
            for child_type, tag in CHILD_TYPES.items():
                for child in element.findall(f"{{{MD}}}{tag}"):
                    full_name = f"{member}.{child.findtext(f'{{{MD}}}fullName')}"
                    plan.upserts.append(
                        Change(child_type, full_name, _as_component(child, child_type), file_name)
                    )
            continue
        kind = member_type(type_name, member)
        plan.upserts.append(Change(kind, member, _as_component(element, kind), file_name))


def _components_in_zip(
    type_name: str, parsed: dict[str, etree._Element]
) -> dict[str, tuple[str, etree._Element]]:
    found: dict[str, tuple[str, etree._Element]] = {}
    for file_name, root in parsed.items():
        if _root_type(file_name) == "CustomObject":
            object_name = _name_of_file(file_name)
            if type_name == "CustomObject":
                found[object_name] = (file_name, root)
            elif type_name in CHILD_TYPES:
                for child in root.findall(f"{{{MD}}}{CHILD_TYPES[type_name]}"):
                    found[f"{object_name}.{child.findtext(f'{{{MD}}}fullName')}"] = (file_name, child)
        elif _root_type(file_name) in (type_name, f"{type_name}Folder"):
            found[_name_of_file(file_name)] = (file_name, root)
    return found


def _as_component(node: etree._Element, type_name: str) -> etree._Element:
    element = etree.Element(f"{{{MD}}}{type_name}", nsmap={None: MD})
    for child in node:
        if etree.QName(child).localname != "fullName" and isinstance(child.tag, str):
            element.append(_clean_copy(child))
    return element


def _clean_copy(node: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(node), etree.XMLParser(remove_blank_text=True))


# -- Salesforce rules beyond the schema --------------------------------------------------------------
def _check_rules(org: SalesforceOrg, plan: DeployPlan) -> None:
    incoming_fields = {c.full_name: c.element for c in plan.upserts if c.type == "CustomField"}
    deleted = {c.full_name for c in plan.pre_deletes + plan.post_deletes if c.type == "CustomField"}
    for change in plan.upserts:
        problem = None
        if change.type == "CustomField":
            problem = _field_problem(change)
        elif change.type == "ValidationRule":
            problem = _rule_problem(org, change, incoming_fields)
        elif change.type == "PermissionSet":
            problem = _permission_set_problem(org, change, incoming_fields, deleted)
        elif change.type == "Layout":
            problem = _layout_problem(org, change, incoming_fields, deleted)
        elif change.type in IN_FOLDER_TYPES:
            problem = _foldered_problem(org, change, plan, incoming_fields)
        problem = problem or org.refusals.get((change.type, change.full_name))
        if problem:
            plan.failures.append(
                DeployMessage(
                    change.type,
                    change.file_name,
                    change.full_name,
                    False,
                    problem,
                    "Error",
                    change.element.sourceline,
                )
            )


def _text(element: etree._Element, name: str) -> str | None:
    return element.findtext(f"{{{MD}}}{name}")


def _field_problem(change: Change) -> str | None:
    element, name = change.element, change.full_name
    if not name.endswith("__c"):
        return f"Custom field names must end with __c: {name}"
    field_type = _text(element, "type")
    length = _text(element, "length")
    if field_type == "Text" and not (length and 1 <= int(length) <= 255):
        return "Length must be between 1 and 255"
    if field_type == "TextArea" and length:
        return "Can not specify 'length' for a CustomField of type TextArea"
    if field_type == "LongTextArea":
        if not (length and 256 <= int(length) <= 131072):
            return "Length must be between 256 and 131,072"
        if not _text(element, "visibleLines"):
            return "Must specify 'visibleLines' for a CustomField of type LongTextArea"
    if field_type in ("Picklist", "MultiselectPicklist") and element.find(f"{{{MD}}}valueSet") is None:
        return f"Must specify a value set for a CustomField of type {field_type}"
    if field_type in ("Number", "Percent", "Currency"):
        precision, scale = int(_text(element, "precision") or 18), int(_text(element, "scale") or 0)
        if precision > 18 or scale > precision:
            return "The sum of the length and decimal places must be an integer less than or equal to 18"
    if field_type == "Lookup" and not (_text(element, "referenceTo") and _text(element, "relationshipName")):
        return "Must specify 'referenceTo' and 'relationshipName' for a CustomField of type Lookup"
    return None


def _rule_problem(org: SalesforceOrg, change: Change, incoming_fields: dict) -> str | None:
    display = _text(change.element, "errorDisplayField")
    object_name = change.full_name.split(".", 1)[0]
    if (
        display
        and display not in OPPORTUNITY_STANDARD_FIELDS
        and f"{object_name}.{display}" not in incoming_fields
        and not org.find("CustomField", f"{object_name}.{display}")
    ):
        return f"Field {display} does not exist. Check spelling."
    return None


def _permission_set_problem(
    org: SalesforceOrg, change: Change, incoming_fields: dict, deleted: set
) -> str | None:
    for permission in change.element.findall(f"{{{MD}}}fieldPermissions"):
        name = _text(permission, "field") or ""
        definition = incoming_fields.get(name)
        if definition is None and name not in deleted:
            existing = org.find("CustomField", name)
            definition = existing.element if existing else None
        if definition is None and name.split(".", 1)[-1] not in OPPORTUNITY_STANDARD_FIELDS:
            return f"In field: field - no CustomField named {name} found"
        if definition is not None and _text(definition, "required") == "true":
            return f"You cannot deploy to a required field: {name}"
    return None


def _layout_problem(org: SalesforceOrg, change: Change, incoming_fields: dict, deleted: set) -> str | None:
    """Every field a layout places must exist on its object (a layout's fullName is "Object-Name")."""
    object_name = change.full_name.split("-", 1)[0]
    for item in change.element.iter(f"{{{MD}}}layoutItems"):
        name = _text(item, "field")
        if not name or name in OPPORTUNITY_STANDARD_FIELDS:
            continue
        qualified = f"{object_name}.{name}"
        if qualified not in incoming_fields and (
            qualified in deleted or not org.find("CustomField", qualified)
        ):
            return f"In field: field - no CustomField named {qualified} found"
    return None


def _foldered_problem(
    org: SalesforceOrg, change: Change, plan: DeployPlan, incoming_fields: dict
) -> str | None:
    """A report or dashboard needs its folder; a report's custom field columns must exist on the object;
    a dashboard's components must name existing reports. Each in the org or in this deploy."""
    incoming = {(c.type, c.full_name) for c in plan.upserts}

    def exists(type_name: str, name: str) -> bool:
        return (type_name, name) in incoming or org.find(type_name, name) is not None

    folder = change.full_name.split("/", 1)[0]
    if not exists(f"{change.type}Folder", folder):
        return f"Cannot find folder:{folder}"
    if change.type == "Report":
        for node in change.element.iter(f"{{{MD}}}field", f"{{{MD}}}column", f"{{{MD}}}dateColumn"):
            obj, _, name = (node.text or "").partition(".")
            if name.endswith("__c") and not (
                f"{obj}.{name}" in incoming_fields or org.find("CustomField", f"{obj}.{name}")
            ):
                return f"invalid report type column: {node.text}"
    for node in change.element.iter(f"{{{MD}}}report"):
        if not exists("Report", node.text or ""):
            return f"Report not found: {node.text}"
    return None


# -- retrieve -------------------------------------------------------------------------------------------
@dataclass
class Retrieved:
    zip_bytes: bytes
    files: list[tuple[str, str, str, str]]  # (type, full name, file name, component id)
    missing: list[tuple[str, str]]


def build_retrieve(org: SalesforceOrg, unpackaged: dict[str, list[str]], api_version: str) -> Retrieved:
    objects: dict[str, etree._Element] = {}
    files: dict[str, bytes] = {}
    listing, missing = [], []
    for type_name, members in sorted(unpackaged.items()):
        if type_name == "CustomObject":  # the whole object: here, its custom fields and validation rules
            for member in members:
                holder = objects.setdefault(member, etree.Element(f"{{{MD}}}CustomObject", nsmap={None: MD}))
                for child_type, tag in CHILD_TYPES.items():
                    for name, component in sorted(org.store(child_type).items()):
                        if name.startswith(member + "."):
                            holder.append(component.with_full_name(name.split(".", 1)[1], tag))
                listing.append(("CustomObject", member, f"objects/{member}.object", member))
            continue
        if type_name in IN_FOLDER_TYPES:  # no wildcard: each folder and component is named
            for member in members:
                kind = member_type(type_name, member)
                component = org.find(kind, member)
                if component is None or member == "*":
                    missing.append((type_name, member))
                    continue
                folder, suffix = IN_FOLDER_TYPES[type_name]
                file_name = f"{folder}/{member}" + (suffix if kind == type_name else "-meta.xml")
                files[file_name] = _file_bytes(component.element)
                listing.append((kind, member, file_name, component.id))
            continue
        store = org.store(type_name)
        names = sorted(store) if "*" in members else members
        for member in names:
            component = store.get(member)
            if component is None:
                missing.append((type_name, member))
                continue
            if type_name in CHILD_TYPES:
                object_name, bare = member.split(".", 1)
                holder = objects.setdefault(
                    object_name, etree.Element(f"{{{MD}}}CustomObject", nsmap={None: MD})
                )
                holder.append(component.with_full_name(bare, CHILD_TYPES[type_name]))
                listing.append((type_name, member, f"objects/{object_name}.object", component.id))
            elif type_name in FILE_TYPES:
                folder, suffix = FILE_TYPES[type_name]
                file_name = f"{folder}/{member}{suffix}"
                files[file_name + ("-meta.xml" if suffix == ".cls" else "")] = _file_bytes(component.element)
                if type_name == "ApexClass" and member in org.apex_sources:
                    files[file_name] = org.apex_sources[member]
                listing.append((type_name, member, file_name, component.id))
    for object_name, holder in objects.items():
        wsdl.reorder(holder, "CustomObject")
        files[f"objects/{object_name}.object"] = _file_bytes(holder)
    files["package.xml"] = _file_bytes(package_xml(unpackaged, api_version))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(name, files[name])
    return Retrieved(buffer.getvalue(), listing, missing)


def package_xml(types: dict[str, list[str]], api_version: str) -> etree._Element:
    root = etree.Element(f"{{{MD}}}Package", nsmap={None: MD})
    for type_name in sorted(types):
        node = etree.SubElement(root, f"{{{MD}}}types")
        for member in sorted(types[type_name]):
            etree.SubElement(node, f"{{{MD}}}members").text = member
        etree.SubElement(node, f"{{{MD}}}name").text = type_name
    etree.SubElement(root, f"{{{MD}}}version").text = api_version
    return root


def _file_bytes(element: etree._Element) -> bytes:
    """Retrieve's file format: XML declaration, four-space indentation, final newline."""
    copy_ = etree.fromstring(etree.tostring(element), etree.XMLParser(remove_blank_text=True))
    etree.indent(copy_, space="    ")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(copy_, encoding="unicode") + "\n"
    ).encode()
