"""The state of a fake Salesforce org: metadata components (with flow versions) and records.

Tests may edit it directly to simulate changes made by hand in Setup, e.g.

    fake.org.fields["Opportunity.Handoff_Score__c"].set("label", "Score (old)")
    del fake.org.validation_rules["Opportunity.Handoff_Gate"]
    fake.org.flows["Handoff_After_Save"].deactivate()
    fake.org.add_record("Opportunity", Name="Acme", StageName="Closed Won", Amount=50000)
"""

from __future__ import annotations

import copy
import itertools
from datetime import datetime, timezone
from html import escape
from typing import Any, Iterable

from lxml import etree

from fakes import wsdl
from fakes.wsdl import MD

# Metadata types stored as children of objects/<Object>.object, keyed "Object.Name".
CHILD_TYPES = {
    "CustomField": "fields",
    "ValidationRule": "validationRules",
    "RecordType": "recordTypes",
    "BusinessProcess": "businessProcesses",
}
# Top-level types: folder and file suffix in a deploy/retrieve zip.
FILE_TYPES = {
    "Flow": ("flows", ".flow"),
    "PermissionSet": ("permissionsets", ".permissionset"),
    "CustomNotificationType": ("notificationtypes", ".notiftype"),
    "ApexClass": ("classes", ".cls"),
    "PathAssistant": ("pathAssistants", ".pathAssistant"),
    "Layout": ("layouts", ".layout"),
    "Settings": ("settings", ".settings"),
    "StandardValueSet": ("standardValueSets", ".standardValueSet"),
    "CustomPermission": ("customPermissions", ".customPermission"),
}
# Types kept in folders: fullName "Folder/Name", file <folder>/<Folder>/<Name><suffix>; the folder itself
# (type ReportFolder / DashboardFolder) is a member of the type it holds, its file <folder>/<Folder>-meta.xml.
IN_FOLDER_TYPES = {"Report": ("reports", ".report"), "Dashboard": ("dashboards", ".dashboard")}
ID_PREFIXES = {
    "Opportunity": "006",
    "User": "005",
    "Task": "00T",
    "Account": "001",
    "Contact": "003",
    "OpportunityTeamMember": "00q",
    "AccountTeamMember": "01M",
    "PermissionSetAssignment": "0Pa",
    "CustomField": "00N",
    "ValidationRule": "03d",
    "Flow": "301",
    "CustomPermission": "0CP",
    "PermissionSet": "0PS",
    "CustomNotificationType": "0ML",
    "ApexClass": "01p",
    "PathAssistant": "0Hx",
    "Layout": "00h",
    "Settings": "0XS",
    "RecordType": "012",
    "BusinessProcess": "019",
    "StandardValueSet": "0XV",
    "Report": "00O",
    "Dashboard": "01Z",
    "ReportFolder": "00l",
    "DashboardFolder": "00l",
    "deploy": "0Af",
    "retrieve": "09S",
    "query": "01g",
    "bulk": "750",
    "org": "00D",
}
OPPORTUNITY_STAGES = [  # (value, closed, won)
    ("Prospecting", False, False),
    ("Qualification", False, False),
    ("Needs Analysis", False, False),
    ("Value Proposition", False, False),
    ("Id. Decision Makers", False, False),
    ("Perception Analysis", False, False),
    ("Proposal/Price Quote", False, False),
    ("Negotiation/Review", False, False),
    ("Commit", False, False),
    ("Closed Won", True, True),
    ("Closed Lost", True, False),
]
OPPORTUNITY_TYPES = [
    "Existing Customer - Upgrade",
    "Existing Customer - Replacement",
    "Existing Customer - Downgrade",
    "New Customer",
    "Renewal",
]
INTEGRATION_USER = "Handrail Integration"
# Active users of every fake org: the people the bundled example spec names (its CSM pool, the CS manager),
# whom plan resolves to the org's users.
EXAMPLE_USERS = ("cs-pool@example.com", "cs-manager@example.com")


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Ids:
    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def new(self, kind: str) -> str:
        return f"{ID_PREFIXES.get(kind, '0XX')}{next(self._counter):012d}AAA"


