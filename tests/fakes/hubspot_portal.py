"""The state of a fake HubSpot portal, with HubSpot-defined deal properties, pipeline and owners.

Tests may edit it directly to simulate changes made by hand in HubSpot, e.g.

    portal.properties["deals"]["cs_handoff_score"]["label"] = "Score (old)"
    portal.pipelines["deals"]["default"]["stages"][0]["label"] = "Renamed"
    portal.flows[flow_id]["isEnabled"] = False
    portal.add_deals([{"dealname": "Acme", "dealstage": "closedwon", "amount": "50000"}])
"""

from __future__ import annotations

import itertools
import re
import uuid
from datetime import datetime, timezone
from typing import Any, Iterable

OBJECT_TYPE_IDS = {"contacts": "0-1", "companies": "0-2", "deals": "0-3", "tasks": "0-27", "notes": "0-46"}
TYPE_FIELD_TYPES = {
    "string": {"text", "textarea", "html", "phonenumber", "file", "calculation_equation"},
    "enumeration": {"select", "radio", "checkbox", "booleancheckbox", "calculation_equation"},
    "number": {"number", "calculation_equation"},
    "date": {"date"},
    "datetime": {"date"},
    "bool": {"booleancheckbox", "calculation_equation"},
    "phone_number": {"phonenumber"},
}
DEFAULT_STAGES = [
    ("appointmentscheduled", "Appointment scheduled", "0.2"),
    ("qualifiedtobuy", "Qualified to buy", "0.4"),
    ("presentationscheduled", "Presentation scheduled", "0.6"),
    ("decisionmakerboughtin", "Decision maker bought-in", "0.8"),
    ("contractsent", "Contract sent", "0.9"),
    ("closedwon", "Closed won", "1.0"),
    ("closedlost", "Closed lost", "0.0"),
]
DEFAULT_RECORD_PROPERTIES = {
    "deals": [
        "amount",
        "closedate",
        "createdate",
        "dealname",
        "dealstage",
        "hs_lastmodifieddate",
        "hs_object_id",
        "pipeline",
    ],
    "tasks": ["hs_createdate", "hs_lastmodifieddate", "hs_object_id", "hs_task_subject", "hs_timestamp"],
}


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def object_type(name: str) -> str | None:
    """'deals' or '0-3' -> 'deals'; None for object types the fake does not hold."""
    if name in OBJECT_TYPE_IDS:
        return name
    return next((k for k, v in OBJECT_TYPE_IDS.items() if v == name), None)


def correlation_id() -> str:
    return str(uuid.uuid4())


