"""The Metadata API SOAP endpoint (/services/Soap/m/<version>/...) of the fake org.

Requests are dispatched on the first element inside <Body>, as Salesforce does (simple-salesforce
posts file-based calls to .../deployRequest/<id> and zeep to .../m/<version>/). Every request body
and header entry is validated against the WSDL's schema, and so is every response the fake sends.

Lenient exactly where simple-salesforce 1.12.10 is sloppy and Salesforce evidently accepts it
(shared/research/salesforce.md §0.4 and §7.2, transcript in simple_salesforce_wire/):
  * deploy: DeployOptions booleans are Python-style "True"/"False";
  * deploy: the literal text "None" sits inside <DeployOptions> when testLevel/tests are unset;
  * deploy: DeployOptions children are out of schema order (testLevel/runTests after singlePackage);
  * deploy: <testLevel> is missing although the schema requires it (Salesforce applies its default:
    NoTestRun outside production, RunLocalTests in production);
  * retrieve: <singlePackage> is "True"; the <types>/<members>/<name> children of <unpackaged>
    carry no namespace; <unpackaged> has no <version> although the schema requires it.
Each is normalised before validation; anything else that breaks the schema is rejected with a
SOAP fault and recorded in `fake.rejections`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lxml import etree

from fakes import soap, wsdl
from fakes.salesforce_deploy import (
    DeployMessage,
    DeployPlan,
    Retrieved,
    apply_plan,
    build_retrieve,
    dry_run,
    plan_deploy,
)
from fakes.salesforce_org import CHILD_TYPES, FILE_TYPES, IN_FOLDER_TYPES, INTEGRATION_USER, now_iso
from fakes.server import Request, Response
from fakes.wsdl import MD, XSI

if TYPE_CHECKING:
    from fakes.salesforce import FakeSalesforce

CRUD_LIMIT = 10


@dataclass
class DeployJob:
    id: str
    zip_bytes: bytes
    options: dict[str, str]
    polls_left: int
    created: str = field(default_factory=now_iso)
    plan: DeployPlan | None = None
    status: str = "Pending"
    completed: str | None = None

    @property
    def done(self) -> bool:
        return self.plan is not None


@dataclass
class RetrieveJob:
    id: str
    retrieved: Retrieved
    polls_left: int


class MetadataApi:
    def __init__(self, fake: "FakeSalesforce"):
        self.fake = fake
        self.deploys: dict[str, DeployJob] = {}
        self.retrieves: dict[str, RetrieveJob] = {}

    # -- entry point --------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        try:
            headers, body = soap.parse(request.body)
        except soap.SoapError as exc:
            self.fake.reject(f"metadata: {exc.message}")
            return soap.fault_response(exc.code, exc.message)
        operation = etree.QName(body).localname
        if operation == "deploy":
            _lenient_deploy(body, sandbox=self.fake.org.sandbox)
        elif operation == "retrieve":
            _lenient_retrieve(body)
        problems = [
            f"{etree.QName(node).localname}: line {line}: {message}"
            for node in [*headers, body]
            for line, message in _schema_errors(node)
        ]
        if problems:
            self.fake.reject(f"metadata {operation}: " + "; ".join(problems))
            return soap.fault_response("soapenv:Client", "; ".join(problems))
        session = next(
            (
                h.findtext(f"{{{MD}}}sessionId")
                for h in headers
                if etree.QName(h).localname == "SessionHeader"
            ),
            None,
        )
        if not self.fake.valid_session(session):
            return soap.fault_response(
                "sf:INVALID_SESSION_ID",
                "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: "
                "Illegal Session. Session not found, missing session hash",
            )
        handler = getattr(self, f"_{operation}", None)
        if handler is None:
            self.fake.internal_errors.append(f"metadata operation {operation} is not implemented by the fake")
            return soap.fault_response("sf:UNKNOWN_EXCEPTION", f"{operation} is not supported by this fake")
        with self.fake.lock:
            result = handler(body)
        if isinstance(result, Response):
            return result
        response = soap.element(f"{operation}Response", *result)
        errors = wsdl.validate(response)
        if errors:
            raise AssertionError(f"the fake's {operation} response breaks the WSDL: {errors[:3]}")
        return Response.xml(soap.envelope(response))

    # -- deploy -----------------------------------------------------------------------------------------
    def _deploy(self, body: etree._Element) -> list[etree._Element]:
        zip_bytes = base64.b64decode(body.findtext(f"{{{MD}}}ZipFile") or "")
        options = {etree.QName(o).localname: (o.text or "") for o in body.find(f"{{{MD}}}DeployOptions")}
        job = DeployJob(self.fake.org.ids.new("deploy"), zip_bytes, options, self.fake.deploy_polls)
        self.deploys[job.id] = job
        return [soap.element("result", done=False, id=job.id, state="Queued")]

    def _checkDeployStatus(self, body: etree._Element) -> list[etree._Element] | Response:
        job = self.deploys.get(body.findtext(f"{{{MD}}}asyncProcessId") or "")
        if job is None:
            return soap.fault_response("sf:INVALID_ID_FIELD", "INVALID_ID_FIELD: invalid id")
        if not job.done:
            if job.polls_left > 0:
                job.polls_left -= 1
                job.status = "InProgress"
            else:
                self.complete(job)
        include_details = body.findtext(f"{{{MD}}}includeDetails") == "true"
        return [self._deploy_result(job, include_details)]

    def complete(self, job: DeployJob) -> None:
        """Run the deploy now: validate everything, then apply all of it, part of it, or nothing."""
        org = self.fake.org
        plan = plan_deploy(org, job.zip_bytes)
        if not org.sandbox and job.options.get("testLevel") == "NoTestRun":
            plan = DeployPlan(
                error_message="INVALID_OPERATION: testLevel of NoTestRun cannot be used in "
                "production organizations"
            )
            plan.failures.append(
                DeployMessage("", "package.xml", "package.xml", False, plan.error_message, "Error")
            )
        check_only = job.options.get("checkOnly") == "true"
        rollback = job.options.get("rollbackOnError") == "true"
        if check_only or (plan.failures and rollback):
            dry_run(plan)
        else:
            apply_plan(org, plan, skip_failed=True)
        upserts_ok = [s for s in plan.successes if s.problem_type != "Warning" or s.deleted]
        if not plan.failures:
            job.status = "Succeeded"
        elif not rollback and not check_only and upserts_ok:
            job.status = "SucceededPartial"
        else:
            job.status = "Failed"
        job.plan = plan
        job.completed = now_iso()
        self.fake.deploy_history.append(job)

    def _deploy_result(self, job: DeployJob, include_details: bool) -> etree._Element:
        plan = job.plan
        failures = plan.failures if plan else []
        successes = plan.successes if plan else []
        details = soap.element("details")
        if include_details:
            for message in failures:
                details.append(_deploy_message("componentFailures", message, job.created))
            for message in successes:
                details.append(_deploy_message("componentSuccesses", message, job.created))
        options = job.options
        return soap.element(
            "result",
            checkOnly=options.get("checkOnly") == "true",
            completedDate=job.completed,
            createdBy=self.fake.org.user_id[:15],
            createdByName=INTEGRATION_USER,
            createdDate=job.created,
            details=details,
            done=job.done,
            errorMessage=plan.error_message if plan else None,
            id=job.id,
            ignoreWarnings=options.get("ignoreWarnings") == "true",
            lastModifiedDate=job.completed or job.created,
            numberComponentErrors=len(failures),
            numberComponentsDeployed=len(successes),
            numberComponentsTotal=len(failures) + len(successes),
            numberTestErrors=0,
            numberTestsCompleted=0,
            numberTestsTotal=0,
            rollbackOnError=options.get("rollbackOnError") == "true",
            runTestsEnabled=options.get("testLevel") not in (None, "", "NoTestRun"),
            startDate=job.created,
            stateDetail=None if job.done else "Processing Type: CustomField",
            status=job.status,
            success=job.status == "Succeeded",
        )

    # -- retrieve ---------------------------------------------------------------------------------------
    def _retrieve(self, body: etree._Element) -> list[etree._Element]:
        request = body.find(f"{{{MD}}}retrieveRequest")
        version = request.findtext(f"{{{MD}}}apiVersion") or "63.0"
        unpackaged: dict[str, list[str]] = {}
        for types in request.findall(f"{{{MD}}}unpackaged/{{{MD}}}types"):
            name = types.findtext(f"{{{MD}}}name") or ""
            unpackaged.setdefault(name, []).extend(m.text or "" for m in types.findall(f"{{{MD}}}members"))
        job = RetrieveJob(
            self.fake.org.ids.new("retrieve"),
            build_retrieve(self.fake.org, unpackaged, version),
            self.fake.retrieve_polls,
        )
        self.retrieves[job.id] = job
        return [soap.element("result", done=False, id=job.id, state="Queued")]

    def _checkRetrieveStatus(self, body: etree._Element) -> list[etree._Element] | Response:
        job = self.retrieves.get(body.findtext(f"{{{MD}}}asyncProcessId") or "")
        if job is None:
            return soap.fault_response("sf:INVALID_ID_FIELD", "INVALID_ID_FIELD: invalid id")
        if job.polls_left > 0:
            job.polls_left -= 1
            return [
                soap.element("result", done=False, id=job.id, status="InProgress", success=False, zipFile="")
            ]
        include_zip = body.findtext(f"{{{MD}}}includeZip") == "true"
        stamp = now_iso()
        properties = [
            _file_properties(t, n, f, i, stamp, self.fake.org.user_id) for t, n, f, i in job.retrieved.files
        ]
        messages = [
            soap.element(
                "messages",
                fileName="package.xml",
                problem=f"Entity of type '{t}' named '{n}' cannot be found",
            )
            for t, n in job.retrieved.missing
        ]
        zip_text = base64.b64encode(job.retrieved.zip_bytes).decode() if include_zip else ""
        return [_retrieve_result(job.id, properties, messages, zip_text)]

    # -- CRUD and reads ----------------------------------------------------------------------------------
    def _readMetadata(self, body: etree._Element) -> list[etree._Element] | Response:
        type_name = body.findtext(f"{{{MD}}}type") or ""
        names = [n.text or "" for n in body.findall(f"{{{MD}}}fullNames")]
        if len(names) > CRUD_LIMIT:
            return soap.fault_response(
                "sf:LIMIT_EXCEEDED",
                f"LIMIT_EXCEEDED: readMetadata takes at most {CRUD_LIMIT} full names; got {len(names)}",
            )
        result = soap.element("result")
        for name in names:
            component = self.fake.org.find(type_name, name)
            if component is None:
                continue  # missing components are left out of the result
            record = component.with_full_name(tag="records")
            record.set(f"{{{XSI}}}type", type_name)
            result.append(record)
        return [result]

    def _listMetadata(self, body: etree._Element) -> list[etree._Element] | Response:
        stamp = now_iso()
        results = []
        for query in body.findall(f"{{{MD}}}queries"):
            type_name = query.findtext(f"{{{MD}}}type") or ""
            folder = query.findtext(f"{{{MD}}}folder")
            store = self.fake.org.store(type_name)
            if type_name in IN_FOLDER_TYPES:
                # ListMetadataQuery.folder: "required for components that use folders, such as Dashboard,
                # Document, EmailTemplate, or Report"; a folder the org lacks has nothing in it.
                if not folder:
                    return soap.fault_response(
                        "sf:INVALID_FOLDER", f"INVALID_FOLDER: listMetadata of {type_name} needs a folder"
                    )
                store = {n: c for n, c in store.items() if n.startswith(folder + "/")}
            for name, component in sorted(store.items()):
                results.append(
                    _file_properties(
                        type_name,
                        name,
                        _file_name(type_name, name),
                        component.id,
                        component.modified or stamp,
                        self.fake.org.user_id,
                        tag="result",
                    )
                )
        return results

    def _describeMetadata(self, body: etree._Element) -> list[etree._Element]:
        result = soap.element("result")
        entries = [("CustomObject", "objects", "object", list(CHILD_TYPES))] + [
            (t, folder, suffix.lstrip("."), []) for t, (folder, suffix) in sorted(FILE_TYPES.items())
        ]
        for name, folder, suffix, children in entries:
            result.append(
                soap.element(
                    "metadataObjects",
                    childXmlNames=children,
                    directoryName=folder,
                    inFolder=False,
                    metaFile=name == "ApexClass",
                    suffix=suffix,
                    xmlName=name,
                )
            )
        soap.append(result, "organizationNamespace", "")
        soap.append(result, "partialSaveAllowed", True)
        soap.append(result, "testRequired", not self.fake.org.sandbox)
        return [result]

    def _createMetadata(self, body: etree._Element) -> list[etree._Element] | Response:
        return self._save(body, mode="create")

    def _updateMetadata(self, body: etree._Element) -> list[etree._Element] | Response:
        return self._save(body, mode="update")

    def _upsertMetadata(self, body: etree._Element) -> list[etree._Element] | Response:
        return self._save(body, mode="upsert")

    def _save(self, body: etree._Element, mode: str) -> list[etree._Element] | Response:
        items = body.findall(f"{{{MD}}}metadata")
        if len(items) > CRUD_LIMIT:
            return soap.fault_response(
                "sf:LIMIT_EXCEEDED", f"LIMIT_EXCEEDED: at most {CRUD_LIMIT} components"
            )
        results = []
        for item in items:
            type_name = etree.QName(_resolve(item)).localname
            full_name = item.findtext(f"{{{MD}}}fullName") or ""
            exists = self.fake.org.find(type_name, full_name) is not None
            error = None
            if mode == "create" and exists:
                error = ("DUPLICATE_DEVELOPER_NAME", f"There is already a {type_name} named {full_name}")
            elif mode == "update" and not exists:
                error = (
                    "INVALID_CROSS_REFERENCE_KEY",
                    f"In field: fullName - no {type_name} named {full_name} found",
                )
            if error is None:
                self.fake.org.put(type_name, full_name, _as_stored(item, type_name))
            result = soap.element("result")
            if mode == "upsert":
                soap.append(result, "created", not exists and error is None)
            if error:
                result.append(soap.element("errors", message=error[1], statusCode=error[0]))
            soap.append(result, "fullName", full_name)
            soap.append(result, "success", error is None)
            results.append(result)
        return results

    def _deleteMetadata(self, body: etree._Element) -> list[etree._Element]:
        type_name = body.findtext(f"{{{MD}}}type") or ""
        results = []
        for node in body.findall(f"{{{MD}}}fullNames"):
            name = node.text or ""
            store = self.fake.org.store(type_name)
            result = soap.element("result")
            found = store.pop(name, None) is not None
            if not found:
                result.append(
                    soap.element(
                        "errors",
                        message=f"No {type_name} named: {name} found",
                        statusCode="INVALID_CROSS_REFERENCE_KEY",
                    )
                )
            soap.append(result, "fullName", name)
            soap.append(result, "success", found)
            results.append(result)
        return results


# -- helpers -----------------------------------------------------------------------------------------
def _schema_errors(node: etree._Element) -> list[tuple[int, str]]:
    if etree.QName(node).namespace != MD:
        return [(node.sourceline or 0, f"unexpected element {node.tag}")]
    return [(line, message) for line, _column, message in wsdl.validate(node)]


def _lenient_deploy(body: etree._Element, *, sandbox: bool) -> None:
    options = body.find(f"{{{MD}}}DeployOptions")
    if options is None:
        return
    options.text = None  # stray "None" text (simple-salesforce formats unset testLevel/tests as "None")
    for child in options:
        child.tail = None
        if child.text in ("True", "False"):  # Python booleans
            child.text = child.text.lower()
    if options.find(f"{{{MD}}}testLevel") is None:  # omitted: Salesforce applies its default
        soap.append(options, "testLevel", "NoTestRun" if sandbox else "RunLocalTests")
    wsdl.reorder(options, "DeployOptions")  # simple-salesforce's order differs from the schema's


def _lenient_retrieve(body: etree._Element) -> None:
    request = body.find(f"{{{MD}}}retrieveRequest")
    if request is None:
        return
    single = request.find(f"{{{MD}}}singlePackage")
    if single is not None and single.text in ("True", "False"):
        single.text = single.text.lower()
    unpackaged = request.find(f"{{{MD}}}unpackaged")
    if unpackaged is not None:
        for node in unpackaged.iter():
            if isinstance(node.tag, str) and etree.QName(node).namespace is None:
                node.tag = f"{{{MD}}}{node.tag}"  # simple-salesforce writes these without a namespace
        if unpackaged.find(f"{{{MD}}}version") is None:  # omitted: the request's apiVersion applies
            soap.append(unpackaged, "version", request.findtext(f"{{{MD}}}apiVersion"))


def _resolve(item: etree._Element) -> str:
    prefix, _, local = (item.get(f"{{{XSI}}}type") or "").rpartition(":")
    return f"{{{item.nsmap.get(prefix or None, MD)}}}{local}"


def _as_stored(item: etree._Element, type_name: str) -> etree._Element:
    element = etree.Element(f"{{{MD}}}{type_name}", nsmap={None: MD})
    for child in item:
        if isinstance(child.tag, str) and etree.QName(child).localname != "fullName":
            element.append(etree.fromstring(etree.tostring(child), etree.XMLParser(remove_blank_text=True)))
    return element


def _file_name(type_name: str, full_name: str) -> str:
    if type_name in CHILD_TYPES:
        return f"objects/{full_name.split('.', 1)[0]}.object"
    if type_name in IN_FOLDER_TYPES or type_name.removesuffix("Folder") in IN_FOLDER_TYPES:
        folder, suffix = IN_FOLDER_TYPES[type_name.removesuffix("Folder")]
        return f"{folder}/{full_name}" + (suffix if type_name in IN_FOLDER_TYPES else "")
    folder, suffix = FILE_TYPES.get(type_name, (type_name.lower(), ""))
    return f"{folder}/{full_name}{suffix}"


def _file_properties(
    type_name: str,
    full_name: str,
    file_name: str,
    component_id: str,
    stamp: str,
    user_id: str,
    tag: str = "fileProperties",
) -> etree._Element:
    return soap.element(
        tag,
        createdById=user_id,
        createdByName=INTEGRATION_USER,
        createdDate=stamp,
        fileName=file_name,
        fullName=full_name,
        id=component_id,
        lastModifiedById=user_id,
        lastModifiedByName=INTEGRATION_USER,
        lastModifiedDate=stamp,
        manageableState="unmanaged",
        type=type_name,
    )


def _retrieve_result(job_id: str, properties: list, messages: list, zip_text: str) -> etree._Element:
    result = soap.element("result", done=True)
    for node in properties:
        result.append(node)
    soap.append(result, "id", job_id)
    for node in messages:
        result.append(node)
    soap.append(result, "status", "Succeeded")
    soap.append(result, "success", True)
    soap.append(result, "zipFile", zip_text)
    return result


def _deploy_message(tag: str, message: DeployMessage, stamp: str) -> etree._Element:
    return soap.element(
        tag,
        changed=message.changed,
        columnNumber=message.column,
        componentType=message.component_type,
        created=message.created,
        createdDate=stamp,
        deleted=message.deleted,
        fileName=message.file_name,
        fullName=message.full_name,
        lineNumber=message.line,
        problem=message.problem,
        problemType=message.problem_type,
        success=message.success,
    )