class Component:
    """One metadata component as the org stores it; `element` never holds `fullName`."""

    def __init__(self, type_name: str, full_name: str, element: etree._Element, component_id: str):
        self.type = type_name
        self.full_name = full_name
        self.element = element
        self.id = component_id
        self.created = self.modified = now_iso()

    def get(self, path: str) -> str | None:
        """Text of the first element at `path` ("label", "valueSet/restricted")."""
        node = self.element.find("/".join(f"{{{MD}}}{p}" for p in path.split("/")))
        return node.text if node is not None else None

    def set(self, name: str, value: Any) -> None:
        """Set (or add, in schema order) a direct child element's text."""
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        node = self.element.find(f"{{{MD}}}{name}")
        if node is None:
            node = etree.SubElement(self.element, f"{{{MD}}}{name}")
            wsdl.reorder(self.element, self.type)
        node.text = text
        self.modified = now_iso()

    def remove(self, name: str) -> None:
        for node in self.element.findall(f"{{{MD}}}{name}"):
            self.element.remove(node)
        self.modified = now_iso()

    def with_full_name(self, full_name: str | None = None, tag: str | None = None) -> etree._Element:
        """A copy with `fullName` first, as readMetadata and .object files carry it."""
        out = etree.Element(f"{{{MD}}}{tag or self.type}", nsmap={None: MD})
        name = etree.SubElement(out, f"{{{MD}}}fullName")
        name.text = full_name if full_name is not None else self.full_name
        for child in self.element:
            out.append(copy.deepcopy(child))
        return out

    def xml(self) -> str:
        return etree.tostring(self.with_full_name(), encoding="unicode")


class FlowComponent(Component):
    """A flow with its versions; `element` is the latest version, as retrieve returns it."""

    def __init__(self, full_name: str, element: etree._Element, component_id: str):
        super().__init__("Flow", full_name, element, component_id)
        self.versions = [element]
        self.active_version: int | None = 1 if self.get("status") == "Active" else None

    @property
    def element(self) -> etree._Element:  # type: ignore[override]
        return self.versions[-1]

    @element.setter
    def element(self, value: etree._Element) -> None:
        if hasattr(self, "versions"):
            self.versions[-1] = value

    def deploy(self, element: etree._Element) -> None:
        """A new version when the latest is active; otherwise the latest inactive one is overwritten."""
        latest_active = self.active_version == len(self.versions)
        if latest_active:
            self.versions.append(element)
        else:
            self.versions[-1] = element
        if _status(element) == "Active":
            self._mark_obsolete(self.active_version)
            self.active_version = len(self.versions)
        self.modified = now_iso()

    def activate(self, version: int | None = None) -> None:
        version = version or len(self.versions)
        self._mark_obsolete(self.active_version)
        self.active_version = version
        _set_status(self.versions[version - 1], "Active")
        self.modified = now_iso()

    def deactivate(self) -> None:
        self._mark_obsolete(self.active_version)
        self.active_version = None
        self.modified = now_iso()

    def _mark_obsolete(self, version: int | None) -> None:
        if version:
            _set_status(self.versions[version - 1], "Obsolete")


def _status(element: etree._Element) -> str | None:
    node = element.find(f"{{{MD}}}status")
    return node.text if node is not None else None


def _set_status(element: etree._Element, status: str) -> None:
    node = element.find(f"{{{MD}}}status")
    if node is None:
        node = etree.SubElement(element, f"{{{MD}}}status")
        wsdl.reorder(element, "Flow")
    node.text = status


