"""A deal as HubSpot would hold it: the record plus the values of Handrail's calculated properties."""

from __future__ import annotations

from deal_samples import property_types
from formula_language import Evaluator, parse

from handrail.targets.hubspot.properties import properties

_TREES: dict[str, object] = {}


def _parsed(formula: str):
    if formula not in _TREES:
        _TREES[formula] = parse(formula)
    return _TREES[formula]


class HubSpotDeal:
    """Evaluates the calculated properties of one record in creation order, as HubSpot would."""

    _bodies: dict[int, dict] = {}

    def __init__(self, model, record):
        bodies = self._bodies.setdefault(id(model), {b["name"]: b for _, b in properties(model)})
        self.types = property_types(model, bodies)
        self.names = {f.key: f.hubspot_name for f in model.computed}
        self.record = dict(record)
        for name, body in bodies.items():
            if body["fieldType"] == "calculation_equation":
                value = Evaluator(self.record, self.types).eval(_parsed(body["calculationFormula"]))
                self.record[name] = (
                    None if value is None else repr(value) if isinstance(value, float) else value
                )

    def __getitem__(self, key: str):
        value = self.record.get(self.names[key])
        return float(value) if key in ("score", "completeness") and value is not None else value
