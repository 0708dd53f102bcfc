"""The field separator of a CSV export. CRM exports separate fields with commas; Excel saves "CSV" with
the system's list separator, a semicolon wherever the decimal separator is a comma (Peter Hilton, "CSV
isn't broken - Excel is broken", https://hilton.org.uk/blog/csv-excel), and some tools write tabs.
"""

from __future__ import annotations

import csv
from typing import TextIO

SEPARATORS = (",", ";", "\t")


def separator(first_line: str) -> str:
    """A comma, unless the header line is one field under commas and a semicolon or a tab splits it."""
    for candidate in SEPARATORS:
        if len(next(csv.reader([first_line], delimiter=candidate), [])) > 1:
            return candidate
    return ","


def sniffed(handle: TextIO) -> str:
    """The separator of the file open in `handle`, read from its first line; `handle` is back at its start."""
    found = separator(handle.readline())
    handle.seek(0)
    return found
