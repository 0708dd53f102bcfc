"""The rule engine: scoring, completeness, tiers, segments and gates over deals."""