class SalesforceOrg:
    """Metadata by type and full name, plus sObject records by id."""

    def __init__(self, *, sandbox: bool = True) -> None:
        self.ids = Ids()
        self.sandbox = sandbox
        # Multiple currencies (Setup > Company Information > Currencies) stay off until enable_currencies().
        self.corporate_currency: str | None = None
        self.currency_rates: dict[str, float] = {}  # ISO code -> ConversionRate against the corporate one
        # Setup > Process Automation Settings > "Deploy processes and flows as active". Sandboxes take
        # active flows as they come; production (by default) makes them arrive inactive.
        self.deploy_flows_as_active = sandbox
        self.org_id = self.ids.new("org")
        self.components: dict[str, dict[str, Component]] = {}
        self.apex_sources: dict[str, bytes] = {}  # ApexClass name -> its .cls body
        # Test hook: (type, full name) -> the problem a deploy reports for that component.
        self.refusals: dict[tuple[str, str], str] = {}
        self.record_fields: dict[str, set[str]] = {}  # every field name a record of the object has held
        self.records: dict[str, dict[str, dict[str, Any]]] = {
            "Opportunity": {},
            "User": {},
            "Task": {},
            "Account": {},
            # Team selling and account teams switched on; disable_teams() removes the objects.
            "OpportunityTeamMember": {},
            "AccountTeamMember": {},
            # PermissionSet rows mirror the deployed PermissionSet metadata (see put).
            "PermissionSet": {},
            "PermissionSetAssignment": {},
            "Note": {},  # classic notes, on any record (ParentId)
        }
        # Every org has its settings; Path starts switched off (Setup > Path Settings).
        self.put_xml(
            "Settings",
            "PathAssistant",
            f'<PathAssistantSettings xmlns="{MD}"><canOverrideAutoPathCollapseWithUserPref>true'
            "</canOverrideAutoPathCollapseWithUserPref><pathAssistantEnabled>false</pathAssistantEnabled>"
            "</PathAssistantSettings>",
        )
        # StageName and Type values: Salesforce's defaults plus what the example spec's org added (a Commit
        # stage, a Renewal type), each as StandardValueSet metadata with its closed/won flags.
        self.put_value_set("OpportunityStage", OPPORTUNITY_STAGES)
        self.put_value_set("OpportunityType", [(v, None, None) for v in OPPORTUNITY_TYPES])
        self.user_id = self.add_record(
            "User",
            Name=INTEGRATION_USER,
            Username="integration@handrail.test",
            Email="integration@handrail.test",
            IsActive=True,
        )
        for username in EXAMPLE_USERS:
            self.add_record("User", Name=username, Username=username, Email=username, IsActive=True)

    # -- metadata ---------------------------------------------------------------------------------
    def store(self, type_name: str) -> dict[str, Component]:
        return self.components.setdefault(type_name, {})

    @property
    def fields(self) -> dict[str, Component]:
        return self.store("CustomField")

    @property
    def validation_rules(self) -> dict[str, Component]:
        return self.store("ValidationRule")

    @property
    def flows(self) -> dict[str, FlowComponent]:
        return self.store("Flow")  # type: ignore[return-value]

    @property
    def permission_sets(self) -> dict[str, Component]:
        return self.store("PermissionSet")

    @property
    def notification_types(self) -> dict[str, Component]:
        return self.store("CustomNotificationType")

    @property
    def apex_classes(self) -> dict[str, Component]:
        return self.store("ApexClass")

    def put(self, type_name: str, full_name: str, element: etree._Element) -> Component:
        """Create or replace a component (flows get versions); `element` must not hold fullName."""
        for name in element.findall(f"{{{MD}}}fullName"):
            element.remove(name)
        store = self.store(type_name)
        existing = store.get(full_name)
        if type_name == "Flow":
            if isinstance(existing, FlowComponent):
                existing.deploy(element)
                return existing
            store[full_name] = FlowComponent(full_name, element, self.ids.new("Flow"))
            return store[full_name]
        if existing and type_name == "Settings":  # a settings deploy changes only the settings it names
            for child in element:
                for old in existing.element.findall(child.tag):
                    existing.element.remove(old)
                existing.element.append(child)
            wsdl.reorder(existing.element, etree.QName(existing.element).localname)
            existing.modified = now_iso()
            return existing
        if existing:
            existing.element = element
            existing.modified = now_iso()
            return existing
        store[full_name] = Component(type_name, full_name, element, self.ids.new(type_name))
        if type_name == "PermissionSet":  # also a queryable sObject, with the metadata component's id
            label = element.findtext(f"{{{MD}}}label") or full_name
            self.records["PermissionSet"][store[full_name].id] = {
                "Id": store[full_name].id,
                "Name": full_name,
                "Label": label,
            }
        return store[full_name]

    def put_value_set(
        self, name: str, values: Iterable[tuple[str, bool | None, bool | None]], inactive: Iterable[str] = ()
    ) -> Component:
        """A StandardValueSet (OpportunityStage, OpportunityType) of (value, closed, won); the flags only
        for stages. A value in `inactive` was deactivated in Setup: <isActive>false</isActive>."""
        items, inactive = "", set(inactive)
        for value, closed, won in values:
            flags = (
                ""
                if closed is None
                else f"<closed>{str(closed).lower()}</closed><won>{str(won).lower()}</won>"
            )
            items += (
                f"<standardValue><fullName>{escape(value)}</fullName><default>false</default>"
                + ("<isActive>false</isActive>" if value in inactive else "")
                + f"<label>{escape(value)}</label>{flags}</standardValue>"
            )
        return self.put_xml(
            "StandardValueSet",
            name,
            f'<StandardValueSet xmlns="{MD}"><sorted>false</sorted>{items}</StandardValueSet>',
        )

    def put_xml(self, type_name: str, full_name: str, xml: str | bytes) -> Component:
        """Seed a component from XML text (root element named after the type, in the metadata namespace)."""
        data = xml.encode() if isinstance(xml, str) else xml
        element = etree.fromstring(data, etree.XMLParser(remove_blank_text=True))
        return self.put(type_name, full_name, element)

    def find(self, type_name: str, full_name: str) -> Component | None:
        return self.components.get(type_name, {}).get(full_name)

    def snapshot(self) -> dict[str, dict[str, str]]:
        """Every component's XML by type and name: compare two snapshots to prove nothing changed."""
        return {
            t: {
                n: etree.tostring(c.element, encoding="unicode")
                + f"|active={getattr(c, 'active_version', '')}"
                for n, c in sorted(store.items())
            }
            for t, store in sorted(self.components.items())
            if store
        }

    def clone_metadata(self) -> dict[str, dict[str, Component]]:
        return copy.deepcopy(self.components)

    # -- records ------------------------------------------------------------------------------------
    def add_record(self, sobject: str, **values: Any) -> str:
        record_id = values.pop("Id", None) or self.ids.new(sobject)
        stamp = now_iso()
        record = {"Id": record_id, "CreatedDate": stamp, "LastModifiedDate": stamp, "SystemModstamp": stamp}
        if sobject not in (
            "User",
            "OpportunityTeamMember",
            "AccountTeamMember",
            "PermissionSetAssignment",
            "CurrencyType",
        ):
            record["OwnerId"] = getattr(self, "user_id", None)
        if sobject == "Opportunity" and getattr(self, "corporate_currency", None):
            record["CurrencyIsoCode"] = self.corporate_currency
        record.update(values)
        self.records.setdefault(sobject, {})[record_id] = record
        self.record_fields.setdefault(sobject, set()).update(record)
        return record_id

    def enable_currencies(self, corporate: str, rates: dict[str, float]) -> None:
        """Switch on multiple currencies, as Salesforce support does on request: Opportunity gains
        CurrencyIsoCode (deals already there, and those added without one, are in the corporate currency),
        and CurrencyType holds one active row per currency, its ConversionRate against the corporate
        currency (1.0 for the corporate currency itself). SOQL's convertCurrency() then converts to the
        running user's currency (salesforce_rest.py)."""
        self.corporate_currency = corporate
        self.currency_rates = {corporate: 1.0, **rates}
        self.records["CurrencyType"] = {}
        for iso, rate in self.currency_rates.items():
            self.add_record(
                "CurrencyType",
                IsoCode=iso,
                ConversionRate=rate,
                IsCorporate=iso == corporate,
                IsActive=True,
                DecimalPlaces=2,
            )
        for record in self.records["Opportunity"].values():
            record.setdefault("CurrencyIsoCode", corporate)
        for user in self.records["User"].values():
            user.setdefault("DefaultCurrencyIsoCode", corporate)

    def convert_currency(self, amount: Any, iso_code: str | None, user_currency: str | None) -> Any:
        """`amount` in `iso_code` as the running user's currency: through the corporate currency at the
        CurrencyType rates, rounded to the currency's two decimal places."""
        if amount is None or amount == "" or self.corporate_currency is None:
            return amount
        source = self.currency_rates[iso_code or self.corporate_currency]
        target = self.currency_rates[user_currency or self.corporate_currency]
        return round(float(amount) / source * target, 2)

    def disable_teams(self, *sobjects: str) -> None:
        """Simulate Opportunity Teams (and/or Account Teams) off: the objects vanish from describe and
        queries, as in an org where Setup never enabled them."""
        for sobject in sobjects or ("OpportunityTeamMember", "AccountTeamMember"):
            self.records.pop(sobject, None)

    def add_records(self, sobject: str, rows: Iterable[dict[str, Any]]) -> list[str]:
        return [self.add_record(sobject, **row) for row in rows]

    def record(self, record_id: str) -> tuple[str, dict[str, Any]] | None:
        for sobject, rows in self.records.items():
            if record_id in rows:
                return sobject, rows[record_id]
        return None

    def custom_fields_of(self, sobject: str) -> list[Component]:
        prefix = sobject + "."
        return [c for name, c in sorted(self.fields.items()) if name.startswith(prefix)]