class Portal:
    def __init__(self) -> None:
        self._ids = itertools.count(1001)
        self.portal_id = 4711
        self.groups: dict[str, dict[str, dict]] = {t: {} for t in OBJECT_TYPE_IDS}
        self.properties: dict[str, dict[str, dict]] = {t: {} for t in OBJECT_TYPE_IDS}
        # (object type, property) -> rules by type
        self.validations: dict[tuple[str, str], dict[str, dict]] = {}
        self.pipelines: dict[str, dict[str, dict]] = {"deals": {}}
        self.pipeline_rules: dict[tuple[str, str], dict] = {}  # (objectTypeId, pipelineId) -> rules
        self.flows: dict[str, dict] = {}
        self.records: dict[str, dict[str, dict]] = {t: {} for t in OBJECT_TYPE_IDS}
        self.owners: list[dict] = []
        self.search_results: dict[str, list[dict]] = {}  # the last search's matches, for its later pages
        self.calculated_property_limit = 40  # per portal, tier-dependent in HubSpot
        self.custom_property_limit = 1000  # per object type
        # Currencies (Settings > Account defaults > Currency): the company currency, and each other
        # currency's exchange rate as "1 company currency = rate of it"; see set_currencies.
        self.company_currency = "USD"
        self.exchange_rates: dict[str, float] = {}
        self._seed()

    def new_id(self) -> str:
        return str(next(self._ids))

    # -- seeding ---------------------------------------------------------------------------------------
    def _seed(self) -> None:
        self.add_group("deals", "dealinformation", "Deal information", 0, hubspot_defined=True)
        self.add_group("deals", "deal_activity", "Deal activity", 1, hubspot_defined=True)
        stage_options = [
            {"label": label, "value": value, "displayOrder": i, "hidden": False}
            for i, (value, label, _) in enumerate(DEFAULT_STAGES)
        ]
        for name, label, kind, field_type, extra in [
            ("dealname", "Deal Name", "string", "text", {}),
            ("amount", "Amount", "number", "number", {}),
            ("closedate", "Close Date", "datetime", "date", {}),
            ("createdate", "Create Date", "datetime", "date", {}),
            ("hs_lastmodifieddate", "Last Modified Date", "datetime", "date", {}),
            ("hs_object_id", "Record ID", "number", "number", {}),
            ("dealstage", "Deal Stage", "enumeration", "select", {"options": stage_options}),
            (
                "pipeline",
                "Pipeline",
                "enumeration",
                "select",
                {
                    "options": [
                        {"label": "Sales Pipeline", "value": "default", "displayOrder": 0, "hidden": False}
                    ]
                },
            ),
            (
                "dealtype",
                "Deal Type",
                "enumeration",
                "select",
                {
                    "options": [
                        {"label": "New Business", "value": "newbusiness", "displayOrder": 0, "hidden": False},
                        {
                            "label": "Existing Business",
                            "value": "existingbusiness",
                            "displayOrder": 1,
                            "hidden": False,
                        },
                        # not one of HubSpot's defaults: the option the example spec's portal added
                        {"label": "Renewal", "value": "renewal", "displayOrder": 2, "hidden": False},
                    ]
                },
            ),
            (
                "hubspot_owner_id",
                "Deal owner",
                "enumeration",
                "select",
                {"externalOptions": True, "referencedObjectType": "OWNER"},
            ),
            ("hs_is_closed_won", "Is Closed Won", "bool", "booleancheckbox", {}),
            ("deal_currency_code", "Currency", "enumeration", "select", {"options": []}),
            ("amount_in_home_currency", "Amount in company currency", "number", "number", {}),
        ]:
            self.properties["deals"][name] = self.property_record(
                {
                    "name": name,
                    "label": label,
                    "type": kind,
                    "fieldType": field_type,
                    "groupName": "dealinformation",
                    **extra,
                },
                hubspot_defined=True,
            )
        home = self.properties["deals"]["amount_in_home_currency"]  # HubSpot computes it, read only
        home["calculated"] = home["modificationMetadata"]["readOnlyValue"] = True
        self.set_currencies("USD", {})
        stages = [
            {"label": label, "displayOrder": i, "metadata": {"probability": p}, "stageId": value}
            for i, (value, label, p) in enumerate(DEFAULT_STAGES)
        ]
        self.add_pipeline(
            "deals", {"label": "Sales Pipeline", "displayOrder": 0, "stages": stages}, "default"
        )
        self.add_owner("owner@handrail.test", "Olivia", "Owner")

    def add_group(
        self, obj: str, name: str, label: str, display_order: int = 0, *, hubspot_defined: bool = False
    ) -> dict:
        group = {"name": name, "label": label, "displayOrder": display_order, "archived": False}
        self.groups[obj][name] = group
        return group

    def property_record(self, data: dict, *, hubspot_defined: bool = False) -> dict:
        stamp = now_iso()
        calculated = data.get("fieldType") == "calculation_equation"
        record = {
            "name": data["name"],
            "label": data["label"],
            "type": data["type"],
            "fieldType": data["fieldType"],
            "groupName": data["groupName"],
            "description": data.get("description", ""),
            "options": _options(data),
            "displayOrder": data.get("displayOrder", -1),
            "hidden": data.get("hidden", False),
            "formField": data.get("formField", False),
            "hasUniqueValue": data.get("hasUniqueValue", False),
            "calculated": calculated,
            "externalOptions": data.get("externalOptions", False),
            "archived": False,
            "createdAt": stamp,
            "updatedAt": stamp,
            "modificationMetadata": {
                "archivable": not hubspot_defined,
                "readOnlyDefinition": hubspot_defined,
                "readOnlyValue": calculated,
            },
        }
        if hubspot_defined:
            record["hubspotDefined"] = True
        for key in (
            "referencedObjectType",
            "numberDisplayHint",
            "textDisplayHint",
            "dataSensitivity",
            "currencyPropertyName",
            "showCurrencySymbol",
        ):
            if key in data:
                record[key] = data[key]
        if calculated:
            record["calculationFormula"] = canonical_formula(data.get("calculationFormula", ""))
        return record

    def add_pipeline(self, obj: str, data: dict, pipeline_id: str | None = None) -> dict:
        stamp = now_iso()
        pipeline = {
            "id": pipeline_id or data.get("pipelineId") or self.new_id(),
            "label": data["label"],
            "displayOrder": data["displayOrder"],
            "archived": False,
            "createdAt": stamp,
            "updatedAt": stamp,
            "stages": [self.stage_record(s) for s in data["stages"]],
        }
        self.pipelines.setdefault(obj, {})[pipeline["id"]] = pipeline
        return pipeline

    def stage_record(self, data: dict) -> dict:
        stamp = now_iso()
        metadata = {k: str(v) for k, v in data.get("metadata", {}).items()}
        metadata.setdefault("isClosed", "true" if metadata.get("probability") in ("0.0", "1.0") else "false")
        return {
            "id": data.get("stageId") or self.new_id(),
            "label": data["label"],
            "displayOrder": data["displayOrder"],
            "metadata": metadata,
            "archived": False,
            "createdAt": stamp,
            "updatedAt": stamp,
            "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
        }

    def add_owner(self, email: str, first_name: str, last_name: str, user_id: int | None = None) -> dict:
        stamp = now_iso()
        owner_id = self.new_id()
        owner = {
            "id": owner_id,
            "email": email,
            "firstName": first_name,
            "lastName": last_name,
            "userId": user_id or int(owner_id) + 90000,
            "userIdIncludingInactive": user_id or int(owner_id) + 90000,
            "type": "PERSON",
            "teams": [],
            "archived": False,
            "createdAt": stamp,
            "updatedAt": stamp,
        }
        self.owners.append(owner)
        return owner

    def add_record(self, obj: str, properties: dict[str, Any]) -> dict:
        stamp = now_iso()
        record_id = self.new_id()
        values = {k: _value(v) for k, v in properties.items()}
        values.setdefault("createdate", stamp)
        values.setdefault("hs_createdate", stamp)
        values["hs_lastmodifieddate"] = stamp
        values["hs_object_id"] = record_id
        self.derive(obj, values)
        record = {
            "id": record_id,
            "properties": values,
            "createdAt": values["createdate"],
            "updatedAt": stamp,
            "archived": False,
        }
        self.records[obj][record_id] = record
        return record

    def set_currencies(self, company: str, rates: dict[str, float]) -> None:
        """The company currency and the others a deal may be in (deal_currency_code), each with its
        exchange rate (1 company currency = rate of it)."""
        self.company_currency, self.exchange_rates = company, dict(rates)
        codes = [company, *rates]
        self.properties["deals"]["deal_currency_code"]["options"] = _options(
            {"options": [{"label": c, "value": c} for c in codes]}
        )

    def derive(self, obj: str, values: dict[str, Any]) -> None:
        """What HubSpot computes on a save: a deal's amount_in_home_currency, its amount divided by the
        exchange rate of its currency (none, or the company currency: the amount itself)."""
        if obj != "deals" or "amount" not in values:
            return
        amount, code = values.get("amount"), values.get("deal_currency_code") or self.company_currency
        if amount in (None, ""):
            values["amount_in_home_currency"] = None
            return
        rate = 1.0 if code == self.company_currency else self.exchange_rates[code]
        values["amount_in_home_currency"] = _value(round(float(amount) / rate, 2))

    def add_deals(self, rows: Iterable[dict[str, Any]]) -> list[str]:
        return [self.add_record("deals", row)["id"] for row in rows]

    def add_deal(self, **properties: Any) -> str:
        return self.add_record("deals", properties)["id"]

    def live_properties(self, obj: str) -> dict[str, dict]:
        return {n: p for n, p in self.properties[obj].items() if not p["archived"]}


