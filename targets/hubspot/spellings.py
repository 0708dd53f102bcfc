"""Spellings of filler phrases and blank text that a HubSpot formula can recognise with documented functions.

The engine compares text case-insensitively after trimming spaces and tabs; HubSpot documents no case
folding, trimming or length function, and its string comparisons are case-sensitive. What documented
functions can still do is compare against a finite list of spellings. The list, written once per field
as one delimited literal tested with `contains(list, concatenate(SEP, value, SEP))`, holds:
  - every upper/lower-case spelling of phrases of up to CASE_LETTERS letters (tbd, tBd, TbD, ...), and
    the four usual ones (tbd, TBD, Tbd, Tbd Tbd) of longer phrases;
  - each of those with one stray space before, after, or on both sides;
and blank text is recognised as every run of up to BLANK_RUN spaces and tabs. Longer padding, odd case
in longer phrases and short text stay beyond a formula (targets.hubspot.limits says so).
"""

from __future__ import annotations

from itertools import product

CASE_LETTERS = 4
BLANK_RUN = 3
SEP = "\u00a6"  # broken bar: the list delimiter; a value containing it is compared by the or-chain instead


def case_spellings(phrase: str, every: bool = True) -> list[str]:
    """Every case spelling of a short phrase (every=True), else tbd, TBD, Tbd and Tbd Tbd."""
    letters = sum(c.isalpha() for c in phrase)
    common = [phrase, phrase.upper(), phrase.capitalize(), phrase.title()]
    if not every or letters > CASE_LETTERS:
        return list(dict.fromkeys(common))
    out = []
    for pattern in product((str.lower, str.upper), repeat=letters):
        cased, it = [], iter(pattern)
        for c in phrase:
            cased.append(next(it)(c) if c.isalpha() else c)
        out.append("".join(cased))
    return list(dict.fromkeys(common + out))


def filler_spellings(phrase: str) -> list[str]:
    """What a rep may type for a filler phrase that HubSpot can still match exactly."""
    out = []
    for cased in case_spellings(phrase):
        out += [cased, f" {cased}", f"{cased} ", f" {cased} "]
    return list(dict.fromkeys(out))


def blank_spellings() -> list[str]:
    """Runs of spaces and tabs: text the engine trims to nothing."""
    return ["".join(p) for n in range(1, BLANK_RUN + 1) for p in product(" \t", repeat=n)]
