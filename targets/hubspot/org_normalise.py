"""Live HubSpot bodies in the shape of the request bodies Handrail sends, so the generic diff compares
like with like and a fresh apply plans empty.

A live body is projected onto the keys its desired body has: whatever HubSpot adds (ids, revisions,
timestamps, `calculated`, `modificationMetadata`, filled-in defaults) drops out. Lists whose items
carry an identity (workflow actions by `actionId`, options by `value`) are aligned to the desired
order, since HubSpot may return them in another. Where HubSpot stores an equivalent value in its own
words, the live value counts as the desired one:
  - calculation formulas are compared after one canonicalisation (`=` vs `equals`, quote style,
    whitespace and line breaks, keyword case, parentheses around a single term);
  - `displayOrder: -1` means "after the others", so any position HubSpot assigned satisfies it.
A value that differs otherwise stays as HubSpot has it, which is what plan and diff show.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

IDENTITY_KEYS = ("actionId", "value", "branchValue", "ruleType")
# What HubSpot adds that is never compared, for live bodies without a desired counterpart (retired items).
SERVER_KEYS = {
    "property": {
        "createdAt",
        "updatedAt",
        "archivedAt",
        "createdUserId",
        "updatedUserId",
        "archived",
        "calculated",
        "modificationMetadata",
        "hubspotDefined",
        "sensitiveDataCategories",
    },
    "property_group": {"archived"},
    "flow": {
        "id",
        "revisionId",
        "createdAt",
        "updatedAt",
        "uuid",
        "crmObjectCreationStatus",
        "nextAvailableActionId",
    },
    "pipeline_rules": {"id", "objectTypeId", "pipelineId", "createdAt", "updatedAt"},
}


def normalise(kind: str, live: Mapping[str, Any], desired: Mapping[str, Any] | None) -> dict[str, Any]:
    """`live` (a HubSpot read, already reshaped per kind) in the form of `desired`."""
    if desired is None:
        return {k: v for k, v in live.items() if k not in SERVER_KEYS.get(kind, ())}
    return project(live, desired)


def project(live: Any, desired: Any, key: str = "") -> Any:
    if live == desired:
        return live  # what the projection below gives for equal values (up to key order), without the walk
    if isinstance(live, Mapping) and isinstance(desired, Mapping):
        return {k: project(live[k], desired[k], k) for k in desired if k in live}
    if isinstance(live, list) and isinstance(desired, list):
        return _project_list(live, desired)
    if key == "calculationFormula" and isinstance(live, str) and isinstance(desired, str):
        return desired if formula_tokens(live) == formula_tokens(desired) else live
    if key == "displayOrder" and desired == -1 and isinstance(live, int):
        return desired
    return live


def _identity(items: list) -> str | None:
    if not items or not all(isinstance(i, Mapping) for i in items):
        return None
    for key in IDENTITY_KEYS:
        values = [i.get(key) for i in items]
        if all(isinstance(v, (str, int)) for v in values) and len(set(values)) == len(values):
            return key
    return None


def _project_list(live: list, desired: list) -> list:
    ident = _identity(desired)
    if ident is None or _identity(live) != ident:
        return [project(item, desired[i]) if i < len(desired) else item for i, item in enumerate(live)]
    by_id = {item[ident]: item for item in live}
    out = [project(by_id.pop(want[ident]), want) for want in desired if want[ident] in by_id]
    extra = [item for item in live if item[ident] in by_id]
    return out + extra


# -- calculation formulas ----------------------------------------------------------------------------------
_TOKEN = re.compile(r"""\s*('[^']*'|"[^"]*"|\d+(?:\.\d+)?|\.\d+|[A-Za-z_]\w*|<=|>=|!=|==|[=<>+\-*/(),])""")
_KEYWORDS = {"if", "then", "elseif", "else", "endif", "and", "or", "not", "equals", "true", "false"}


def formula_tokens(formula: str) -> tuple[str, ...]:
    """The formula as a canonical token sequence: HubSpot's rewritten text and the text Handrail sent
    give the same sequence when they mean the same. Unparseable text stays as it is (compared verbatim)."""
    tokens: list[str] = []
    position, end = 0, len(formula.rstrip())
    while position < end:
        match = _TOKEN.match(formula, position)
        if not match:
            return (formula,)
        tokens.append(_canonical_token(match.group(1)))
        position = match.end()
    return tuple(_drop_redundant_parentheses(tokens))


@lru_cache(maxsize=4096)  # formulas repeat their names and operators
def _canonical_token(token: str) -> str:
    if token[0] in "'\"":
        return "'" + token[1:-1]  # a literal, by content; identifiers can never start with a quote
    if token in ("=", "=="):
        return "equals"
    if token[0].isdigit() or token[0] == ".":
        try:
            return format(Decimal(token).normalize(), "f")
        except InvalidOperation:
            return token
    return token.lower() if token[0].isalpha() or token[0] == "_" else token  # _TOKEN names are ASCII


def _is_name(token: str) -> bool:
    return ("a" <= token[0] <= "z" or token[0] == "_") and token not in _KEYWORDS


def _closing(tokens: list[str], start: int) -> int | None:
    depth = 0
    for index in range(start, len(tokens)):
        depth += tokens[index] == "("
        depth -= tokens[index] == ")"
        if depth == 0:
            return index
    return None


def _term_end(tokens: list[str], start: int) -> int | None:
    """Where a single term starting at `start` ends (inclusive): a literal, a name or a call."""
    token = tokens[start]
    if _is_name(token) and start + 1 < len(tokens) and tokens[start + 1] == "(":
        return _closing(tokens, start + 1)
    if _is_name(token) or token[0] == "'" or token[0].isdigit() or token in ("true", "false"):
        return start
    return None


def _drop_redundant_parentheses(tokens: list[str]) -> list[str]:
    """Grouping parentheses around a single term, or doubled around anything, change nothing."""
    index = 0
    while index < len(tokens):
        is_group = tokens[index] == "(" and not (index and _is_name(tokens[index - 1]))
        close = _closing(tokens, index) if is_group else None
        if close is not None and close > index + 1:
            inner_end = _term_end(tokens, index + 1)
            doubled = tokens[index + 1] == "(" and _closing(tokens, index + 1) == close - 1
            if inner_end == close - 1 or doubled:
                tokens = tokens[:index] + tokens[index + 1 : close] + tokens[close + 1 :]
                index = max(index - 1, 0)
                continue
        index += 1
    return tokens
