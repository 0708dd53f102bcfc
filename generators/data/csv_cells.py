"""CSV output that a spreadsheet opens as data, never as formulas: the one writer every CSV output uses.

OWASP's rule for CSV injection: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is
evaluated by Excel, LibreOffice and Google Sheets, so it gets a leading `'` (shown by none of them as part
of the value), unless the cell is a plain number such as -12.5, which stays as it is.
https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset(FORMULA_STARTS)
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """`value`, with a leading `'` when a spreadsheet would evaluate it as a formula."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS) or PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


class SafeWriter:
    """csv.writer whose rows are neutralised cell by cell, one row a line ending in "\n"."""

    def __init__(self, out: TextIO):
        self._out = out
        self._line = io.StringIO()
        # With "\r\n" as terminator the csv module quotes any cell holding "\r" or "\n"; with "\n" alone a
        # bare "\r" would go out unquoted and split the row for every reader.
        self._writer = csv.writer(self._line, lineterminator="\r\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._line.seek(0)
        self._line.truncate()
        self._writer.writerow([safe_cell("" if value is None else value) for value in row])
        self._out.write(self._line.getvalue()[:-2] + "\n")

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """writerow for each row, written out in one piece: each row's end is where the buffer stood
        after it, so its "\r\n" is cut there, never inside a quoted cell."""
        line, writer = self._line, self._writer
        line.seek(0)
        line.truncate()
        ends, starts, plain = [], FORMULA_FIRST, PLAIN_NUMBER.fullmatch
        for row in rows:  # safe_cell, inline
            writer.writerow(
                [
                    ""
                    if v is None
                    else "'" + v
                    if isinstance(v, str) and v[:1] in starts and not plain(v)
                    else v
                    for v in row
                ]
            )
            ends.append(line.tell())
        text, start, lines = line.getvalue(), 0, []
        for end in ends:
            lines.append(text[start : end - 2])
            start = end
        if lines:
            self._out.write("\n".join(lines) + "\n")
