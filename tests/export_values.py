"""Cell values as exports write them, for every field type and spec form: blanks, padding, filler phrases,
generic options, checkbox words, number formats. Shared by the tests that compare two engines."""

from __future__ import annotations

import random
from pathlib import Path

from helpers import EXAMPLE_SPEC

SPECS = Path(__file__).resolve().parent / "specs"
SPEC_FILES = [
    EXAMPLE_SPEC,
    SPECS / "every_field_type.yaml",
    SPECS / "every_segment_match.yaml",
    SPECS / "every_gated_type.yaml",
    SPECS / "every_gate_form.yaml",
]
# Specs only the offline engines (Python, DuckDB) and HubSpot compile: not for Salesforce builds.
OFFLINE_SPEC_FILES = [SPECS / "offline" / "contact_roles.yaml"]
PADS = ["", " ", "\t", "  \t", "\u3000", "\xa0 ", "\x0b"]  # Python strips Unicode spaces too


def padded(rng: random.Random, text: str) -> str:
    return rng.choice(PADS) + text + rng.choice(PADS)


def text_value(rng: random.Random, f) -> str | None:
    q = f.quality
    choices = [
        None,
        "",
        "   ",
        "\t",
        "x",
        "Ok",
        "Dana Ruiz (CFO); Lee Park (Controller)",
        "line\nbreak",
        "A specific and long enough answer about goals",
        "ÉCOLE ünïcode text",
    ]
    choices += [p.upper() if rng.random() < 0.5 else p for p in q.filler_phrases]
    choices += [
        p + "!" for p in q.filler_phrases[:2]
    ]  # one longer than a phrase: SQL lower-cases only short ones
    choices += [f"we will {p} later on in the project" for p in q.generic_if_contains]
    if q.min_length:
        choices += ["y" * (q.min_length - 1), "y" * q.min_length]
    value = rng.choice(choices)
    return value if value is None else padded(rng, value)


def cell_value(rng: random.Random, f) -> str | None:
    if f.type in ("short_text", "long_text"):
        return text_value(rng, f)
    if f.type == "picklist":
        return rng.choice([None, "", " ", "Unknown option"] + [padded(rng, o.value) for o in f.options])
    if f.type == "multi_select":
        values = [o.value for o in f.options] + ["Unknown option", ""]
        chosen = rng.sample(values, rng.randint(0, min(3, len(values))))
        return rng.choice([";", "; "]).join(padded(rng, v) for v in chosen)
    if f.type == "checkbox":
        return rng.choice([None, "", "true", "TRUE", "1", "Yes", "x", "checked", "false", "0", "no", " N "])
    if f.type in ("number", "currency", "percent"):
        return rng.choice([None, "", "0", "12", "1,250.5", "$300", "45%", " 7 "])
    return rng.choice([None, "", "2026-03-01", "005xx000001Sv6AAAS", " someone@example.com "])