def _options(data: dict) -> list[dict]:
    options = data.get("options")
    if options is None and data.get("type") == "bool":
        options = [
            {"label": "Yes", "value": "true", "displayOrder": 0, "hidden": False},
            {"label": "No", "value": "false", "displayOrder": 1, "hidden": False},
        ]
    return [
        {
            "label": o["label"],
            "value": o["value"],
            "displayOrder": o.get("displayOrder", i),
            "hidden": o.get("hidden", False),
            **({"description": o["description"]} if "description" in o else {}),
        }
        for i, o in enumerate(options or [])
    ]


def _value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return str(value)


# -- calculated property formulas ------------------------------------------------------------------------
_FORMULA_TOKEN = re.compile(
    r"""\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\d+(?:\.\d+)?|[A-Za-z_]\w*|"""
    r"""<=|>=|!=|[=<>+\-*/(),])"""
)
_KEYWORDS = {"if", "then", "elseif", "else", "endif", "and", "or", "not", "equals", "true", "false"}


def canonical_formula(formula: str) -> str:
    """The formula as HubSpot stores it: `=` becomes `equals`, strings single-quoted, keywords lower
    case, redundant parentheses around a lone function call dropped, a line break before
    elseif/else/endif. (An approximation of the rewriting reported in shared/research/hubspot.md §3.4;
    what matters is that the stored text differs from the submitted one.)"""
    tokens = []
    position = 0
    while position < len(formula.rstrip()):
        match = _FORMULA_TOKEN.match(formula, position)
        if not match:
            return formula
        token = match.group(1)
        if token.startswith('"'):
            token = "'" + token[1:-1].replace("'", "\\'") + "'"
        elif token == "=":
            token = "equals"
        elif token.lower() in _KEYWORDS:
            token = token.lower()
        tokens.append(token)
        position = match.end()
    tokens = _drop_redundant_parentheses(tokens)
    out = ""
    for i, token in enumerate(tokens):
        previous = tokens[i - 1] if i else ""
        if token in ("elseif", "else", "endif"):
            out = out.rstrip() + "\n" + token
        elif (
            not out
            or previous == "("
            or token in (")", ",")
            or (token == "(" and re.match(r"\w", previous) and previous not in _KEYWORDS)
        ):
            out += token
        else:
            out += " " + token
    return out


def _drop_redundant_parentheses(tokens: list[str]) -> list[str]:
    """'(' name '(' ... ')' ')' -> name '(' ... ')' when the outer pair holds nothing else."""
    changed = True
    while changed:
        changed = False
        for start, token in enumerate(tokens):
            if (
                token != "("
                or start + 2 >= len(tokens)
                or not re.match(r"[A-Za-z_]", tokens[start + 1])
                or tokens[start + 2] != "("
                or (start and re.match(r"\w", tokens[start - 1]) and tokens[start - 1] not in _KEYWORDS)
            ):
                continue
            depth, end = 0, None
            for index in range(start + 2, len(tokens)):
                depth += tokens[index] == "("
                depth -= tokens[index] == ")"
                if depth == 0:
                    end = index
                    break
            if end is not None and end + 1 < len(tokens) and tokens[end + 1] == ")":
                tokens = tokens[:start] + tokens[start + 1 : end + 1] + tokens[end + 2 :]
                changed = True
                break
    return tokens
