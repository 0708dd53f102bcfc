"""Which column of a deals export holds what: export headers, the spec's own names, and a column map.

Headers are compared normalised (case, spaces, hyphens and underscores alike), so `Close Date`,
`close_date` and `CLOSE-DATE` are one name. Each deal attribute (a *role*) is looked for under the names
Salesforce and HubSpot give it in exports: the API names (`CloseDate`, `closedate`), the column labels
of a Salesforce opportunity report (`Opportunity Name`, `Stage`, `Close Date`, `Created Date`,
`Opportunity Owner`, `Opportunity ID`) and of a HubSpot deal export (`Deal Name`, `Deal Stage`,
`Create Date`, `Record ID`, `Deal owner`, `Deal Type`). Handoff fields are found by spec key, API names
and label. Anything else is named in a column map (`--columns map.yaml`): `"Export header": role or
field key`, one a line, where a role is one of ROLES or `partner` (the spec's partner-sourced field),
and `ignore` leaves a column unread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from handrail.specs.compose import compose_documents
from handrail.specs.diagnostics import InputError
from handrail.specs.model import Model

ROLES: dict[str, tuple[str, tuple[str, ...]]] = {  # role -> (what it is, normalised names it goes by)
    "id": ("deal id", ("id", "deal_id", "opportunity_id", "record_id", "hs_object_id")),
    "name": ("deal name", ("name", "deal_name", "opportunity_name", "dealname")),
    "owner": (
        "owner",
        (
            "owner",
            "owner_name",
            "owner.name",
            "ownerid",
            "hubspot_owner_id",
            "opportunity_owner",
            "deal_owner",
        ),
    ),
    "amount": ("amount", ("acv", "amount", "arr")),
    "type": ("deal type", ("deal_type", "type", "dealtype", "opportunity_type")),
    "stage": ("stage", ("stage", "stagename", "stage_name", "dealstage", "deal_stage")),
    "sales_cycle_days": ("sales cycle in days", ("sales_cycle_days", "cycle_days")),
    "created_date": ("created date", ("created_date", "createddate", "createdate", "create_date")),
    "close_date": ("close date", ("close_date", "closedate")),
    "contact_roles": ("contact roles, 'a;b;c'", ("contact_roles", "opportunity_contact_roles")),
}
REQUIRED = ("name", "stage", "close_date")
IGNORE = "ignore"
_SEPARATORS = re.compile(r"[\s\-]+")


def normalise(header: str) -> str:
    return _SEPARATORS.sub("_", str(header).strip().lower())


def repeated(header: list[str], used: set[str]) -> str | None:
    """The first column the reader reads that the header names more than once (by normalised name), as
    "'Amount' appears 2 times (columns 3 and 7)"; a CSV reader keeps only one of them, silently."""
    places: dict[str, list[int]] = {}
    for n, h in enumerate(header, 1):
        places.setdefault(normalise(h), []).append(n)
    for column in header:
        found = places[normalise(column)]
        if column in used and len(found) > 1:
            where = ", ".join(map(str, found[:-1])) + f" and {found[-1]}"
            return f"'{column}' appears {len(found)} times (columns {where})"
    return None


@dataclass
class ColumnMap:
    """Header (normalised) -> role or field key, from a column-map file."""

    path: Path | None = None
    targets: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # normalised -> as written in the map


def load_column_map(path: str | Path, model: Model) -> ColumnMap:
    """Read and check a column map; every mistake is reported with its file, line and column."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the column map ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: the column map is not UTF-8") from None
    try:  # the spec's composer: it stops at a node too many or too deep, where PyYAML's recurses
        roots = compose_documents(text, str(path))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise InputError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if len(roots) > 1:
        raise InputError(f"{_at(path, roots[1])}: a column map is one YAML document; remove the '---'")
    root = roots[0] if roots else None
    if root is None:
        raise InputError(f'{path}: the column map is empty; write one line a column: "Export header": role')
    if not isinstance(root, yaml.MappingNode):
        raise InputError(
            f"{_at(path, root)}: a column map is a mapping of export headers to roles or "
            'fields, e.g. "Opportunity Name": name'
        )
    fields = {f.key for f in model.fields} | {f.key for f in model.computed}
    roles = [*ROLES, "partner", IGNORE]
    out = ColumnMap(path)
    for key, value in root.value:
        if not isinstance(key, yaml.ScalarNode) or not key.value.strip():
            raise InputError(f"{_at(path, key)}: a column header must be text")
        if not isinstance(value, yaml.ScalarNode) or not value.value.strip():
            raise InputError(f"{_at(path, value)}: '{key.value}': the target must be one role or field key")
        target = value.value.strip()
        if target == "partner":
            if not model.deal.partner_field:
                raise InputError(
                    f"{_at(path, value)}: '{key.value}': the spec names no partner field (deal.partner_field)"
                )
            target = model.deal.partner_field
        elif target not in roles and target not in fields:
            raise InputError(
                f"{_at(path, value)}: '{key.value}': '{target}' is neither a role nor a field "
                f"of the spec (roles: {', '.join(roles)}; or a field key such as "
                f"{', '.join(sorted(fields)[:3])})"
            )
        header = normalise(key.value)
        if header in out.targets:
            raise InputError(f"{_at(path, key)}: '{key.value}' is mapped twice")
        if target != IGNORE and target in out.targets.values():
            raise InputError(f"{_at(path, value)}: '{key.value}': '{target}' already has a column")
        out.targets[header] = target
        out.headers[header] = key.value
    return out


def _at(path: Path, node: yaml.Node) -> str:
    return f"{path}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"


def expected_names(role: str) -> str:
    """How a role's column may be headed, for messages: the export labels first."""
    labels = {
        "id": "Opportunity ID, Record ID",
        "name": "Opportunity Name, Deal Name",
        "owner": "Opportunity Owner, Deal owner",
        "amount": "Amount",
        "type": "Type, Deal Type",
        "stage": "Stage, Deal Stage",
        "created_date": "Created Date, Create Date",
        "close_date": "Close Date",
        "sales_cycle_days": "sales_cycle_days",
    }[role]
    return f"{labels} or {ROLES[role][1][0]}"


def missing_optional(model: Model, cols: dict, field_columns: dict) -> list[str]:
    """What missing optional columns do to segments, for the segments that match on them (`cols`: the
    reader's column by role, `field_columns`: by field key)."""

    def matching(dimension: str) -> str:
        return ", ".join(s.key for s in model.segments if dimension in s.match.dimensions)

    effects = []
    cycle = matching("sales_cycle_days")
    if cycle and not cols["sales_cycle_days"] and not cols["created_date"]:
        effects.append(
            f"no created date or sales cycle column, so every sales cycle counts as 0 days "
            f"(segments {cycle} match on it)"
        )
    kinds = matching("deal_type")
    if kinds and not cols["type"]:
        effects.append(
            f"no deal type column, so every deal counts as new business (segments {kinds} match on it)"
        )
    partner = model.deal.partner_field
    sourced = matching("partner_sourced")
    if partner and sourced and partner not in field_columns:
        effects.append(
            f"no partner column ({model.field(partner).label}), so no deal counts as "
            f"partner-sourced (segments {sourced} match on it)"
        )
    return effects
